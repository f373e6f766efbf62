"""Returns and their refund saga: decisions, goods, timeouts, races; the books balance after
every path."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cart import service as cart
from ledger import service as ledger
from ledger import steps as ledger_steps
from orders import service as orders
from payments import steps as payments_steps
from payments.store import Payment
from returns import consumers as returns_consumers
from returns import service as returns
from returns import settings
from tests.unit.asl import REFUND_ASL, run_saga
from tests.unit.checkout_tests.saga import card, checkout, stock
from tests.unit.returns_tests.refunds import (
    answering,
    books_balance,
    call,
    deliver_events,
    delivered_order,
    escrow_balance,
    handlers,
    raced,
    run_return,
)
from tests.unit.shop import CUSTOMER, P1, P2, SELLER
from titan import clock
from titan.errors import Problem
from titan.saga import StepRefused


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
    clock.freeze(clock.now() + timedelta(days=settings.SETTINGS.return_window_days, minutes=1))
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


def test_a_parcel_the_carrier_lost_is_refunded_without_waiting(shop, monkeypatch):
    from contracts.fulfilment import ShipmentStatusChanged

    cart.add(CUSTOMER, P1, SELLER, 2)
    placed = checkout([card()])["ok"]
    deliver_events(shop)
    order = orders.get(placed["orderId"])
    (package,) = order.packages
    lost = ShipmentStatusChanged(
        packageId=package["packageId"],
        orderId=order.order_id,
        customerId=order.customer_id,
        sellerId=SELLER,
        status="LOST",
        previousStatus="IN_TRANSIT",
        movedBy="SYSTEM",
        carrier="correio",
        at="2026-11-30T12:00:00.000Z",
    )
    started = []
    monkeypatch.setattr(returns, "start", started.append)
    return_id = returns_consumers.refund_lost(lost)
    assert returns_consumers.refund_lost(lost) == return_id  # a repeat starts the same one
    assert returns_consumers.refund_lost(lost.model_copy(update={"status": "DELIVERED"})) is None
    item = started[0]
    assert item.kind == "LOST_PARCEL" and [x["quantity"] for x in item.lines] == [2]
    trace = []
    run_saga(handlers(), returns.saga_input(item), None, REFUND_ASL, trace)
    deliver_events(shop)
    assert "AwaitDecision" not in trace and "Restock" not in trace  # nothing comes back
    assert returns.get(return_id).status == "REFUNDED"
    assert orders.get(order.order_id).refunds[0]["amount"] == order.total
    assert escrow_balance(order.order_id) == 0
    books_balance()


def test_goods_the_carrier_brought_back_answer_the_saga_once(shop, monkeypatch):
    import boto3
    from botocore.stub import Stubber

    order = delivered_order(shop, lines=((P2, 1),))
    line = order["lines"][0]
    asked = [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}]
    item = returns.record(order, asked, "original")
    returns.move(item, "APPROVED", ("REQUESTED",), by="SELLER")
    with pytest.raises(Problem) as early:  # the saga is not waiting for the goods yet
        returns.received_by_carrier(item.return_id)
    assert early.value.code == "RETURN_NOT_PENDING"
    returns.wait(item.return_id, "token-goods", "goods")
    sfn = boto3.client("stepfunctions")
    monkeypatch.setattr(returns, "client", lambda service: sfn)
    with Stubber(sfn) as stub:
        stub.add_response(
            "send_task_success", {}, {"taskToken": "token-goods", "output": '{"received": true}'}
        )
        (received,) = returns.received_by_carrier(item.return_id)
        stub.assert_no_pending_responses()
    assert received.data["by"] == "CARRIER"
    assert returns.get(item.return_id).status == "RECEIVED"
    assert returns.received_by_carrier(item.return_id) == []  # a repeat: nothing


def test_a_seller_lists_its_returns_filtered_by_state(shop):
    from apigw import call
    from returns import api as returns_api
    from tests.unit.shop import SELLER

    order = delivered_order(shop)
    line = order["lines"][0]
    item = returns.record(
        order, [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}], "original"
    )
    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    other = {"principalId": "acct_other", "roles": "seller", "sellerId": "f" * 32}

    def listed(query="", who=seller):
        return call(returns_api.handler, "GET", f"/sellers/{SELLER}/returns{query}", authorizer=who)

    status, _, page = listed()
    assert status == 200 and [r["returnId"] for r in page["items"]] == [item.return_id]
    assert listed("?status=REQUESTED")[2]["items"][0]["status"] == "REQUESTED"
    assert listed("?status=REFUNDED")[2]["items"] == []
    assert listed(who=other)[0] == 404
    assert listed("?status=NOPE")[0] == 400  # a query parameter: 400, as every route answers
