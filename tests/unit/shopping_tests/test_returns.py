"""Returns, refunds, wallet, escrow and payouts, in-process on moto: the refund saga run by
the ASL interpreter, events handed to the ledger's consumer as EventBridge would. After
every path the books balance: all accounts sum to zero and every balance is the sum of its
entries."""

from __future__ import annotations

from datetime import timedelta

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
from payments.store import Payment
from returns import consumers as returns_consumers
from returns import service as returns
from returns import steps as returns_steps
from titan import clock
from titan.errors import Problem
from titan.saga import StepRefused

from .conftest import CUSTOMER, P1, P2, SELLER, issue_voucher
from .test_checkout_saga import card, checkout, stock
from .world import REFUND_ASL, Failed, TimedOut, run_saga

STEPS = {
    "ReturnsSteps": returns_steps,
    "LedgerSteps": ledger_steps,
    "InventorySteps": inventory_steps,
    "PaymentsSteps": payments_steps,
    "OrdersSteps": orders_steps,
}
FORWARD = ["ApproveByRule", "Restock", "HoldRefund", "RefundPayments"]


def call(function_env: str, action: str, payload: dict) -> dict:
    """What ``titan.saga.call_step`` does over Lambda: a refusal becomes its Problem."""
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

    monkeypatch.setattr(provider, "call_step", call)
    monkeypatch.setattr(returns_consumers, "call_step", call)
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


def test_partial_returns_add_up_to_the_order_total_exactly():
    from returns.domain import Line, refund_for, worth

    lines = [Line("l1", "s1", "o1", 3, 3333, 1001), Line("l2", "s2", "o2", 1, 12000, 2000)]
    discount, total = 1777, 3 * 3333 + 12000 + 1001 + 2000 - 1777
    assert worth(lines, discount, {"l1": 3, "l2": 1}).amount == total
    before, refunded = {}, 0
    for step in ({"l1": 1}, {"l1": 1}, {"l2": 1}, {"l1": 1}):
        part = refund_for(lines, discount, before, step)
        assert (
            part.amount
            == sum(p["items"] + p["freight"] for p in part.by_seller.values()) - part.discount
        )
        assert part.amount > 0
        refunded += part.amount
        before = {k: before.get(k, 0) + step.get(k, 0) for k in set(before) | set(step)}
    assert refunded == total


def test_release_entries_balance_and_take_the_commission():
    from ledger.domain import SellerShare, Unbalanced, release_entries

    shares = {"s1": SellerShare(10000, 1500), "s2": SellerShare(5000, 500, 5000, 500)}
    entries = dict(release_entries("escrow:o", 11500 - 300, shares, 300, 1200))
    assert entries == {
        "escrow:o": -11200,
        "seller:s1": 11500 - 1200,
        "platform:commission": 1200,
        "platform:promotions": -300,
    }
    with pytest.raises(Unbalanced):
        release_entries("escrow:o", 9000, shares, 300, 1200)  # a capture not posted yet


def test_a_transaction_posts_once_and_never_overdraws(shop):
    from ledger.domain import Unbalanced

    first = ledger.post("t1", "TEST", [("provider:sandbox", -500), ("wallet:a", 500)], "BRL")
    again = ledger.post("t1", "TEST", [("provider:sandbox", -500), ("wallet:a", 500)], "BRL")
    assert first.new and not again.new and ledger.balance("wallet:a") == 500
    with pytest.raises(ledger.InsufficientFunds) as short:
        ledger.post("t2", "TEST", [("wallet:a", -501), ("wallet:b", 501)], "BRL")
    assert short.value.account == "wallet:a"
    with pytest.raises(Unbalanced):
        ledger.post("t3", "TEST", [("wallet:a", -1), ("wallet:b", 2)], "BRL")
    assert (ledger.balance("wallet:a"), ledger.balance("wallet:b")) == (500, 0)
    books_balance()


# ------------------------------------------------------------------ returns


