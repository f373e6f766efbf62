"""Returns, refunds and the books in-process: the refund saga run by the ASL interpreter, the
ledger's consumer fed as EventBridge would, and the helpers these tests share."""

from __future__ import annotations

import pytest

from cart import service as cart
from delivery import deliver
from inventory import steps as inventory_steps
from ledger import consumers as ledger_consumers
from ledger import service as ledger
from ledger import steps as ledger_steps
from orders import service as orders
from orders import steps as orders_steps
from orders.store import DELIVERED, SHIPPED
from payments import steps as payments_steps
from returns import consumers as returns_consumers
from returns import service as returns
from returns import settings
from returns import steps as returns_steps
from tests.unit.asl import REFUND_ASL, Failed, TimedOut, run_saga
from tests.unit.checkout_tests.saga import card, checkout
from tests.unit.shop import CUSTOMER, P1, SELLER
from titan.saga import StepRefused

STEPS = {
    "ReturnsSteps": returns_steps,
    "LedgerSteps": ledger_steps,
    "InventorySteps": inventory_steps,
    "PaymentsSteps": payments_steps,
    "OrdersSteps": orders_steps,
}


FORWARD = ["ApproveByRule", "Restock", "HoldRefund", "RefundPayments"]


def call(function_env: str, action: str, payload: dict) -> dict:
    """What ``titan.saga.invoke`` does over Lambda: a refusal becomes its Problem."""
    module = {
        "LEDGER_STEPS_FUNCTION": ledger_steps,
        "ORDERS_STEPS_FUNCTION": orders_steps,
        "PAYMENTS_STEPS_FUNCTION": payments_steps,
    }[function_env]
    try:
        return module.handler.actions[action]({"action": action, **payload})
    except StepRefused as refused:
        raise refused.problem() from None


@pytest.fixture
def shop(world, monkeypatch):
    from payments import provider

    monkeypatch.setattr(provider, "invoke", call)
    monkeypatch.setattr(returns_consumers, "invoke", call)
    # The saga's waits time out for real (States.Timeout), in a second rather than in days.
    short = {"return_decision_timeout_seconds": 1, "return_goods_timeout_seconds": 1}
    monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(update=short))
    world.delivered = 0
    return world


def deliver_events(world) -> None:
    """Hand the events published so far (and not yet handed) to the ledger's consumer."""
    while world.delivered < len(world.events):
        event = world.events[world.delivered]
        world.delivered += 1
        if type(event.payload) in ledger_consumers.HANDLERS:
            deliver(ledger_consumers.handler, event)  # what it publishes joins world.events


def books_balance() -> None:
    trial = ledger.trial_balance()
    assert trial["total"] == 0 and trial["mismatched"] == []


def delivered_order(world, payments=None, lines=((P1, 2),)) -> dict:
    """A paid order, shipped and delivered, its escrow funded; the orders step's view."""
    for product, quantity in lines:
        cart.add(CUSTOMER, product, SELLER, quantity)
    placed = checkout(payments or [card()])["ok"]
    order = orders.get(placed["orderId"])
    orders.move(order, SHIPPED)
    orders.move(order, DELIVERED)
    world.events.append(orders.status_event(order, "OrderDelivered"))
    deliver_events(world)
    return call("ORDERS_STEPS_FUNCTION", "get", {"orderId": placed["orderId"]})


def handlers(fail: str | None = None) -> dict:
    def function(name):
        def run(payload):
            if fail == (name, payload["action"]):
                raise RuntimeError(f"injected fault in {name}.{payload['action']}")
            return STEPS[name].handler.actions[payload["action"]](payload)

        return run

    return {name: function(name) for name in STEPS}


def answering(decision=None, goods=True):
    """A waiter: the seller decides (``decision`` approve/reject, or None: no answer) and
    receives the goods (or never: the wait times out)."""

    def waiter(state, data):
        item = returns.get(data["returnId"])
        if state == "AwaitDecision":
            if decision is None:
                raise TimedOut()
            returns.move(
                item, "APPROVED" if decision else "REJECTED", ("PENDING_DECISION",), by="SELLER"
            )
            return {"approved": decision}
        if not goods:
            raise TimedOut()
        returns.move(item, "RECEIVED", ("APPROVED",), by="SELLER")
        return {"received": True}

    return waiter


def run_return(world, order, lines, refund_to="original", waiter=None, fail=None, trace=None):
    returns.check_window(order)
    item = returns.record(order, lines, refund_to)
    ledger.dispute(order["orderId"], item.return_id)
    try:
        out = run_saga(
            handlers(fail), returns.saga_input(item), trace, REFUND_ASL, waiter or answering(True)
        )
    except Failed as failed:
        out = {"failed": failed.error}
    deliver_events(world)
    return returns.get(item.return_id), out


def escrow_balance(order_id):
    return ledger.balance(f"escrow:{order_id}")


# ------------------------------------------------------------------ domain


def answered_as_it_timed_out(status: str):
    """A waiter: the person's answer (``status``: REJECTED at the decision, RECEIVED at the
    goods) moves the return, then the wait times out before the token reaches the saga."""

    def waiter(state, data):
        item = returns.get(data["returnId"])
        if status == "RECEIVED" and state == "AwaitDecision":
            returns.move(item, "APPROVED", ("PENDING_DECISION",), by="SELLER")
            return {"approved": True}
        returns.move(item, status, ("PENDING_DECISION", "APPROVED"), by="SELLER")
        raise TimedOut()

    return waiter


def raced(shop, order, status):
    """One unit of the order's first line returned, answered ``status`` as the wait timed
    out: (line, return, saga output, trace)."""
    line = order["lines"][0]
    trace: list = []
    item, out = run_return(
        shop,
        order,
        [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}],
        waiter=answered_as_it_timed_out(status),
        trace=trace,
    )
    return line, item, out, trace


def payout_status(payout_id):
    from ledger.store import Payout

    return Payout.get(*Payout.key(payout_id), consistent_read=True).status
