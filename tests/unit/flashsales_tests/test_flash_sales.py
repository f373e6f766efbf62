"""Flash sales on moto: creating a sale (units set aside in inventory), purchases on sharded
stock, limits, expiry exactly once, rate limits, and the checkout of a reservation at the
sale price, with a fault injected into each of its steps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from apigw import FakeContext, call
from catalog import steps as catalog_steps
from catalog.domain import offer_id
from flashsales import api as flash_api
from flashsales import consumers, domain, service, settings
from flashsales import store as sale_store
from flashsales.store import Buyer, Sale
from inventory import steps as inventory_steps
from inventory.store import Reservation
from orders.store import Order
from payments.store import Payment
from tests.unit.checkout_tests.saga import FORWARD, card, checkout, stock
from tests.unit.shop import ANA, CUSTOMER, P1, P2, SELLER, STAFF
from titan import clock
from titan.saga import StepRefused

NOW = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)


def shopper(n: int) -> dict:
    return {"principalId": f"acct_01JDQ6R8V9W3X4Y5Z6A7B8{n:04d}", "roles": "customer"}


# ------------------------------------------------------------------ domain


def test_shards_are_sized_from_the_rate_and_the_partition_limit():
    assert domain.purchases_per_shard() == 250
    assert domain.shard_count(10_000, 1_000) == 40
    assert domain.shard_count(1_000, 1_000) == 4
    assert domain.shard_count(1, 100) == 1
    assert domain.shard_count(10_000, 3) == 3  # never more shards than units
    assert domain.shard_count(10**6, 10**5) == domain.MAX_SHARDS
    with pytest.raises(ValueError):
        domain.shard_count(0, 10)


def test_units_split_evenly_and_allocate_across_shards():
    assert domain.split(10, 4) == [3, 3, 2, 2] and sum(domain.split(101, 40)) == 101
    assert domain.allocate({0: 1, 1: 0, 2: 1}, 2, [1, 2, 0]) == {2: 1, 0: 1}
    assert domain.allocate({0: 5}, 2, [0]) == {0: 2}
    assert domain.allocate({0: 1, 1: 0}, 2, [0, 1]) is None


def test_a_sale_is_upcoming_active_then_ended():
    start, end = NOW, NOW + timedelta(hours=1)
    assert domain.phase(start, end, NOW - timedelta(seconds=1)) == "UPCOMING"
    assert domain.phase(start, end, NOW) == "ACTIVE"
    assert domain.phase(start, end, end) == "ENDED"


def test_the_token_bucket_refills_at_its_rate_up_to_its_burst():
    bucket = domain.Bucket(rate=2, burst=3)  # a token every 0.5 s, 3 at once
    tat, now = None, 100.0
    for _ in range(3):
        allowed, tat, _ = bucket.take(tat, now)
        assert allowed
    assert bucket.take(tat, now) == (False, tat, 1)
    assert bucket.take(tat, now + 0.5)[0]  # one token back after half a second
    assert bucket.take(tat, now + 1000) == (True, now + 1000.5, 0)  # idle: full again
    assert domain.Bucket(rate=0.1, burst=1).take(110.0, 100.0) == (False, 110.0, 10)


# ------------------------------------------------------------------ the world


def status_of(reservation: dict) -> str:
    """The stored status of a flash-sale reservation the API answered with."""
    key = sale_store.Reservation.key(reservation["reservationId"])
    return sale_store.Reservation.get(*key).status


@pytest.fixture
def flash(world, monkeypatch):
    """The shopping world plus the expiry queue, with other contexts' steps called in-process
    (as ``titan.saga.invoke`` does over Lambda) and the clock at 11.11 00:00."""

    def invoke(function_env, action, payload):
        module = {
            "CATALOG_STEPS_FUNCTION": catalog_steps,
            "INVENTORY_STEPS_FUNCTION": inventory_steps,
        }
        try:
            return module[function_env].handler.actions[action](payload)
        except StepRefused as refused:
            raise refused.problem() from None

    monkeypatch.setattr(service, "invoke", invoke)
    queue = boto3.client("sqs").create_queue(QueueName="flash-expiry")["QueueUrl"]
    update = {"expiry_queue_url": queue}
    monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(update=update))
    monkeypatch.setattr(service, "_sales", {})
    clock.freeze(NOW)
    yield world
    clock.unfreeze()


def new_sale(quantity=3, limit=2, price=1999, key="sale-1", product=P1, who=STAFF, **extra) -> dict:
    body = {
        "productId": product,
        "sellerId": SELLER,
        "salePrice": price,
        "quantity": quantity,
        "perCustomerLimit": limit,
        "startsAt": clock.iso(NOW),
        "endsAt": clock.iso(NOW + timedelta(hours=2)),
        "holdSeconds": 300,
        **extra,
    }
    return call(
        flash_api.handler,
        "POST",
        "/admin/flash-sales",
        body,
        headers={"Idempotency-Key": key},
        authorizer=who,
    )


def buy(sale_id, who=ANA, quantity=1, key=None, ip="10.0.0.1"):
    key = key or f"k-{sale_id}-{who['principalId']}-{clock.iso()}-{quantity}"
    return call(
        flash_api.handler,
        "POST",
        f"/flash-sales/{sale_id}/reservations",
        {"quantity": quantity},
        headers={"Idempotency-Key": key},
        authorizer=who,
        source_ip=ip,
    )


def pool(sale: dict) -> Reservation:
    return Reservation.get(*Reservation.key("fsp_" + sale["saleId"][3:]), consistent_read=True)


# ------------------------------------------------------------------ sales


def test_a_sale_sets_its_units_aside_and_is_listed(flash):
    status, _, sale = new_sale(quantity=3)
    assert status == 201, sale
    assert sale["salePrice"] == {"amount": 1999, "currency": "BRL"}
    assert sale["listPrice"]["amount"] == 3499 and sale["remaining"] == 3
    assert (sale["phase"], sale["secondsToStart"], sale["secondsToEnd"]) == ("ACTIVE", 0, 7200)
    # 3 of the offer's 5 units are held by the sale's pool; 2 stay for everyone else.
    assert (stock().on_hand, stock().reserved, stock().available) == (5, 3, 2)
    assert pool(sale).pool_units == 3
    # The same key gives the same sale; a public listing shows it.
    assert new_sale(quantity=3)[2]["saleId"] == sale["saleId"]
    status, _, listing = call(flash_api.handler, "GET", "/flash-sales")
    assert [s["saleId"] for s in listing["sales"]] == [sale["saleId"]]
    assert call(flash_api.handler, "GET", "/flash-sales?phase=UPCOMING")[2]["sales"] == []
    status, _, one = call(flash_api.handler, "GET", f"/flash-sales/{sale['saleId']}")
    assert (status, one["remaining"]) == (200, 3)


def test_bad_sales_are_refused_with_their_codes(flash):
    assert new_sale(quantity=6, key="a")[2]["code"] == "OUT_OF_STOCK"  # 5 in stock
    assert (stock().reserved, stock().available) == (0, 5)
    status, _, body = new_sale(price=3499, key="b")
    assert (status, body["code"], body["listPrice"]) == (422, "SALE_PRICE_NOT_LOWER", 3499)
    status, _, body = new_sale(key="c", endsAt=clock.iso(NOW - timedelta(hours=1)))
    assert (status, body["code"]) == (422, "VALIDATION_FAILED")
    past = {"startsAt": clock.iso(NOW - timedelta(hours=3)), "endsAt": clock.iso(NOW)}
    assert new_sale(key="d", **past)[2]["code"] == "SALE_WINDOW_INVALID"
    customer = new_sale(key="e", who=ANA)
    assert customer[0] == 403
    unknown = call(flash_api.handler, "GET", "/flash-sales/fs_01JDQ6R8V9W3X4Y5Z6A7B8C9D0")
    assert (unknown[0], unknown[2]["code"]) == (404, "SALE_NOT_FOUND")


# ------------------------------------------------------------------ purchases


def test_purchases_hold_units_within_the_limit_until_sold_out(flash, capsys):
    sale = new_sale(quantity=3, limit=2)[2]
    status, _, held = buy(sale["saleId"], quantity=2, key="ana-1")
    assert status == 201, held
    assert held["unitPrice"] == {"amount": 1999, "currency": "BRL"} and held["status"] == "HELD"
    # The same key: the same reservation, nothing more held.
    assert buy(sale["saleId"], quantity=2, key="ana-1")[2]["reservationId"] == held["reservationId"]
    status, _, over = buy(sale["saleId"], key="ana-2")
    assert (status, over["code"], over["perCustomerLimit"]) == (409, "LIMIT_REACHED", 2)
    assert buy(sale["saleId"], who=shopper(1), quantity=3)[2]["code"] == "LIMIT_REACHED"
    status, _, short = buy(sale["saleId"], who=shopper(1), quantity=2)
    assert (status, short["code"], short["remaining"]) == (409, "SOLD_OUT", 1)
    assert buy(sale["saleId"], who=shopper(1))[0] == 201
    assert buy(sale["saleId"], who=shopper(2))[2]["code"] == "SOLD_OUT"
    assert flash.kinds().count("FlashSaleSoldOut") == 1
    assert buy(sale["saleId"], who=shopper(3))[2]["code"] == "SOLD_OUT"
    assert flash.kinds().count("FlashSaleSoldOut") == 1  # once per selling out
    # Each refusal is a business metric (CloudWatch EMF on stdout), by its code.
    emf = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    refused = [m["code"] for m in emf if "ReservationsRefused" in m]
    assert refused.count("LIMIT_REACHED") == 2 and refused.count("SOLD_OUT") == 3
    assert call(flash_api.handler, "GET", f"/flash-sales/{sale['saleId']}")[2]["remaining"] == 0
    # Each reservation's expiry is queued with the sale's hold time.
    messages = boto3.client("sqs").receive_message(
        QueueUrl=settings.SETTINGS.expiry_queue_url, MaxNumberOfMessages=10
    )
    assert "Messages" not in messages  # delayed 300 s: not visible yet


def test_a_purchase_falls_over_to_other_shards(flash):
    # 4 units over 4 shards (1 each): random first picks collide, yet all 4 sell, and a
    # purchase of 2 when no shard has 2 takes one from each of two shards.
    sale = new_sale(quantity=4, limit=2, expectedRate=1000)[2]
    assert sale["shards"] == 4
    assert buy(sale["saleId"], who=shopper(1), quantity=2)[0] == 201
    assert buy(sale["saleId"], who=shopper(2))[0] == 201
    assert buy(sale["saleId"], who=shopper(3))[0] == 201
    assert buy(sale["saleId"], who=shopper(4))[2]["code"] == "SOLD_OUT"
    reservations = [h for h in sale_store.Reservation.scan() if h.sk == "RESERVATION"]
    assert sorted(int(t.shard) for h in reservations for t in h.taken) == [0, 1, 2, 3]


def test_a_sale_not_on_is_refused(flash):
    later = {
        "startsAt": clock.iso(NOW + timedelta(hours=1)),
        "endsAt": clock.iso(NOW + timedelta(hours=2)),
    }
    sale = new_sale(**later)[2]
    status, _, body = buy(sale["saleId"])
    assert (status, body["code"], body["phase"]) == (409, "SALE_NOT_ACTIVE", "UPCOMING")
    assert sale["secondsToStart"] == 3600
    assert buy("fs_01JDQ6R8V9W3X4Y5Z6A7B8C9D0")[2]["code"] == "SALE_NOT_FOUND"
    no_key = call(
        flash_api.handler,
        "POST",
        f"/flash-sales/{sale['saleId']}/reservations",
        {"quantity": 1},
        authorizer=ANA,
    )
    assert no_key[2]["code"] == "IDEMPOTENCY_KEY_REQUIRED"


def test_purchases_are_rate_limited_per_customer_and_per_ip(flash, monkeypatch):
    sale = new_sale(quantity=5, limit=2)[2]
    for n in range(service.CUSTOMER_LIMIT.burst):
        assert buy(sale["saleId"], key=f"try-{n}")[0] in (201, 409)
    status, headers, body = buy(sale["saleId"], key="one-too-many")
    assert (status, body["code"], headers["retry-after"]) == (429, "RATE_LIMITED", "1")
    slow = settings.SETTINGS.model_copy(update={"flash_ip_rate": 0.25})  # every 4 s, no burst
    monkeypatch.setattr(settings, "SETTINGS", slow)
    clock.freeze(clock.now())  # the Retry-After must not depend on how fast the test runs
    try:
        assert buy(sale["saleId"], who=shopper(7), ip="10.9.9.9")[0] == 201
        status, headers, body = buy(sale["saleId"], who=shopper(8), ip="10.9.9.9")
        assert buy(sale["saleId"], who=shopper(8), ip="10.9.9.10")[0] == 201  # another IP
    finally:
        clock.unfreeze()
    assert (status, body["code"], headers["retry-after"]) == (429, "RATE_LIMITED", "4")


# ------------------------------------------------------------------ expiry


def test_an_unpaid_reservation_expires_exactly_once(flash):
    sale = new_sale(quantity=2, limit=2)[2]
    held = buy(sale["saleId"], quantity=2)[2]
    assert buy(sale["saleId"], who=shopper(1))[2]["code"] == "SOLD_OUT"
    with pytest.raises(service.NotYetExpired) as early:
        service.expire(held["reservationId"])
    assert early.value.seconds == 300
    clock.freeze(NOW + timedelta(seconds=301))
    first = service.expire(held["reservationId"])
    assert [e.detail_type for e in first] == ["ReservationExpired"]
    assert service.expire(held["reservationId"]) == []  # a retried handler changes nothing
    assert consumers.sweep()["expired"] == 0
    assert sum(service.remaining(service.get_sale(sale["saleId"])).values()) == 2
    assert Buyer.get(*Buyer.key(sale["saleId"], CUSTOMER)).units == 0
    # The sale sells again, and the customer may buy again.
    assert buy(sale["saleId"], who=shopper(1))[0] == 201
    assert buy(sale["saleId"], quantity=1, key="ana-again")[0] == 201


def test_the_queue_message_expires_it_and_the_sweep_catches_lost_ones(flash):
    sale = new_sale(quantity=3, limit=2)[2]
    early = buy(sale["saleId"])[2]
    lost = buy(sale["saleId"], who=shopper(1))[2]
    record = {"messageId": "m1", "body": json.dumps({"reservationId": early["reservationId"]})}
    record.update(receiptHandle="r", attributes={}, messageAttributes={}, eventSource="aws:sqs")
    # Arriving early, the message is queued again for the time left.
    assert consumers.handler({"Records": [record]}, FakeContext()) == {"batchItemFailures": []}
    assert status_of(early) == "HELD"
    clock.freeze(NOW + timedelta(seconds=300))
    assert consumers.handler({"Records": [record]}, FakeContext()) == {"batchItemFailures": []}
    assert status_of(early) == "EXPIRED"
    # No message for the other one: the sweep finds it.
    assert consumers.sweep()["expired"] == 1
    assert status_of(lost) == "EXPIRED"
    assert flash.kinds().count("ReservationExpired") == 2


def test_the_sweep_announces_a_started_sale_once(flash):
    later = {
        "startsAt": clock.iso(NOW + timedelta(minutes=5)),
        "endsAt": clock.iso(NOW + timedelta(hours=1)),
    }
    new_sale(**later)
    assert consumers.sweep()["started"] == 0
    clock.freeze(NOW + timedelta(minutes=5))
    assert consumers.sweep()["started"] == 1
    assert consumers.sweep()["started"] == 0
    (started,) = flash.of("FlashSaleStarted")
    assert started.data["salePrice"] == 1999 and started.data["quantity"] == 3


# ------------------------------------------------------------------ checkout


def test_a_reservation_is_checked_out_once_at_the_sale_price(flash):
    sale = new_sale(quantity=3, limit=2, price=1999)[2]
    held = buy(sale["saleId"], quantity=2)[2]
    placed = checkout([card()], reservation=held["reservationId"])["ok"]
    assert placed["status"] == "CONFIRMED"
    assert placed["total"]["amount"] == 2 * 1999 + 2 * 1605  # sale price + the offer's freight
    order = Order.get(*Order.key(placed["orderId"]))
    assert [(line["unitPrice"], line["quantity"]) for line in order.lines] == [(1999, 2)]
    reservation = sale_store.Reservation.get(*sale_store.Reservation.key(held["reservationId"]))
    assert reservation.status == "CLAIMED"
    # Sold out of the pool: 2 units left the warehouse, 1 is still set aside for the sale.
    assert (stock().on_hand, stock().reserved, stock().available) == (3, 1, 2)
    assert pool(sale).pool_units == 1
    again = checkout([card()], reservation=held["reservationId"])
    assert (again["problem"].status, again["problem"].code) == (409, "RESERVATION_USED")
    # Someone else's reservation, or an expired one, is refused too.
    other = buy(sale["saleId"], who=shopper(1))[2]
    assert checkout([card()], reservation=other["reservationId"])["problem"].code == (
        "RESERVATION_NOT_FOUND"
    )
    clock.freeze(NOW + timedelta(seconds=301))
    assert service.expire(other["reservationId"])
    assert checkout([card()], reservation=other["reservationId"])["problem"].status == 404


def test_an_expired_hold_cannot_be_claimed(flash):
    sale = new_sale()[2]
    held = buy(sale["saleId"])[2]
    clock.freeze(NOW + timedelta(seconds=300))
    result = checkout([card()], reservation=held["reservationId"])
    assert (result["problem"].status, result["problem"].code) == (409, "RESERVATION_EXPIRED")


@pytest.mark.parametrize("state", [name for name in FORWARD if name != "ValidateCart"])
def test_a_fault_in_any_step_of_a_flash_checkout_is_compensated(flash, state):
    from tests.unit.asl import ASL

    sale = new_sale(quantity=3, limit=2)[2]
    held = buy(sale["saleId"], quantity=2)[2]
    task = ASL["States"][state]
    trace: list = []
    result = checkout(
        [card()],
        reservation=held["reservationId"],
        fail=(task["Resource"][2:-1], task["Parameters"]["action"]),
        trace=trace,
    )
    assert result["error"] == "RuntimeError" and trace[-2:] == ["UnclaimReservation", "Failed"]
    # The reservation is the customer's again, the units are back in the sale's pool, nothing
    # was sold, no payment stands, and a retry with a new checkout succeeds.
    assert status_of(held) == "HELD"
    assert pool(sale).pool_units == 3
    assert (stock().on_hand, stock().reserved, stock().available) == (5, 3, 2)
    for payment in Payment.scan():
        assert payment.status in ("VOIDED", "REFUNDED"), payment.status
    assert checkout([card()], reservation=held["reservationId"])["ok"]["status"] == "CONFIRMED"


def test_a_sale_that_ends_gives_its_unsold_units_back_to_stock(flash):
    from inventory import consumers as inventory_consumers

    sale = new_sale(quantity=3, limit=2)[2]
    held = buy(sale["saleId"], quantity=1)[2]
    assert checkout([card()], reservation=held["reservationId"])["ok"]
    clock.freeze(NOW + timedelta(hours=2, seconds=300 + 3600))
    assert inventory_consumers.sweep() == {"released": 1}  # the pool's hold ends after the sale
    assert pool(sale).status == "RELEASED"
    assert (stock().on_hand, stock().reserved, stock().available) == (4, 0, 4)
    assert Sale.get(*Sale.key(sale["saleId"])).quantity == 3


def test_a_pool_draw_released_after_the_sale_goes_back_to_stock(flash):
    from inventory import service as inventory

    sale = new_sale(quantity=2, limit=2)[2]
    line = {"offerId": offer_id(P1, SELLER), "quantity": 1, "poolId": "fsp_" + sale["saleId"][3:]}
    inventory.reserve("chk_late", [line], 900)
    assert pool(sale).pool_units == 1
    inventory.release(pool(sale).reservation_id, "EXPIRED")  # the sale's pool ends first
    assert (stock().reserved, stock().available) == (1, 4)
    inventory.release("chk_late", "CHECKOUT_FAILED")
    assert (stock().on_hand, stock().reserved, stock().available) == (5, 0, 5)
    with pytest.raises(StepRefused):
        inventory.reserve("chk_other", [{**line, "offerId": offer_id(P2, SELLER)}], 900)


def test_a_sale_of_one_variant_sells_that_sku(flash):
    from tests.unit.shop import published_shoes

    made, offers = published_shoes((4, 4))
    size_40 = offers[1]
    status, _, sale = new_sale(
        quantity=2, price=15990, product=made.product_id, skuId=size_40.sku_id
    )
    assert status == 201, sale
    assert (sale["skuId"], sale["offerId"], sale["listPrice"]["amount"]) == (
        size_40.sku_id, size_40.offer_id, 20990,
    )  # fmt: skip
    assert sale["title"] == "Tênis corrida (Size 40)"
    held = buy(sale["saleId"])[2]
    placed = checkout([card()], reservation=held["reservationId"])["ok"]
    (line,) = Order.get(*Order.key(placed["orderId"])).lines
    assert (line["offerId"], line["unitPrice"]) == (size_40.offer_id, 15990)
