"""The returns context's use cases: asking for a return (with the units it takes, once),
who may see and decide one, the saga's waits and decisions, and its end.

Status moves are conditional on the current status, so a decision sent twice, an approval
racing a rejection, or a late receive after the saga gave up, change nothing twice.
"""

from __future__ import annotations

import json

from pynamodb.exceptions import TransactWriteError, UpdateError

from returns import domain, settings
from returns.store import OPEN, Return, ReturnedLine, SellerReturn
from titan import clock
from titan.auth import Principal
from titan.aws import client
from titan.calls import invoke
from titan.context import correlation_id
from titan.dynamo import condition_failed, failed_conditions, get_or_404, transaction
from titan.errors import Conflict, Forbidden, NotFound, Unprocessable
from titan.events import DomainEvent, publish
from titan.ids import new_id
from titan.paging import page_cursor, page_start


def lines_of(order: dict) -> list[domain.Line]:
    """The order view's lines (``unitPrice``/``freight`` as money objects) as domain lines."""
    return [
        domain.Line(
            line["lineId"],
            line["sellerId"],
            line["offerId"],
            int(line["quantity"]),
            int(line["unitPrice"]["amount"]),
            int(line["freight"]["amount"]),
        )
        for line in order["lines"]
    ]


def returned_so_far(order_id: str) -> dict[str, int]:
    """{lineId: units returned} of the order's recorded returns."""
    return {
        item.sk.split("#", 1)[1]: int(item.returned)
        for item in ReturnedLine.query(f"ORDER#{order_id}", consistent_read=True)
    }


def delivered_at(order: dict):
    """When the order was delivered (its status history), or None."""
    for change in reversed(order.get("statusHistory") or []):
        if change["status"] == "DELIVERED":
            return clock.parse(change["at"])
    return None


def check_window(order: dict) -> None:
    """Raises Conflict ORDER_NOT_DELIVERED or RETURN_WINDOW_CLOSED (``return_window_days`` after
    delivery, or once the buyer confirmed receipt)."""
    if order["status"] != "DELIVERED":
        raise Conflict(
            f"An order that is {order['status']} cannot be returned; cancel it instead.",
            code="ORDER_NOT_DELIVERED",
        )
    closes = domain.window_closes(delivered_at(order), settings.SETTINGS.return_window_days)
    if order.get("receiptConfirmedAt") or clock.now() > closes:
        raise Conflict(
            f"Returns for this order closed at {clock.iso(closes)}.",
            code="RETURN_WINDOW_CLOSED",
            closedAt=clock.iso(closes),
        )


def record(
    order: dict,
    wanted: list[dict],
    refund_to: str,
    kind: str = "RETURN",
    return_id: str | None = None,
) -> Return:
    """Record a return of ``wanted`` [{lineId, quantity, reason}] of ``order`` (the orders
    step's view) with its refund. Raises Unprocessable UNKNOWN_LINE, Conflict
    RETURN_QUANTITY_EXCEEDED (more than bought, counting earlier returns), Conflict
    NOTHING_TO_REFUND. The units are counted in the same transaction as the return is put,
    conditional on the counts read (a racing return makes this one read again)."""
    lines = {line.line_id: line for line in lines_of(order)}
    for want in wanted:
        if want["lineId"] not in lines:
            raise Unprocessable(f"The order has no line {want['lineId']}.", code="UNKNOWN_LINE")
    now_units: dict[str, int] = {}
    for want in wanted:
        now_units[want["lineId"]] = now_units.get(want["lineId"], 0) + int(want["quantity"])
    return_id = return_id or new_id("ret")
    try:
        return get(return_id)  # recorded before: a retried request or step
    except NotFound:
        pass
    for _ in range(5):
        before = returned_so_far(order["orderId"])
        for line_id, units in now_units.items():
            if before.get(line_id, 0) + units > lines[line_id].quantity:
                raise Conflict(
                    f"Line {line_id} has {lines[line_id].quantity - before.get(line_id, 0)} "
                    "units left to return.",
                    code="RETURN_QUANTITY_EXCEEDED",
                    lineId=line_id,
                )
        refund = domain.refund_for(list(lines.values()), _discount(order), before, now_units)
        if refund.amount <= 0:
            raise Conflict("Nothing is left to refund on this order.", code="NOTHING_TO_REFUND")
        now = clock.iso()
        item = Return(
            *Return.key(return_id),
            gsi1pk=f"ORDER#{order['orderId']}",
            gsi1sk=f"{now}#{return_id}",
            return_id=return_id,
            kind=kind,
            order_id=order["orderId"],
            checkout_id=order["checkoutId"],
            reservation_id=order.get("reservationId"),
            customer_id=order["customerId"],
            customer_email=(order.get("contact") or {}).get("email"),
            seller_ids=sorted({lines[k].seller_id for k in now_units}),
            status="REQUESTED",
            refund_to=refund_to,
            lines=[
                {
                    "lineId": w["lineId"],
                    "offerId": lines[w["lineId"]].offer_id,
                    "sellerId": lines[w["lineId"]].seller_id,
                    "quantity": int(w["quantity"]),
                    "reason": w.get("reason"),
                }
                for w in wanted
            ],
            amount=refund.amount,
            currency=order["totals"]["total"]["currency"],
            by_seller=refund.by_seller,
            discount=refund.discount,
            history=[{"status": "REQUESTED", "at": now}],
            created_at=now,
            updated_at=now,
        )
        try:
            with transaction() as write:
                write.save(item, condition=Return.pk.does_not_exist())
                for seller_id in item.seller_ids:
                    listed = SellerReturn.key(seller_id, now, return_id)
                    write.save(SellerReturn(*listed, return_id=return_id))
                for line_id, units in sorted(now_units.items()):
                    counter = ReturnedLine(*ReturnedLine.key(order["orderId"], line_id))
                    was = before.get(line_id, 0)
                    write.update(
                        counter,
                        actions=[ReturnedLine.returned.set(was + units)],
                        # A counter back at 0 (a return that ended) is there: 0 or absent.
                        condition=(ReturnedLine.returned == was)
                        if was
                        else ReturnedLine.pk.does_not_exist() | (ReturnedLine.returned == 0),
                    )
        except TransactWriteError as exc:
            failed = failed_conditions(exc)
            if 0 in failed:
                return get(return_id)  # recorded before (a retried step)
            if failed:
                continue
            raise
        return item
    raise Conflict("The order's returns kept changing; try again.", code="REQUEST_IN_PROGRESS")


