"""The HTTP side of cart, checkout, coupons, inventory and orders, on moto."""

from __future__ import annotations

import json

import pytest

from apigw import FakeContext, call
from cart import api as cart_api
from checkout import api as checkout_api
from checkout import service as checkout_service
from contracts.orders import OrderPlaced
from delivery import sqs_batch
from inventory import api as inventory_api
from inventory import service as inventory
from orders import api as orders_api
from titan import clock
from titan.errors import Problem
from titan.events import DomainEvent

from .conftest import ADDRESS, CUSTOMER, P1, SELLER

ANA = {"principalId": CUSTOMER, "roles": "customer"}
BIA = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9ZZ", "roles": "customer"}
STAFF = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8STAF", "roles": "staff"}
CARD = {"method": "card", "card": {"number": "4242424242424242"}}


def test_cart_lines_add_up_and_are_each_customers_own(world):
    status, _, line = call(
        cart_api.handler,
        "POST",
        "/cart/items",
        {"productId": P1, "sellerId": SELLER, "quantity": 2},
        authorizer=ANA,
    )
    assert status == 201 and line["quantity"] == 2 and line["unitPrice"]["amount"] == 3499
    status, _, again = call(
        cart_api.handler,
        "POST",
        "/cart/items",
        {"productId": P1, "sellerId": SELLER, "quantity": 3},
        authorizer=ANA,
    )
    assert (status, again["lineId"], again["quantity"]) == (201, line["lineId"], 5)
    too_many = call(
        cart_api.handler,
        "POST",
        "/cart/items",
        {"productId": P1, "sellerId": SELLER, "quantity": 95},
        authorizer=ANA,
    )
    assert (too_many[0], too_many[2]["code"]) == (422, "QUANTITY_LIMIT")
    status, _, cart = call(cart_api.handler, "GET", "/cart", authorizer=ANA)
    assert cart["total"]["amount"] == 5 * (3499 + 1605) and cart["itemCount"] == 5
    assert call(cart_api.handler, "GET", "/cart", authorizer=BIA)[2]["lines"] == []
    other = call(
        cart_api.handler, "PATCH", f"/cart/items/{line['lineId']}", {"quantity": 1}, authorizer=BIA
    )
    assert (other[0], other[2]["code"]) == (404, "LINE_NOT_FOUND")
    assert (
        call(
            cart_api.handler,
            "PATCH",
            f"/cart/items/{line['lineId']}",
            {"quantity": 1},
            authorizer=ANA,
        )[2]["quantity"]
        == 1
    )
    assert (
        call(cart_api.handler, "DELETE", f"/cart/items/{line['lineId']}", authorizer=ANA)[0] == 204
    )
    assert (
        call(cart_api.handler, "DELETE", f"/cart/items/{line['lineId']}", authorizer=ANA)[0] == 404
    )
    unknown = call(
        cart_api.handler,
        "POST",
        "/cart/items",
        {"productId": P1, "sellerId": "0" * 32, "quantity": 1},
        authorizer=ANA,
    )
    assert (unknown[0], unknown[2]["code"]) == (409, "OFFER_UNAVAILABLE")
    assert call(cart_api.handler, "GET", "/cart")[0] == 401