def test_a_return_to_the_card_restocks_refunds_and_keeps_the_books(shop):
    order = delivered_order(shop, lines=((P2, 1), (P1, 2)))
    total = order["totals"]["total"]["amount"]
    assert escrow_balance(order["orderId"]) == total
    line = next(x for x in order["lines"] if x["productId"] == P2)
    trace = []
    item, _ = run_return(
        shop,
        order,
        [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}],
        waiter=answering(True),
        trace=trace,
    )
    assert item.status == "REFUNDED" and int(item.amount) == 12000 + 2000
    assert "AwaitDecision" in trace  # over the auto-approval limit: the seller decided
    (payment,) = Payment.of_checkout(order["checkoutId"])
    assert (payment.status, int(payment.refunded)) == ("PARTIALLY_REFUNDED", 14000)
    assert escrow_balance(order["orderId"]) == total - 14000
    assert ledger.balance(f"refunding:{item.return_id}") == 0
    assert stock(P2).on_hand == 5  # 5 - 1 sold + 1 back
    assert "RefundCompleted" in shop.kinds() and "StockRestocked" in shop.kinds()
    (refund,) = orders.get(order["orderId"]).refunds
    assert refund["amount"] == 14000
    books_balance()


def test_a_small_return_is_approved_by_rule_and_refunded_to_the_wallet(shop):
    order = delivered_order(shop)
    line = order["lines"][0]
    trace = []
    item, _ = run_return(
        shop,
        order,
        [{"lineId": line["lineId"], "quantity": 1, "reason": "CHANGED_MIND"}],
        refund_to="wallet",
        trace=trace,
    )
    assert "ApproveByRule" in trace and "AwaitDecision" not in trace
    assert item.status == "REFUNDED" and item.auto_approved == "RULE"
    assert ledger.balance(f"wallet:{CUSTOMER}") == int(item.amount) == 3499 + 1605
    (payment,) = Payment.of_checkout(order["checkoutId"])
    # recorded as given back (to the wallet), so no later refund can give it back again
    assert int(payment.refunded) == int(item.amount)
    books_balance()


def test_a_return_never_refunds_more_than_was_bought(shop):
    order = delivered_order(shop)
    line = order["lines"][0]
    run_return(shop, order, [{"lineId": line["lineId"], "quantity": 2, "reason": "DAMAGED"}])
    with pytest.raises(Problem) as again:
        returns.record(
            order, [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}], "original"
        )
    assert again.value.code == "RETURN_QUANTITY_EXCEEDED"
    assert escrow_balance(order["orderId"]) == 0
    (payment,) = Payment.of_checkout(order["checkoutId"])
    assert payment.status == "REFUNDED" and int(payment.refunded) == int(payment.captured)
    books_balance()


def test_refunds_racing_cannot_exceed_what_was_captured(shop):
    from payments import service as payments

    order = delivered_order(shop)
    captured = order["totals"]["total"]["amount"]
    stale = Payment.of_checkout(order["checkoutId"])
    payments.refund("ret_A", order["checkoutId"], captured - 100)
    # The second refund read the payment before the first wrote: its write is refused by the
    # condition, it reads again, and only 100 is left.
    real = Payment.of_checkout
    reads = iter([stale])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            Payment, "of_checkout", classmethod(lambda cls, c: next(reads, None) or real(c))
        )
        with pytest.raises(StepRefused) as refused:
            payments.refund("ret_B", order["checkoutId"], 200)
    assert refused.value.code == "REFUND_EXCEEDS_CAPTURED"
    (payment,) = Payment.of_checkout(order["checkoutId"])
    assert int(payment.refunded) == captured - 100
    # The escrow guards the same money: a hold larger than it is refused, nothing written.
    with pytest.raises(ledger.InsufficientFunds):
        ledger.hold_refund(
            "ret_C",
            order["orderId"],
            captured + 1,
            "BRL",
            "wallet",
            CUSTOMER,
            {SELLER: {"items": captured + 1, "freight": 0}},
            0,
        )
    books_balance()


