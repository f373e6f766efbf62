"""The checkout saga run in-process: each context's step functions behind the ASL of
statemachines/checkout.asl.json, and the helpers its tests share."""

from __future__ import annotations

import contextlib

from cart import steps as cart_steps
from catalog import steps as catalog_steps
from catalog.domain import offer_id
from checkout import steps as checkout_steps
from checkout.store import CouponItem
from flashsales import steps as flashsales_steps
from identity import steps as identity_steps
from inventory import steps as inventory_steps
from inventory.store import Reservation, Stock
from orders import steps as orders_steps
from orders.store import Order
from payments import steps as payments_steps
from payments.store import Payment
from shipping import steps as shipping_steps
from tests.unit.asl import ASL, Failed, run_saga
from tests.unit.shop import (
    ADDRESS,
    CARD_OK,
    CUSTOMER,
    P1,
    SELLER,
)
from titan import clock
from titan.ids import new_id
from titan.saga import refusal_from_cause

MODULES = {
    "CartSteps": cart_steps,
    "IdentitySteps": identity_steps,
    "CatalogSteps": catalog_steps,
    "ShippingSteps": shipping_steps,
    "CheckoutSteps": checkout_steps,
    "InventorySteps": inventory_steps,
    "PaymentsSteps": payments_steps,
    "OrdersSteps": orders_steps,
    "FlashSaleSteps": flashsales_steps,
}


FORWARD = [
    name for name, state in ASL["States"].items() if state["Type"] == "Task" and "Catch" in state
]


def handlers(fail: tuple[str, str] | None = None) -> dict:
    """Each step function's actions; ``fail`` = (function, action) raises a fault there."""

    def function(name):
        def call(payload):
            if fail == (name, payload["action"]):
                raise RuntimeError(f"injected fault in {name}.{payload['action']}")
            return MODULES[name].handler.actions[payload["action"]](payload)

        return call

    return {name: function(name) for name in MODULES}


def checkout(payments, coupon=None, fail=None, trace=None, reservation=None, shipping=None) -> dict:
    checkout_id = new_id("chk")
    state = {
        "checkoutId": checkout_id,
        "orderId": "ord_" + checkout_id[4:],
        "customerId": CUSTOMER,
        "addressId": ADDRESS,
        "couponCode": coupon,
        "flashReservationId": reservation,
        "shippingChoices": shipping or [],
        "payments": payments,
        "holdSeconds": 900,
        "correlationId": "corr-test",
    }
    try:
        return {"ok": run_saga(handlers(fail), state, trace), "state": state}
    except Failed as failed:
        return {
            "error": failed.error,
            "problem": refusal_from_cause(failed.error, failed.cause),
            "state": state,
        }


def card(number=CARD_OK, **extra):
    return {"method": "card", "card": {"number": number}, **extra}


def stock(product=P1) -> Stock:
    return Stock.get(*Stock.key(offer_id(product, SELLER), f"wh_{SELLER}"), consistent_read=True)


def coupon(code="SAVE10", **fields):
    CouponItem(
        *CouponItem.key(code),
        code=code,
        type=fields.pop("type", "percentage"),
        value=fields.pop("value", 1000),
        currency="BRL",
        created_by="staff",
        created_at=clock.iso(),
        **fields,
    ).save()


def nothing_left(state: dict) -> None:
    """No stock held or sold, no payment authorized or captured, no coupon use, no live order."""
    assert (stock().on_hand, stock().reserved, stock().available) == (5, 0, 5)
    for payment in Payment.scan():
        assert payment.status in ("VOIDED", "REFUNDED", "DECLINED", "EXPIRED"), payment.status
    for item in CouponItem.scan(CouponItem.sk == "COUPON"):
        assert item.used == 0
    try:
        order = Order.get(*Order.key(state["orderId"]))
        assert order.status == "CANCELLED"
    except Order.DoesNotExist:
        pass
    with contextlib.suppress(Reservation.DoesNotExist):
        reservation = Reservation.get(*Reservation.key(state["checkoutId"]))
        assert reservation.status in ("RELEASED", "RESTOCKED")
