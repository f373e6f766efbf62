"""The checkout saga end to end in-process: orders placed, refusals undone, compensations."""

from __future__ import annotations

import json

import pytest

from cart import service as cart
from catalog.domain import offer_id
from delivery import deliver
from inventory import consumers as inventory_consumers
from inventory.store import Stock
from orders import service as orders
from orders.store import Order
from payments.store import Payment
from tests.unit.asl import ASL
from tests.unit.checkout_tests.saga import FORWARD, card, checkout, coupon, nothing_left, stock
from tests.unit.shop import (
    ADDRESS,
    CARD_DECLINED,
    CARD_NO_FUNDS,
    CUSTOMER,
    P1,
    P2,
    SELLER,
    issue_voucher,
)
from titan import clock
from titan.events import DomainEvent


def test_a_card_checkout_places_a_confirmed_order(world):
    cart.add(CUSTOMER, P1, SELLER, 2)
    cart.add(CUSTOMER, P2, SELLER, 1)
    trace = []
    result = checkout([card(installments=3)], trace=trace)
    placed = result["ok"]
    assert placed["status"] == "CONFIRMED"
    # 2 x 34.99 + 120.00 + freight 2 x 16.05 + 20.00
    assert placed["total"] == {"amount": 2 * 3499 + 12000 + 2 * 1605 + 2000, "currency": "BRL"}
    order = Order.get(*Order.key(placed["orderId"]))
    assert [h["status"] for h in order.history] == ["PENDING_PAYMENT", "CONFIRMED"]
    assert [p["status"] for p in order.payments] == ["CAPTURED"]
    assert order.payments[0]["installments"] == 3 and order.payments[0]["last4"] == "4242"
    assert (stock().on_hand, stock().reserved, stock().available) == (3, 0, 3)
    assert "CancelOrder" not in trace
    assert world.kinds().count("OrderPlaced") == 1
    assert {"StockReserved", "PaymentAuthorized", "PaymentCaptured", "StockCommitted"} <= set(
        world.kinds()
    )
    placed_event = world.of("OrderPlaced")[0]
    assert placed_event.data["customerEmail"] == "ana@example.com"
    # The cart consumer takes the ordered lines out of the cart, once.
    from cart import consumers as cart_consumers

    assert cart.view(CUSTOMER)["itemCount"] == 3
    assert cart_consumers.remove_ordered(placed_event.payload, clock.iso()) == 2
    assert cart_consumers.remove_ordered(placed_event.payload, clock.iso()) == 0
    assert cart.view(CUSTOMER)["lines"] == []


def test_the_chosen_shipping_option_is_charged_and_kept_with_the_order(world):
    cart.add(CUSTOMER, P1, SELLER, 2)
    result = checkout([card()], shipping=[{"sellerId": SELLER, "service": "POST_EXPRESS"}])
    placed = result["ok"]
    order = Order.get(*Order.key(placed["orderId"]))
    (package,) = order.packages
    assert (package["service"], package["sellerId"]) == ("POST_EXPRESS", SELLER)
    assert package["lineIds"] == [line["lineId"] for line in order.lines]
    assert package["promisedBy"] > clock.now().date().isoformat()
    # the express freight (with insurance), not the offer's 2 x 16.05, is what was paid
    assert order.freight == package["freight"] != 2 * 1605
    assert placed["total"]["amount"] == 2 * 3499 + package["freight"]
    assert order.lines[0]["freight"] == package["freight"]
    assert package["packageId"].startswith("pkg_")


def test_an_option_the_package_lacks_is_refused_and_nothing_is_held(world):
    cart.add(CUSTOMER, P1, SELLER, 1)
    cart.add(CUSTOMER, P2, SELLER, 1)  # P2 has no dimensions: the seller's rate only
    result = checkout([card()], shipping=[{"sellerId": SELLER, "service": "POST_STANDARD"}])
    assert (result["problem"].status, result["problem"].code) == (
        422,
        "SHIPPING_OPTION_UNAVAILABLE",
    )
    nothing_left(result["state"])


@pytest.mark.parametrize(
    "number,decline", [(CARD_DECLINED, "card_declined"), (CARD_NO_FUNDS, "insufficient_funds")]
)
def test_a_declined_card_undoes_everything(world, number, decline):
    coupon()
    cart.add(CUSTOMER, P1, SELLER, 1)
    result = checkout([issue_voucher(1000), card(number)], coupon="SAVE10")
    assert result["problem"].status == 402
    assert result["problem"].code == "PAYMENT_DECLINED"
    assert result["problem"].extra["declineCode"] == decline
    nothing_left(result["state"])