def test_a_retried_refund_step_refunds_once(shop):
    order = delivered_order(shop)
    line = order["lines"][0]
    item = returns.record(
        order, [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}], "original"
    )
    state = returns.saga_input(item)
    for _ in range(2):
        ledger_steps.handler.actions["holdRefund"]({"action": "holdRefund", **state})
        split = payments_steps.handler.actions["refund"]({"action": "refund", **state})
        ledger_steps.handler.actions["settleRefund"]({"action": "settleRefund", **state, **split})
    (payment,) = Payment.of_checkout(order["checkoutId"])
    assert int(payment.refunded) == int(item.amount)
    assert escrow_balance(order["orderId"]) == order["totals"]["total"]["amount"] - int(item.amount)
    assert ledger.balance("provider:sandbox") == -(
        order["totals"]["total"]["amount"] - int(item.amount)
    )
    books_balance()


def test_a_return_after_the_window_or_the_receipt_is_refused(shop):
    order = delivered_order(shop)
    clock.freeze(clock.now() + timedelta(days=returns.WINDOW_DAYS, minutes=1))
    try:
        with pytest.raises(Problem) as late:
            returns.check_window(order)
    finally:
        clock.unfreeze()
    assert late.value.code == "RETURN_WINDOW_CLOSED"
    publishing = orders.confirm_receipt(orders.get(order["orderId"]))
    assert [e.detail_type for e in publishing] == ["OrderReceiptConfirmed"]
    order = call("ORDERS_STEPS_FUNCTION", "get", {"orderId": order["orderId"]})
    with pytest.raises(Problem) as confirmed:
        returns.check_window(order)
    assert confirmed.value.code == "RETURN_WINDOW_CLOSED"


def test_goods_that_never_come_expire_the_return(shop):
    order = delivered_order(shop)
    line = order["lines"][0]
    item, _ = run_return(
        shop,
        order,
        [{"lineId": line["lineId"], "quantity": 2, "reason": "DAMAGED"}],
        waiter=answering(True, goods=False),
    )
    assert item.status == "EXPIRED" and "ReturnExpired" in shop.kinds()
    assert escrow_balance(order["orderId"]) == order["totals"]["total"]["amount"]
    assert not ledger.get_escrow(order["orderId"]).disputes
    assert returns.returned_so_far(order["orderId"]) == {line["lineId"]: 0}  # may return again
    books_balance()


def test_an_end_gives_the_units_back_in_the_same_write_and_only_once(shop):
    order = delivered_order(shop)
    line = order["lines"][0]
    asked = [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}]
    item = returns.record(order, asked, "original")
    assert returns.returned_so_far(order["orderId"]) == {line["lineId"]: 1}
    # The seller's rejection (the API's move): nobody sees REJECTED with the unit still held.
    assert returns.move(item, "REJECTED", returns.OPEN, by="seller")
    assert item.status == "REJECTED" and item.units_back
    assert returns.returned_so_far(order["orderId"]) == {line["lineId"]: 0}
    # The saga's end step after it, retried: it publishes the end; nothing comes back twice.
    for _ in range(2):
        status, events = returns.close(item.return_id, "REJECTED")
        assert (status, [e.detail_type for e in events]) == ("REJECTED", ["ReturnRejected"])
    again = returns.record(order, asked, "original")
    assert returns.returned_so_far(order["orderId"]) == {line["lineId"]: 1}
    # A late timeout of the first return changes nothing: it ended already.
    status, events = returns.close(item.return_id, "EXPIRED")
    assert (status, [e.detail_type for e in events]) == ("REJECTED", ["ReturnRejected"])
    assert returns.returned_so_far(order["orderId"]) == {line["lineId"]: 1}
    assert returns.move(again, "APPROVED", returns.OPEN)
    status, events = returns.close(again.return_id, "EXPIRED")
    assert (status, [e.detail_type for e in events]) == ("EXPIRED", ["ReturnExpired"])
    assert returns.returned_so_far(order["orderId"]) == {line["lineId"]: 0}


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