def test_checkout_maps_saga_outcomes_and_keeps_refusals_per_key(world, monkeypatch):
    runs = []

    def fake_start(state, wait):
        runs.append(state)
        cause = json.dumps(
            {
                "errorType": "StepRefused",
                "errorMessage": json.dumps(
                    {"code": "OUT_OF_STOCK", "status": 409, "detail": "No.", "offerIds": ["off_1"]}
                ),
            }
        )
        return {"status": "FAILED", "error": "StepRefused", "cause": cause}

    monkeypatch.setattr(checkout_service, "_start", fake_start)
    body = {"shippingAddressId": ADDRESS, "payments": [CARD]}
    no_key = call(checkout_api.handler, "POST", "/checkout", body, authorizer=ANA)
    assert (no_key[0], no_key[2]["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    for _ in range(2):
        status, headers, problem = call(
            checkout_api.handler,
            "POST",
            "/checkout",
            body,
            authorizer=ANA,
            headers={"Idempotency-Key": "k1"},
        )
        assert (status, problem["code"], problem["offerIds"]) == (409, "OUT_OF_STOCK", ["off_1"])
        assert headers["content-type"] == "application/problem+json"
    assert len(runs) == 1  # the retry got the kept answer
    assert runs[0]["holdSeconds"] == checkout_service.CARD_HOLD_SECONDS
    assert runs[0]["orderId"] == "ord_" + runs[0]["checkoutId"][4:]
    reused = call(
        checkout_api.handler,
        "POST",
        "/checkout",
        {**body, "couponCode": "OTHER"},
        authorizer=ANA,
        headers={"Idempotency-Key": "k1"},
    )
    assert (reused[0], reused[2]["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")

    monkeypatch.setattr(
        checkout_service,
        "_start",
        lambda state, wait: {"status": "FAILED", "error": "RuntimeError", "cause": "{}"},
    )
    fault = call(
        checkout_api.handler,
        "POST",
        "/checkout",
        body,
        authorizer=ANA,
        headers={"Idempotency-Key": "k2"},
    )
    assert (fault[0], fault[2]["code"], fault[1]["retry-after"]) == (503, "CHECKOUT_FAILED", "1")
    output = {"orderId": "ord_1", "status": "CONFIRMED", "total": {"amount": 1, "currency": "BRL"}}
    monkeypatch.setattr(
        checkout_service,
        "_start",
        lambda state, wait: {"status": "SUCCEEDED", "output": json.dumps(output)},
    )
    assert (
        call(
            checkout_api.handler,
            "POST",
            "/checkout",
            body,
            authorizer=ANA,
            headers={"Idempotency-Key": "k2"},
        )[2]
        == output
    )


def test_a_saga_that_outlasts_the_answer_is_409_in_progress_then_the_retry_gets_the_order(
    world, monkeypatch
):
    runs, orders = [], {}

    def slow_start(state, wait):
        runs.append(state)
        return None  # still running when the answer was due

    def orders_step(function_env, action, payload):
        assert (function_env, action) == ("ORDERS_STEPS_FUNCTION", "get")
        if payload["orderId"] not in orders:
            raise Problem("No such order.", status=404, code="ORDER_NOT_FOUND")
        return orders[payload["orderId"]]

    monkeypatch.setattr(checkout_service, "_start", slow_start)
    monkeypatch.setattr(checkout_service, "call_step", orders_step)
    body = {"shippingAddressId": ADDRESS, "payments": [CARD]}
    key = {"Idempotency-Key": "slow-1"}
    status, headers, problem = call(
        checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key
    )
    order_id = runs[0]["orderId"]
    assert (status, problem["code"], problem["orderId"]) == (409, "CHECKOUT_IN_PROGRESS", order_id)
    assert headers["location"] == f"/orders/{order_id}" and headers["retry-after"] == "2"
    # the retry starts nothing: the saga is still going
    retry = call(checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key)
    assert (retry[0], retry[2]["code"]) == (409, "CHECKOUT_IN_PROGRESS") and len(runs) == 1
    # the saga made the order: the retry returns it, and so does every later one
    total = {"amount": 10490, "currency": "BRL"}
    orders[order_id] = {"orderId": order_id, "status": "CONFIRMED", "totals": {"total": total}}
    for _ in range(2):
        status, _, placed = call(
            checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key
        )
        assert (status, placed) == (
            201,
            {"orderId": order_id, "status": "CONFIRMED", "total": total},
        )
    assert len(runs) == 1


def test_a_saga_that_ended_without_an_order_after_the_answer_is_not_placed(world, monkeypatch):
    monkeypatch.setattr(checkout_service, "_start", lambda state, wait: None)
    monkeypatch.setattr(
        checkout_service,
        "call_step",
        lambda *a: (_ for _ in ()).throw(Problem("", status=404, code="ORDER_NOT_FOUND")),
    )
    body, key = {"shippingAddressId": ADDRESS, "payments": [CARD]}, {"Idempotency-Key": "slow-2"}
    assert (
        call(checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key)[0] == 409
    )
    later = clock.epoch_seconds() + checkout_service.SAGA_LIMIT_SECONDS + 1
    monkeypatch.setattr(checkout_service.clock, "epoch_seconds", lambda: later)
    status, _, problem = call(
        checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key
    )
    assert (status, problem["code"]) == (409, "CHECKOUT_NOT_PLACED")


def test_a_retry_after_a_fault_runs_a_new_saga_under_new_ids(world, monkeypatch):
    runs = []

    def failing_then_ok(state, wait):
        runs.append(state)
        if len(runs) == 1:
            return {"status": "FAILED", "error": "RuntimeError", "cause": "{}"}
        total = {"amount": 1, "currency": "BRL"}
        return {
            "status": "SUCCEEDED",
            "output": json.dumps(
                {"orderId": state["orderId"], "status": "CONFIRMED", "total": total}
            ),
        }

    monkeypatch.setattr(checkout_service, "_start", failing_then_ok)
    body, key = {"shippingAddressId": ADDRESS, "payments": [CARD]}, {"Idempotency-Key": "flaky"}
    assert (
        call(checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key)[0] == 503
    )
    status, _, placed = call(
        checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key
    )
    assert status == 201 and placed["orderId"] == runs[1]["orderId"]
    assert runs[0]["checkoutId"] != runs[1]["checkoutId"]


@pytest.mark.parametrize(
    "payment",
    [
        {"method": "card"},
        {"method": "boleto", "card": {"number": "4242424242424242"}},
        {"method": "pix"},
        {"method": "card", "installments": 25, "card": {"number": "4242424242424242"}},
    ],
)
def test_checkout_input_is_validated(world, payment):
    status, _, problem = call(
        checkout_api.handler,
        "POST",
        "/checkout",
        {"shippingAddressId": ADDRESS, "payments": [payment]},
        authorizer=ANA,
        headers={"Idempotency-Key": "k"},
    )
    assert (status, problem["code"]) == (422, "VALIDATION_FAILED")


def test_coupons_are_staff_only_and_validated(world):
    coupon = {
        "code": "BLACKFRIDAY",
        "type": "percentage",
        "value": 1500,
        "maxDiscount": 5000,
        "usageLimit": 100,
        "perCustomerLimit": 1,
    }
    assert call(checkout_api.handler, "POST", "/admin/coupons", coupon, authorizer=ANA)[0] == 403
    status, _, created = call(
        checkout_api.handler, "POST", "/admin/coupons", coupon, authorizer=STAFF
    )
    assert (status, created["used"]) == (201, 0)
    assert (
        call(checkout_api.handler, "POST", "/admin/coupons", coupon, authorizer=STAFF)[2]["code"]
        == "COUPON_EXISTS"
    )
    bad = call(
        checkout_api.handler,
        "POST",
        "/admin/coupons",
        {**coupon, "code": "X2X", "value": 20_000},
        authorizer=STAFF,
    )
    assert bad[0] == 422
    assert (
        call(checkout_api.handler, "GET", "/admin/coupons/BLACKFRIDAY", authorizer=STAFF)[2][
            "maxDiscount"
        ]
        == 5000
    )


def test_inventory_is_for_the_offers_seller_and_staff(world):
    from catalog.domain import offer_id

    offer = offer_id(P1, SELLER)
    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    other = {"principalId": "acct_other", "roles": "seller", "sellerId": "f" * 32}
    status, _, stock = call(
        inventory_api.handler, "GET", f"/inventory/offers/{offer}", authorizer=seller
    )
    assert (status, stock["available"], stock["movements"][0]["kind"]) == (200, 5, "RECEIVE")
    assert (
        call(inventory_api.handler, "GET", f"/inventory/offers/{offer}", authorizer=other)[0] == 404
    )
    status, _, received = call(
        inventory_api.handler,
        "POST",
        f"/inventory/offers/{offer}/receipts",
        {"quantity": 10},
        authorizer=STAFF,
    )
    assert (status, received["warehouses"][0]["onHand"], received["available"]) == (201, 15, 15)
    assert inventory.open_stock(offer, P1, SELLER, {}, 99) is False  # opening twice changes nothing


def test_reservations_never_oversell_and_are_idempotent(world):
    from catalog.domain import offer_id

    line = [{"offerId": offer_id(P1, SELLER), "quantity": 3}]
    first = inventory.reserve("chk_a", line)
    assert [e.detail_type for e in first.events] == ["StockReserved", "LowStock"]  # 5 -> 2 (< 5)
    assert inventory.reserve("chk_a", line).events == []  # a retried step holds nothing more
    with pytest.raises(Exception) as short:
        inventory.reserve("chk_b", line)
    assert short.value.code == "OUT_OF_STOCK"
    inventory.release("chk_a", "TEST")
    assert inventory.release("chk_a", "TEST") == []
    assert inventory.release("chk_never", "TEST") == []
    with pytest.raises(Exception) as late:
        inventory.reserve("chk_never", line)  # after its compensation ran
    assert late.value.code == "RESERVATION_RELEASED"
    assert inventory.reserve("chk_b", line).reservation.status == "RESERVED"


def test_orders_are_visible_to_their_customer_sellers_and_staff(world):
    from cart import service as cart
    from tests.unit.shopping_tests.test_checkout_saga import card as card_payment
    from tests.unit.shopping_tests.test_checkout_saga import checkout as run_checkout

    cart.add(CUSTOMER, P1, SELLER, 1)
    placed = run_checkout([card_payment()])["ok"]
    path = f"/orders/{placed['orderId']}"
    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    for who in (ANA, STAFF, seller):
        assert call(orders_api.handler, "GET", path, authorizer=who)[0] == 200
    assert call(orders_api.handler, "GET", path, authorizer=BIA)[0] == 404
    listed = call(orders_api.handler, "GET", f"/orders?sellerId={SELLER}", authorizer=seller)
    assert [o["orderId"] for o in listed[2]["orders"]] == [placed["orderId"]]
    assert (
        call(orders_api.handler, "POST", f"{path}/deliver", authorizer=seller)[2]["code"]
        == "INVALID_STATUS_CHANGE"
    )
    assert (
        call(orders_api.handler, "POST", f"{path}/ship", authorizer=seller)[2]["status"]
        == "SHIPPED"
    )
    late = call(orders_api.handler, "POST", f"{path}/cancel", authorizer=ANA)
    assert (late[0], late[2]["code"]) == (409, "ORDER_NOT_CANCELLABLE")
    assert (
        call(orders_api.handler, "POST", f"{path}/deliver", authorizer=STAFF)[2]["status"]
        == "DELIVERED"
    )


def test_the_inventory_worker_opens_a_batch_of_new_offers_once(world):
    from inventory import consumers
    from inventory.store import Movement, Stock

    def offer(n: int) -> DomainEvent:
        data = {
            "offerId": f"off_{n:020d}",
            "productId": P1,
            "sellerId": f"{n:032d}",
            "price": {"amount": 1000, "currency": "BRL"},
            "freight": {"amount": 500, "currency": "BRL"},
            "origin": {"city": "campinas", "state": "SP", "zipPrefix": "13023"},
        }
        return DomainEvent.of("OfferCreated", data)

    offers = [offer(n) for n in range(30)]
    assert consumers.handler(sqs_batch(*offers), FakeContext()) == {"batchItemFailures": []}
    consumers.handler(sqs_batch(*offers[:5]), FakeContext())  # redelivered: nothing changes
    stocks = [
        s for s in Stock.scan(Stock.sk.startswith("WH#")) if s.offer_id.startswith("off_0000")
    ]
    assert len(stocks) == 30 and {int(s.available) for s in stocks} == {inventory.SEED_UNITS}
    moves = Movement.scan(Movement.sk.startswith("MOVE#"))
    assert sum(1 for m in moves if m.offer_id.startswith("off_0000")) == 30


def test_a_seller_of_a_two_seller_order_sees_only_their_part(world):
    from ledger import api as ledger_api
    from ledger import service as ledger
    from orders.store import Order, SellerOrder
    from titan import clock

    other = "f" * 32
    order_id = "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D2"
    line = lambda n, seller, price: {  # noqa: E731
        "lineId": f"{order_id}-{n}",
        "productId": P1,
        "sellerId": seller,
        "offerId": f"off_{n}",
        "quantity": 1,
        "unitPrice": price,
        "freight": 500,
    }
    now = clock.iso()
    Order(
        *Order.key(order_id),
        order_id=order_id,
        customer_id=CUSTOMER,
        status="DELIVERED",
        subtotal=3000,
        freight=1000,
        total=4000,
        lines=[line(1, SELLER, 1000), line(2, other, 2000)],
        payments=[
            {
                "paymentId": "pay_1",
                "method": "card",
                "amount": {"amount": 4000, "currency": "BRL"},
                "installments": 1,
                "status": "CAPTURED",
            }
        ],
        contact={"name": "Ana", "email": "ana@example.com", "address": {"street": "Rua A"}},
        history=[{"status": "DELIVERED", "at": now}],
        seller_ids={SELLER, other},
        created_at=now,
        updated_at=now,
    ).save()
    SellerOrder(*SellerOrder.key(SELLER, now, order_id), order_id=order_id).save()
    brl = {"currency": "BRL"}

    def line(n: int, seller: str, price: int) -> dict:
        return {
            "lineId": f"{order_id}-{n}",
            "cartLineId": f"line_{n}",
            "productId": P1,
            "sellerId": seller,
            "offerId": f"off_{n:020d}",
            "quantity": 1,
            "title": "t",
            "unitPrice": {"amount": price, **brl},
            "freight": {"amount": 500, **brl},
        }

    placed = {
        "orderId": order_id,
        "checkoutId": order_id.replace("ord_", "chk_"),
        "customerId": CUSTOMER,
        "customerEmail": "ana@example.com",
        "customerName": "Ana",
        "status": "CONFIRMED",
        "total": {"amount": 4000, **brl},
        "lines": [line(1, SELLER, 1000), line(2, other, 2000)],
        "payments": [],
        "discount": {"amount": 0, **brl},
    }
    ledger.open_escrow(OrderPlaced.model_validate(placed))
    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    status, _, seen = call(orders_api.handler, "GET", f"/orders/{order_id}", authorizer=seller)
    assert status == 200
    assert [x["sellerId"] for x in seen["lines"]] == [SELLER]
    assert seen["totals"]["total"]["amount"] == 1500 and seen["payments"] == []
    assert seen["customerId"] is None and seen["shippingAddress"] is None  # delivered: not needed
    assert "ana@example.com" not in json.dumps(seen) and "2000" not in json.dumps(seen["lines"])
    listed = call(orders_api.handler, "GET", f"/orders?sellerId={SELLER}", authorizer=seller)[2]
    assert {x["sellerId"] for o in listed["orders"] for x in o["lines"]} == {SELLER}
    # the buyer and staff see the whole order
    for who in (ANA, STAFF):
        whole = call(orders_api.handler, "GET", f"/orders/{order_id}", authorizer=who)[2]
        assert len(whole["lines"]) == 2 and whole["payments"]
    escrow = call(ledger_api.handler, "GET", f"/orders/{order_id}/escrow", authorizer=seller)[2]
    assert [s["sellerId"] for s in escrow["sellers"]] == [SELLER]
    assert escrow["held"]["amount"] == 1500
    whole = call(ledger_api.handler, "GET", f"/orders/{order_id}/escrow", authorizer=ANA)[2]
    assert len(whole["sellers"]) == 2


def test_a_seller_sees_the_address_while_they_have_a_parcel_to_ship(world):
    from cart import service as cart
    from tests.unit.shopping_tests.test_checkout_saga import card as card_payment
    from tests.unit.shopping_tests.test_checkout_saga import checkout as run_checkout

    cart.add(CUSTOMER, P1, SELLER, 1)
    placed = run_checkout([card_payment()])["ok"]
    path = f"/orders/{placed['orderId']}"
    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    assert call(orders_api.handler, "GET", path, authorizer=seller)[2]["shippingAddress"]


@pytest.mark.parametrize(
    "payment",
    [
        {"method": "voucher"},
        {"method": "voucher", "amount": 100},
        {"method": "card", "card": {"number": "4242424242424242"}, "voucherCode": "GIFT-1"},
    ],
)
def test_a_voucher_payment_needs_its_code_and_only_it_takes_one(world, payment):
    body = {"shippingAddressId": ADDRESS, "payments": [payment]}
    status, _, problem = call(
        checkout_api.handler,
        "POST",
        "/checkout",
        body,
        authorizer=ANA,
        headers={"Idempotency-Key": "v"},
    )
    assert (status, problem["code"]) == (422, "VALIDATION_FAILED")