def test_out_of_stock_is_a_409_and_holds_nothing(world):
    cart.add(CUSTOMER, P1, SELLER, 6)  # 5 in stock
    result = checkout([card()])
    assert (result["problem"].status, result["problem"].code) == (409, "OUT_OF_STOCK")
    assert result["problem"].extra["offerIds"] == [offer_id(P1, SELLER)]
    nothing_left(result["state"])


def test_an_empty_cart_and_a_foreign_address_are_refused(world):
    assert checkout([card()])["problem"].code == "EMPTY_CART"
    cart.add(CUSTOMER, P1, SELLER, 1)
    state_address = checkout([card()])
    assert state_address.get("ok")  # the customer's own address works
    cart.add(CUSTOMER, P1, SELLER, 1)
    from identity.store import Address

    Address(*Address.key(CUSTOMER, ADDRESS)).delete()
    assert checkout([card()])["problem"].code == "ADDRESS_NOT_FOUND"


def test_payment_amounts_must_cover_the_total(world):
    cart.add(CUSTOMER, P1, SELLER, 1)  # 34.99 + 16.05
    result = checkout([issue_voucher(1000), {"method": "boleto", "amount": 1000}])
    assert result["problem"].code == "PAYMENT_AMOUNTS_MISMATCH"
    assert result["problem"].extra == {"total": 5104, "paid": 2000}
    nothing_left(result["state"])


@pytest.mark.parametrize("state", [name for name in FORWARD if name != "ClaimReservation"])
def test_a_fault_in_any_step_is_compensated(world, state):
    coupon()
    cart.add(CUSTOMER, P1, SELLER, 2)
    task = ASL["States"][state]
    function = task["Resource"][2:-1]
    trace = []
    result = checkout(
        [card()], coupon="SAVE10", fail=(function, task["Parameters"]["action"]), trace=trace
    )
    assert result["error"] == "RuntimeError"
    assert result["problem"] is None
    nothing_left(result["state"])
    assert trace[-1] == "Failed"


def test_a_boleto_order_waits_then_is_confirmed_by_the_webhook(world):
    from payments import service as payments

    cart.add(CUSTOMER, P1, SELLER, 1)
    placed = checkout([{"method": "boleto"}])["ok"]
    assert placed["status"] == "PENDING_PAYMENT"
    assert stock().reserved == 1
    (boleto,) = Payment.scan()
    assert boleto.status == "PENDING" and boleto.due_at
    events = payments.settle_boleto(boleto.payment_id, int(boleto.amount))
    assert [(e.detail_type, e.data["orderPaid"]) for e in events] == [("PaymentCaptured", True)]
    assert payments.settle_boleto(boleto.payment_id, int(boleto.amount)) == []  # a repeated webhook
    order = Order.get(*Order.key(placed["orderId"]))
    confirmed = orders.confirm_paid(order)
    assert [e.detail_type for e in confirmed] == ["OrderConfirmed"]
    deliver(inventory_consumers.handler, confirmed[0])
    assert (stock().on_hand, stock().reserved) == (4, 0)


def test_an_unpaid_boleto_expires_and_the_order_is_cancelled(world):
    from datetime import timedelta

    from payments import service as payments

    coupon(code="FRETE", type="free_shipping", value=0)
    cart.add(CUSTOMER, P1, SELLER, 1)
    placed = checkout([{"method": "boleto"}], coupon="FRETE")["ok"]
    assert placed["total"]["amount"] == 3499  # free shipping
    clock.freeze(clock.now() + timedelta(days=4))
    try:
        expired = payments.expire_due()
    finally:
        clock.unfreeze()
    assert [e.detail_type for e in expired] == ["PaymentExpired"]
    order = Order.get(*Order.key(placed["orderId"]))
    cancelled = orders.cancel(order, "PAYMENT_EXPIRED")
    data = cancelled[0].data
    deliver(inventory_consumers.handler, cancelled[0])
    from checkout import coupons

    assert coupons.release(data["checkoutId"]) is True
    nothing_left({"orderId": placed["orderId"], "checkoutId": data["checkoutId"]})