def test_a_rejection_sent_as_the_decision_timed_out_stands(shop):
    order = delivered_order(shop, lines=((P2, 1),))  # over the rule's limit: it waits
    line, item, out, trace = raced(shop, order, "REJECTED")
    assert "failed" not in out and trace[-4:] == [
        "ApprovedOnTimeout",
        "CloseRejected",
        "SettleRejected",
        "Rejected",
    ]
    assert item.status == "REJECTED" and not item.auto_approved
    assert "ReturnRejected" in shop.kinds() and "ReturnApproved" not in shop.kinds()
    assert escrow_balance(order["orderId"]) == order["totals"]["total"]["amount"]
    assert not ledger.get_escrow(order["orderId"]).disputes
    assert returns.returned_so_far(order["orderId"]) == {line["lineId"]: 0}
    books_balance()


def test_an_answer_whose_wait_timed_out_meanwhile_stands(shop, monkeypatch):
    import boto3
    from botocore.stub import Stubber

    order = delivered_order(shop, lines=((P2, 1),))
    line = order["lines"][0]
    asked = [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}]
    item = returns.record(order, asked, "original")
    returns.wait(item.return_id, "token-1", "decision")
    sfn = boto3.client("stepfunctions")
    monkeypatch.setattr(returns, "client", lambda service: sfn)
    with Stubber(sfn) as stub:
        stub.add_client_error("send_task_success", service_error_code="TaskTimedOut")
        item = returns.get(item.return_id)
        returns.answer(item, "REJECTED", ("PENDING_DECISION",), "SELLER", {"approved": False})
        stub.assert_no_pending_responses()
    # The saga's timeout step then finds the rejection and finishes it (test above).
    assert returns.get(item.return_id).status == "REJECTED"
    assert returns.returned_so_far(order["orderId"]) == {line["lineId"]: 0}
    with pytest.raises(Problem) as again:  # answered: nothing is waiting any more
        returns.answer(item, "APPROVED", ("PENDING_DECISION",), "SELLER", {"approved": True})
    assert again.value.code == "RETURN_NOT_PENDING"


def test_goods_received_as_their_wait_timed_out_are_refunded_not_expired(shop):
    order = delivered_order(shop)
    line, item, out, trace = raced(shop, order, "RECEIVED")
    assert "failed" not in out and item.status == "REFUNDED", (out, trace)
    assert trace[trace.index("CloseExpired") :][:3] == [
        "CloseExpired",
        "ExpiredOrReceived",
        "Restock",
    ]
    assert "ReturnExpired" not in shop.kinds()
    (payment,) = Payment.of_checkout(order["checkoutId"])
    assert int(payment.refunded) == int(item.amount) > 0
    assert returns.returned_so_far(order["orderId"]) == {line["lineId"]: 1}
    books_balance()


def test_no_decision_in_time_approves_and_a_rejection_refunds_nothing(shop):
    order = delivered_order(shop, lines=((P2, 1),))
    line = order["lines"][0]
    item, _ = run_return(
        shop,
        order,
        [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}],
        waiter=answering(None),
    )
    assert item.status == "REFUNDED" and item.auto_approved == "TIMEOUT"
    order = delivered_order(shop, lines=((P2, 1),))
    line = order["lines"][0]
    item, _ = run_return(
        shop,
        order,
        [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}],
        waiter=answering(False),
    )
    assert item.status == "REJECTED" and "ReturnRejected" in shop.kinds()
    assert escrow_balance(order["orderId"]) == order["totals"]["total"]["amount"]
    books_balance()