def _discount(order: dict) -> int:
    return int(order["totals"]["discount"]["amount"])


def get(return_id: str) -> Return:
    """Raises NotFound RETURN_NOT_FOUND."""
    return get_or_404(
        Return, *Return.key(return_id), code="RETURN_NOT_FOUND", detail="No such return."
    )


def saga_input(item: Return) -> dict:
    """The refund saga's input for ``item``."""
    return {
        "returnId": item.return_id,
        "kind": item.kind,
        "orderId": item.order_id,
        "checkoutId": item.checkout_id,
        "reservationId": item.reservation_id,
        "customerId": item.customer_id,
        "currency": item.currency,
        "amount": int(item.amount),
        "refundTo": item.refund_to,
        "lines": [
            {"lineId": x["lineId"], "offerId": x["offerId"], "quantity": x["quantity"]}
            for x in item.lines
        ],
        "bySeller": item.by_seller,
        "discount": int(item.discount),
        "autoApprove": domain.auto_approved(
            int(item.amount), settings.SETTINGS.return_auto_approve_limit
        ),
        "decisionTimeoutSeconds": settings.SETTINGS.return_decision_timeout_seconds,
        "goodsTimeoutSeconds": settings.SETTINGS.return_goods_timeout_seconds,
        "correlationId": correlation_id(),
    }


def start(item: Return) -> None:
    """Start the refund saga for ``item`` (its execution is named after the return: a second
    start of the same return is refused by Step Functions and ignored here)."""
    try:
        client("stepfunctions").start_execution(
            stateMachineArn=settings.SETTINGS.needed("refund_state_machine"),
            name=item.return_id,
            input=json.dumps(saga_input(item)),
        )
    except client("stepfunctions").exceptions.ExecutionAlreadyExists:
        pass


#: Ends without a refund, and the event each publishes: the return's units may be returned
#: again, in the same write as the status (nobody sees the end before the units are back).
ENDS = {"REJECTED": "ReturnRejected", "EXPIRED": "ReturnExpired", "FAILED": "RefundFailed"}


def move(
    item: Return,
    status: str,
    allowed: tuple[str, ...],
    by: str | None = None,
    reason: str | None = None,
    token: str | None = None,
) -> bool:
    """Move ``item`` to ``status`` if it is in ``allowed``; False if not (then refreshed).
    ``token``: the task token the saga now waits on (or cleared when None). A move to one of
    ``ENDS`` gives the return's units back in the same transaction."""
    now = clock.iso()
    entry = {
        "status": status,
        "at": now,
        **({"by": by} if by else {}),
        **({"reason": reason} if reason else {}),
    }
    for _ in range(5):
        if item.status not in allowed:
            return False
        actions = [
            Return.status.set(status),
            Return.updated_at.set(now),
            Return.history.set([*item.history, entry]),
            Return.task_token.set(token) if token else Return.task_token.remove(),
        ]
        try:
            if status in ENDS:
                _end(item, actions, now)
            else:
                item.update(actions=actions, condition=Return.status == item.status)
            return True
        except (UpdateError, TransactWriteError) as exc:
            if not (condition_failed(exc) or 0 in failed_conditions(exc)):
                raise
            item.refresh(consistent_read=True)
    return False