def test_cancelling_a_paid_order_refunds_and_restocks(world):
    from payments import service as payments

    cart.add(CUSTOMER, P2, SELLER, 2)
    placed = checkout([card()])["ok"]
    order = Order.get(*Order.key(placed["orderId"]))
    (event,) = orders.cancel(order, "CUSTOMER_REQUEST")
    assert orders.cancel(order, "CUSTOMER_REQUEST") == []  # twice: once
    refunds = payments.reverse(event.data["checkoutId"])
    assert [e.detail_type for e in refunds] == ["PaymentRefunded"]
    assert payments.reverse(event.data["checkoutId"]) == []
    first, again = deliver(inventory_consumers.handler, event, event)
    assert first == again == {"published": 1}  # StockRestocked, once: the redelivery is a no-op
    deliver(inventory_consumers.handler, DomainEvent(event.payload))  # another event, same facts
    assert (stock(P2).on_hand, stock(P2).reserved, stock(P2).available) == (5, 0, 5)


def test_cause_of_a_refusal_survives_step_functions(world):
    cart.add(CUSTOMER, P1, SELLER, 1)
    result = checkout([card("4000000000000002")])
    body = result["problem"].body()
    assert body["type"].endswith("/payment-declined")
    assert json.dumps(body)


def test_a_voucher_pays_in_part_and_keeps_the_rest(world):
    from ledger import service as ledger

    cart.add(CUSTOMER, P1, SELLER, 1)  # 34.99 + 16.05
    voucher = issue_voucher(10_000, "GIFT-100")
    result = checkout([{**voucher, "amount": 5104}])
    assert result.get("ok"), result
    assert ledger.balance("voucher:GIFT-100") == 10_000 - 5104
    cart.add(CUSTOMER, P1, SELLER, 1)
    again = checkout([{"method": "voucher", "voucherCode": "GIFT-100"}])  # 48.96 left: too little
    assert again["problem"].code == "PAYMENT_DECLINED"
    assert again["problem"].extra["declineCode"] == "insufficient_funds"
    assert ledger.balance("voucher:GIFT-100") == 10_000 - 5104  # nothing taken


@pytest.mark.parametrize(
    "code,days,decline",
    [("NO-SUCH-GIFT", 30, "voucher_not_found"), ("GIFT-OLD", -1, "voucher_expired")],
)
def test_an_unknown_or_expired_voucher_is_declined(world, code, days, decline):
    cart.add(CUSTOMER, P1, SELLER, 1)
    if code != "NO-SUCH-GIFT":
        issue_voucher(10_000, code, days=days)
    result = checkout([{"method": "voucher", "amount": 5104, "voucherCode": code}])
    assert result["problem"].code == "PAYMENT_DECLINED"
    assert result["problem"].extra["declineCode"] == decline
    nothing_left(result["state"])


def test_a_shop_on_vacation_is_refused_and_holds_nothing(world):
    from catalog import steps as catalog_steps

    cart.add(CUSTOMER, P1, SELLER, 1)
    catalog_steps.set_vacation({"sellerId": SELLER, "onVacation": True})
    result = checkout([card()])
    assert (result["problem"].status, result["problem"].code) == (409, "SHOP_ON_VACATION")
    nothing_left(result["state"])
    catalog_steps.set_vacation({"sellerId": SELLER, "onVacation": False})
    assert checkout([card()]).get("ok")


def test_a_variant_is_bought_by_its_sku_with_its_own_price_and_stock(world):
    from tests.unit.shop import published_shoes

    made, offers = published_shoes()
    size_40 = offers[1]
    cart.add(CUSTOMER, made.product_id, SELLER, 2, size_40.sku_id)
    result = checkout([card()])
    assert result.get("ok"), result
    order = Order.get(*Order.key(result["state"]["orderId"]))
    (line,) = order.lines
    assert (line["offerId"], line["unitPrice"], line["title"]) == (
        size_40.offer_id, 20990, "Tênis corrida (Size 40)",
    )  # fmt: skip
    for offer, left in ((size_40, 2), (offers[0], 1)):  # 2 of 4 sold; the other size untouched
        held = Stock.get(*Stock.key(offer.offer_id, f"wh_{SELLER}"), consistent_read=True)
        assert (held.on_hand, held.reserved, held.available) == (left, 0, left)