@pytest.mark.parametrize(
    "fail",
    [
        ("ReturnsSteps", "approve"),
        ("InventorySteps", "restock"),
        ("LedgerSteps", "holdRefund"),
        ("PaymentsSteps", "refund"),
    ],
)
def test_a_fault_before_the_provider_refund_leaves_no_money_moved(shop, fail):
    order = delivered_order(shop)
    line = order["lines"][0]
    item, out = run_return(
        shop, order, [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}], fail=fail
    )
    assert out == {"failed": "RuntimeError"} and item.status == "FAILED"
    assert escrow_balance(order["orderId"]) == order["totals"]["total"]["amount"]
    (payment,) = Payment.of_checkout(order["checkoutId"])
    assert int(payment.refunded) == 0
    assert not ledger.get_escrow(order["orderId"]).disputes
    assert returns.returned_so_far(order["orderId"]) == {line["lineId"]: 0}
    books_balance()


def test_cancelling_a_paid_order_refunds_it_through_the_saga(shop, monkeypatch):
    cart.add(CUSTOMER, P2, SELLER, 1)
    placed = checkout([card()])["ok"]
    deliver_events(shop)
    (cancelled,) = orders.cancel(orders.get(placed["orderId"]), "CUSTOMER_REQUEST")
    assert cancelled.data["previousStatus"] == "CONFIRMED"
    started = []
    monkeypatch.setattr(returns, "start", started.append)
    return_id = returns_consumers.refund_cancelled(cancelled.payload)
    assert returns_consumers.refund_cancelled(cancelled.payload) == return_id  # a repeat
    assert started[0].return_id == started[1].return_id == return_id  # the same execution name
    item = started[0]
    out = run_saga(handlers(), returns.saga_input(item), None, REFUND_ASL, None)
    deliver_events(shop)
    assert out["returnId"] == return_id and returns.get(return_id).status == "REFUNDED"
    (payment,) = Payment.of_checkout(placed["orderId"].replace("ord_", "chk_"))
    assert payment.status == "REFUNDED"
    assert escrow_balance(placed["orderId"]) == 0
    books_balance()


# ------------------------------------------------------------------ wallet, escrow, payouts


def test_wallet_top_up_pays_a_checkout_and_a_failed_one_gives_it_back(shop):
    charge = call(
        "PAYMENTS_STEPS_FUNCTION",
        "charge",
        {
            "chargeId": "top_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
            "customerId": CUSTOMER,
            "amount": 20000,
            "currency": "BRL",
            "card": {"number": "4242424242424242"},
        },
    )
    ledger.top_up(CUSTOMER, charge["paymentId"], 20000, "BRL")
    deliver_events(shop)  # the top-up's PaymentCaptured is not an order's
    assert ledger.balance(f"wallet:{CUSTOMER}") == 20000
    cart.add(CUSTOMER, P1, SELLER, 1)
    placed = checkout([{"method": "wallet"}])["ok"]
    deliver_events(shop)
    assert ledger.balance(f"wallet:{CUSTOMER}") == 20000 - placed["total"]["amount"]
    assert escrow_balance(placed["orderId"]) == placed["total"]["amount"]
    cart.add(CUSTOMER, P2, SELLER, 1)
    declined = checkout([{"method": "wallet"}])
    assert declined["problem"].code == "PAYMENT_DECLINED"
    cart.add(CUSTOMER, P1, SELLER, 1)
    failed = checkout([{"method": "wallet"}], fail=("OrdersSteps", "place"))
    assert "error" in failed
    deliver_events(shop)  # PaymentRefunded of the compensation: the escrow gives it back
    assert ledger.balance(f"wallet:{CUSTOMER}") == 20000 - placed["total"]["amount"]
    books_balance()