def _end(item: Return, actions: list, now: str) -> None:
    """One transaction: the return's status ``actions`` (conditional on its status read) and
    its units counted as not returned. Raises TransactWriteError (position 0: the status moved
    meanwhile)."""
    with transaction() as write:
        write.update(
            item,
            actions=[*actions, Return.units_back.set(now)],
            condition=(Return.status == item.status) & Return.units_back.does_not_exist(),
        )
        for line in item.lines:
            write.update(
                ReturnedLine(*ReturnedLine.key(item.order_id, line["lineId"])),
                actions=[ReturnedLine.returned.add(-int(line["quantity"]))],
                condition=ReturnedLine.returned >= int(line["quantity"]),
            )
    item.refresh(consistent_read=True)


def wait(return_id: str, token: str, stage: str) -> None:
    """The saga waits for a person: ``stage`` "decision" (status PENDING_DECISION) or
    "goods" (status stays APPROVED); the token is kept for the API to answer with."""
    item = get(return_id)
    if stage == "decision":
        move(item, "PENDING_DECISION", ("REQUESTED",), token=token)
    else:
        item.update(actions=[Return.task_token.set(token)], condition=Return.status == "APPROVED")


def answer(
    item: Return,
    status: str,
    allowed: tuple[str, ...],
    by: str,
    output: dict,
    reason: str | None = None,
) -> None:
    """A person answered the waiting saga: move to ``status`` and send ``output`` with the
    task token. Raises Conflict RETURN_NOT_PENDING (not waiting for this: decided, received
    or expired already; or the saga is not waiting yet: retry shortly).

    The status move is the answer: if the wait timed out between the move and the token
    (TaskTimedOut), the saga's timeout steps find the moved status and follow it (see
    ``close`` and the ``approve`` step), so the answer stands."""
    token = item.task_token
    if not token or not move(item, status, allowed, by=by, reason=reason):
        raise Conflict(
            f"This return is {item.status}; it is not waiting for that.",
            code="RETURN_NOT_PENDING",
            returnStatus=item.status,
        )
    try:
        client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(output))
    except client("stepfunctions").exceptions.TaskTimedOut:
        pass
    except client("stepfunctions").exceptions.InvalidToken as exc:
        raise Conflict("This return is no longer waiting.", code="RETURN_NOT_PENDING") from exc


def close(return_id: str, status: str, reason: str | None = None) -> tuple[str, list[DomainEvent]]:
    """End a return without a refund (REJECTED, EXPIRED, FAILED; its units may be returned
    again): (the return's status afterwards, the end's event). A person's answer sent as the
    saga's wait timed out comes first: a rejection is finished here; received goods are not
    expired (status RECEIVED, no event: the saga refunds them). Idempotent: a rejection's
    status is set by the API and this step publishes it; a retried step publishes again
    (events are at-least-once)."""
    item = get(return_id)
    move(item, status, ("APPROVED",) if status == "EXPIRED" else OPEN, reason=reason)
    if item.status not in ENDS:  # received, or refunded: nothing to give back
        return item.status, []
    return item.status, [event(item, ENDS[item.status], reason=reason)]


def event(item: Return, kind: str, **extra) -> DomainEvent:
    data = {
        "returnId": item.return_id,
        "kind": item.kind,
        "orderId": item.order_id,
        "customerId": item.customer_id,
        "status": item.status,
        "refundTo": item.refund_to,
        "amount": {"amount": int(item.amount), "currency": item.currency},
        "lines": [
            {k: line[k] for k in ("lineId", "offerId", "sellerId", "quantity")}
            for line in item.lines
        ],
        **{k: v for k, v in extra.items() if v is not None},
    }
    return DomainEvent.of(kind, data)


def view(item: Return) -> dict:
    """The API shape of a return."""
    return {
        "returnId": item.return_id,
        "kind": item.kind,
        "orderId": item.order_id,
        "status": item.status,
        "refundTo": item.refund_to,
        "refund": {"amount": int(item.amount), "currency": item.currency},
        "lines": item.lines,
        "autoApproved": bool(item.auto_approved),
        "history": item.history,
        "createdAt": item.created_at,
        "updatedAt": item.updated_at,
    }


