"""The seller dashboard on moto: orders placed through the checkout saga, a cancellation, a
return and hand-overs reach the figures through the consumer, each once however often it is
delivered (and an order's later event before its OrderPlaced waits for it); the dashboard's
totals equal a recount from the orders' records; outsiders get 404."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from apigw import FakeContext, call
from cart import service as cart
from delivery import sqs_batch
from orders import service as orders
from sellers import api as sellers_api
from sellers import consumers, stats
from tests.unit.checkout_tests.saga import card, checkout
from tests.unit.shop import CUSTOMER, P1, P2, SELLER, STAFF, steps_call
from titan import clock
from titan.events import DomainEvent

OWNER = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
OTHER = {"principalId": "acct_other", "roles": "seller", "sellerId": "f" * 32}


def _order(*lines) -> str:
    from cart.store import CartLine

    for line in CartLine.of(CUSTOMER):  # the cart empties on OrderPlaced, which is not run
        cart.remove(CUSTOMER, line.line_id)
    for product, quantity in lines:
        cart.add(CUSTOMER, product, SELLER, quantity)
    result = checkout([card()])
    assert "ok" in result, result
    return result["ok"]["orderId"]


def _consume(*events) -> dict:
    return consumers.handler(sqs_batch(*events), FakeContext())


def _shipment(kind: str, order_id: str, **extra) -> DomainEvent:
    data = {"packageId": f"pkg_{order_id}", "orderId": order_id, "sellerId": SELLER}
    if kind == "ShipmentLate":
        return DomainEvent.of(kind, {**data, "status": "PACKED", "handoverBy": clock.iso()})
    return DomainEvent.of(
        kind,
        {**data, "customerId": CUSTOMER, "status": "HANDED_OVER", "movedBy": "CARRIER",
         "carrier": "correios", "at": clock.iso(), **extra},
    )  # fmt: skip


def test_the_dashboard_counts_each_event_once_and_equals_a_recount(world, monkeypatch):
    monkeypatch.setattr(stats, "invoke", steps_call)
    first = _order((P1, 2))
    second = _order((P2, 1))
    third = _order((P1, 1))
    publish = world.events
    publish.extend(orders.cancel(orders.get(third), "CUSTOMER_REQUEST"))
    placed = world.of("OrderPlaced")
    cancelled = world.of("OrderCancelled")
    assert len(placed) == 3 and len(cancelled) == 1

    # a cancellation before its order's OrderPlaced: retried by SQS, not lost
    with pytest.raises(BatchProcessingError):  # every record failed: the batch comes again
        _consume(*cancelled)
    returned = DomainEvent.of(
        "ReturnRequested",
        {"returnId": "ret_01JDQ6R8V9W3X4Y5Z6A7B8C9D0", "kind": "RETURN", "orderId": first,
         "customerId": CUSTOMER, "status": "REQUESTED", "refundTo": "original",
         "amount": {"amount": 3499, "currency": "BRL"},
         "lines": [{"lineId": "l1", "offerId": "off_x", "sellerId": SELLER, "quantity": 1}]},
    )  # fmt: skip
    rating = DomainEvent.of(
        "RatingChanged",
        {"subject": "SELLER", "subjectId": SELLER, "average": 4.5, "count": 2,
         "distribution": {"4": 1, "5": 1}, "sequence": 2},
    )  # fmt: skip
    later = [
        *placed,
        *cancelled,
        returned,
        _shipment("ShipmentStatusChanged", first),
        _shipment("ShipmentStatusChanged", second),
        _shipment("ShipmentLate", second),
        rating,
    ]
    assert _consume(*later)["batchItemFailures"] == []
    # every event again (a redelivery, a replay, a second return of the same order)
    another = {**returned.data, "returnId": "ret_01JDQ6R8V9W3X4Y5Z6A7B8C9D1"}
    second_return = DomainEvent.of("ReturnRequested", another)
    assert _consume(*later, second_return)["batchItemFailures"] == []
    for event in placed:  # past the consumer's once-per-event guard, the stats' own holds
        assert stats.placed(event.event_id, event.data, clock.iso()) == stats.SEEN

    today = stats.day_of(clock.iso())
    path = f"/sellers/{SELLER}/stats?from={today}&to={today}"
    status, _, board = call(sellers_api.handler, "GET", path, authorizer=OWNER)
    assert status == 200, board
    totals = board["totals"]
    gmv = 2 * 3499 + 12000 + 3499
    assert (totals["orders"], totals["units"], totals["gmv"]) == (3, 4, gmv)
    assert totals["averageOrderValue"] == gmv // 3
    assert (totals["cancelled"], totals["cancellationRate"]) == (1, round(1 / 3, 4))
    assert (totals["returned"], totals["returnRate"]) == (1, round(1 / 3, 4))
    assert (totals["handedOver"], totals["late"], totals["lateHandoverRate"]) == (2, 1, 0.5)
    assert [p["productId"] for p in board["topProducts"]] == [P2, P1]  # 12000 > 3 x 3499
    assert board["topProducts"][1]["units"] == 3
    assert board["rating"] == {"average": 4.5, "count": 2}
    assert [s["period"] for s in board["series"]] == [today]

    status, _, counted = call(
        sellers_api.handler,
        "GET",
        f"/sellers/{SELLER}/stats/recount?from={today}&to={today}",
        authorizer=STAFF,
    )
    assert status == 200
    assert counted == {
        "gmv": totals["gmv"], "orders": totals["orders"], "units": totals["units"],
        "cancelled": totals["cancelled"], "returned": totals["returned"],
        "handedOver": totals["handedOver"], "late": totals["late"],
    }  # fmt: skip

    month = call(sellers_api.handler, "GET", f"{path}&interval=month", authorizer=OWNER)[2]
    assert [s["period"] for s in month["series"]] == [today[:8] + "01"]
    assert call(sellers_api.handler, "GET", path, authorizer=OTHER)[0] == 404
    backwards = f"/sellers/{SELLER}/stats?from={today}&to=2020-01-01"
    assert call(sellers_api.handler, "GET", backwards, authorizer=OWNER)[2]["code"] == (
        "INVALID_RANGE"
    )


def test_the_response_rate_counts_buyers_chats_answered_within_12_hours(world):
    from datetime import timedelta

    start = clock.now() - timedelta(days=1)

    sent = []

    def say(conversation: str, side: str, hours: float) -> None:
        at = clock.iso(start + timedelta(hours=hours))
        outcome = stats.chatted(f"evt_{len(sent)}", conversation, SELLER, side, at)
        sent.append(outcome)

    quick, slow, unanswered = (f"cnv_{n:026d}" for n in range(3))
    say(quick, "BUYER", 0)
    say(quick, "BUYER", 0.5)  # still waiting: not a second chat
    say(quick, "SELLER", 2)  # answered in 2 h
    say(quick, "SELLER", 3)  # nothing waits any more
    say(slow, "BUYER", 0)
    say(slow, "SELLER", 13)  # too late
    say(unanswered, "BUYER", 1)
    assert sent == ["APPLIED", "STALE", "APPLIED", "SEEN", "APPLIED", "APPLIED", "APPLIED"]
    assert stats.chatted("evt_0", quick, SELLER, "BUYER", clock.iso(start)) == "SEEN"
    assert stats.response_rate(SELLER) == round(1 / 3, 4)
    assert stats.response_rate("f" * 32) is None