def test_receipt_releases_escrow_to_the_seller_who_is_paid_out(shop):
    order = delivered_order(shop, lines=((P2, 1),))
    order_id = order["orderId"]
    (confirmed,) = orders.confirm_receipt(orders.get(order_id))
    shop.events.append(confirmed)
    deliver_events(shop)
    assert ledger.get_escrow(order_id).status == "RELEASED"
    commission = (12000 * ledger.COMMISSION_BPS + 5000) // 10000
    assert ledger.balance(f"seller:{SELLER}") == 12000 + 2000 - commission
    assert ledger.balance("platform:commission") == commission
    with pytest.raises(ledger.NotReleasable):
        ledger.release(order_id, "AGAIN")
    with pytest.raises(ledger.InsufficientFunds):
        ledger.request_payout("pyt_1", SELLER, 14001, "BRL")
    payout, events = ledger.request_payout("pyt_2", SELLER, 10000, "BRL")
    again, none = ledger.request_payout("pyt_2", SELLER, 10000, "BRL")  # a retried request
    assert again.payout_id == payout.payout_id and none == []
    shop.events.extend(events)
    deliver_events(shop)
    assert payout_status(payout.payout_id) == "PAID"
    assert ledger.balance(f"seller:{SELLER}") == 14000 - commission - 10000
    books_balance()


def payout_status(payout_id):
    from ledger.store import Payout

    return Payout.get(*Payout.key(payout_id), consistent_read=True).status


def test_escrow_is_released_when_the_return_window_ends_unless_a_return_is_open(shop):
    order = delivered_order(shop)
    item = returns.record(
        order,
        [{"lineId": order["lines"][0]["lineId"], "quantity": 1, "reason": "DAMAGED"}],
        "original",
    )
    ledger.dispute(order["orderId"], item.return_id)
    clock.freeze(clock.now() + timedelta(days=ledger.RELEASE_DAYS, minutes=1))
    try:
        assert ledger.release_due() == []  # disputed
        ledger.settle_dispute(order["orderId"], item.return_id)
        (released,) = ledger.release_due()
    finally:
        clock.unfreeze()
    assert released.detail_type == "EscrowReleased"
    assert escrow_balance(order["orderId"]) == 0
    with pytest.raises(ledger.NotReleasable):
        ledger.dispute(order["orderId"], "ret_late")
    books_balance()


# ------------------------------------------------------------------ vouchers


def test_a_voucher_paid_order_returned_to_the_wallet_gives_the_voucher_back_not_money(shop):
    """The hole: an order paid only by voucher, returned with refundTo wallet, used to turn
    the voucher into spendable wallet money."""
    total = 2 * 3499 + 2 * 1605
    order = delivered_order(shop, payments=[issue_voucher(total, "GIFT-ONLY")])
    assert ledger.balance("voucher:GIFT-ONLY") == 0
    line = order["lines"][0]
    item, _ = run_return(
        shop, order, [{"lineId": line["lineId"], "quantity": 2, "reason": "DAMAGED"}], "wallet"
    )
    assert item.status == "REFUNDED" and int(item.amount) == total
    assert ledger.balance(f"wallet:{CUSTOMER}") == 0  # no wallet credit: no money was paid
    assert ledger.balance("voucher:GIFT-ONLY") == total  # the voucher has its value back
    books_balance()


def test_a_mixed_order_returned_to_the_wallet_credits_at_most_the_money_paid(shop):
    total = 2 * 3499 + 2 * 1605
    payments = [issue_voucher(3000, "GIFT-PART"), card()]
    order = delivered_order(shop, payments=payments)
    line = order["lines"][0]
    item, _ = run_return(
        shop, order, [{"lineId": line["lineId"], "quantity": 2, "reason": "DAMAGED"}], "wallet"
    )
    assert int(item.amount) == total
    assert ledger.balance(f"wallet:{CUSTOMER}") == total - 3000  # the card's money
    assert ledger.balance("voucher:GIFT-PART") == 3000
    books_balance()


def test_a_return_to_the_original_payments_gives_the_voucher_its_share(shop):
    total = 2 * 3499 + 2 * 1605
    order = delivered_order(shop, payments=[issue_voucher(3000, "GIFT-ORIG"), card()])
    line = order["lines"][0]
    run_return(shop, order, [{"lineId": line["lineId"], "quantity": 2, "reason": "DAMAGED"}])
    assert ledger.balance("voucher:GIFT-ORIG") == 3000
    assert ledger.balance(f"wallet:{CUSTOMER}") == 0
    assert escrow_balance(order["orderId"]) == 0 and total > 3000
    books_balance()