def request(customer_id: str, order_id: str, lines: list[dict], refund_to: str, return_id: str):
    """A buyer asks to return ``lines`` (``[{lineId, quantity, reason}]``) of their order: the
    order's escrow is disputed first (so it is not released meanwhile), the return recorded,
    ReturnRequested published and the refund saga started. If recording fails, the dispute
    is settled again (its compensation). The return's view.

    Raises NotFound ORDER_NOT_FOUND (not the caller's order), Conflict ORDER_NOT_DELIVERED,
    RETURN_WINDOW_CLOSED, RETURN_QUANTITY_EXCEEDED, Unprocessable UNKNOWN_LINE."""
    order = invoke("ORDERS_STEPS_FUNCTION", "get", {"orderId": order_id})
    if order["customerId"] != customer_id:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    check_window(order)
    dispute = {"orderId": order_id, "returnId": return_id}
    invoke("LEDGER_STEPS_FUNCTION", "dispute", dispute)
    try:
        item = record(order, lines, refund_to, return_id=return_id)
    except Exception:
        invoke("LEDGER_STEPS_FUNCTION", "settleDispute", dispute)
        raise
    publish([event(item, "ReturnRequested")])
    start(item)
    return view(item)


def of_seller(
    caller: Principal, seller_id: str, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Return], str | None]:
    """A page of the seller's returns, newest first (``status``: only those in it; a page
    may then hold fewer than ``limit``), for that seller and staff. Raises NotFound
    SELLER_NOT_FOUND for anyone else, BadRequest INVALID_CURSOR."""
    caller.require_seller(seller_id)
    partition = f"SELLER#{seller_id}"
    start = page_start(cursor, ("pk", "sk"), {"pk": partition}, {"sk": "RETURN#"})
    page = SellerReturn.query(
        partition,
        SellerReturn.sk.startswith("RETURN#"),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start,
    )
    ids = [item.return_id for item in page]
    found = {r.return_id: r for r in Return.batch_get([Return.key(i) for i in ids])}
    items = [found[i] for i in ids if i in found and status in (None, found[i].status)]
    return items, page_cursor(page.last_evaluated_key)


def visible(return_id: str, caller: Principal) -> Return:
    """The return, if ``caller`` may see it: its buyer, one of its sellers, or staff. Raises
    NotFound RETURN_NOT_FOUND otherwise (as for a return that does not exist)."""
    item = get(return_id)
    if not (
        item.customer_id == caller.id
        or caller.seller_id in (item.seller_ids or [])
        or caller.has_any("staff", "admin")
    ):
        raise NotFound("No such return.", code="RETURN_NOT_FOUND")
    return item


def decider(item: Return, caller: Principal) -> str:
    """Who ``caller`` decides as: STAFF, or SELLER when the return's only seller. Raises
    Forbidden NOT_YOUR_RETURN otherwise."""
    if caller.has_any("staff", "admin"):
        return "STAFF"
    if caller.seller_id and set(item.seller_ids or []) == {caller.seller_id}:
        return "SELLER"
    raise Forbidden("Only the order's seller or staff can do this.", code="NOT_YOUR_RETURN")


def approve(item: Return, caller: Principal, reason: str | None) -> dict:
    """Accept a return waiting for a decision (Conflict RETURN_NOT_PENDING otherwise); the
    saga goes on to wait for the goods. The return's view."""
    by = decider(item, caller)
    answer(item, "APPROVED", ("PENDING_DECISION",), by, {"approved": True}, reason=reason)
    publish([event(item, "ReturnApproved", by=by)])
    return view(item)


def reject(item: Return, caller: Principal, reason: str | None) -> dict:
    """Refuse a return waiting for a decision; nothing is refunded. The return's view."""
    by = decider(item, caller)
    payload = {"approved": False, "reason": reason}
    answer(item, "REJECTED", ("PENDING_DECISION",), by, payload, reason=reason)
    return view(item)


def received_by_carrier(return_id: str) -> list[DomainEvent]:
    """The carrier delivered the return's parcel to the seller: the goods are back, as when
    the seller says so (``receive``). Nothing when the return is past waiting for them.
    Raises Conflict RETURN_NOT_PENDING while the saga is not yet waiting (the event is
    retried)."""
    item = get(return_id)
    if item.status != "APPROVED":
        return []
    answer(item, "RECEIVED", ("APPROVED",), "CARRIER", {"received": True})
    return [event(item, "ReturnReceived", by="CARRIER")]


def receive(item: Return, caller: Principal) -> dict:
    """The goods of an APPROVED return are back: the saga restocks and refunds. The view."""
    by = decider(item, caller)
    answer(item, "RECEIVED", ("APPROVED",), by, {"received": True})
    publish([event(item, "ReturnReceived", by=by)])
    return view(item)
