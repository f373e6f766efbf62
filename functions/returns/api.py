"""Returns API.

- ``POST /orders/{orderId}/returns`` (the buyer, Idempotency-Key): ask to return units of a
  delivered order within the return window → 202 ``{returnId, status, ...}``; the refund
  saga takes it from there.
- ``GET /returns/{returnId}``: status and history (the buyer, the order's sellers, staff).
- ``POST /returns/{returnId}/approve`` | ``/reject`` (the order's seller or staff) and
  ``/receive`` (the seller or staff, when the goods are back): answer the waiting saga.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field

from returns import service
from returns.store import Return
from titan.api import answers, create_app, lambda_handler
from titan.auth import Principal, bearer, require
from titan.errors import Forbidden, NotFound
from titan.events import publish
from titan.idempotency import idempotent, require_key
from titan.ids import derived_id
from titan.saga import call_step
from titan.schemas import Money

app = create_app()
ORDER_ID = r"^ord_[0-9A-HJKMNP-TV-Z]{26}$"
RETURN_ID = r"^ret_[0-9A-HJKMNP-TV-Z]{26}$"


class ReturnLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lineId: Annotated[str, Field(max_length=40)]
    quantity: Annotated[int, Field(ge=1, le=1000)]
    reason: Literal[
        "DAMAGED", "NOT_AS_DESCRIBED", "WRONG_ITEM", "MISSING_PARTS", "CHANGED_MIND", "OTHER"
    ]


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=50)]
    refundTo: Literal["original", "wallet"] = "original"


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(max_length=500)] | None = None


class ReturnOut(BaseModel):
    returnId: str
    kind: str = Field(description="RETURN, or CANCELLATION (a paid order cancelled)")
    orderId: str
    status: str = Field(
        description="REQUESTED, PENDING_DECISION, APPROVED, REJECTED, RECEIVED, REFUNDED, "
        "EXPIRED or FAILED"
    )
    refundTo: str
    refund: Money
    lines: list[dict]
    autoApproved: bool
    history: list[dict]
    createdAt: str
    updatedAt: str


def _visible(return_id: str) -> tuple[Return, Principal]:
    caller = require(app)
    item = service.get(return_id)
    if not (
        item.customer_id == caller.id
        or caller.seller_id in (item.seller_ids or [])
        or caller.has_any("staff", "admin")
    ):
        raise NotFound("No such return.", code="RETURN_NOT_FOUND")
    return item, caller


def _seller_or_staff(item: Return, caller: Principal) -> str:
    if caller.has_any("staff", "admin"):
        return "STAFF"
    if caller.seller_id and set(item.seller_ids or []) == {caller.seller_id}:
        return "SELLER"
    raise Forbidden("Only the order's seller or staff can do this.", code="NOT_YOUR_RETURN")


@app.post(
    "/orders/<orderId>/returns",
    tags=["returns"],
    summary="Return units of an order",
    security=bearer("customer"),
    responses=answers(202, ReturnOut),
)
def request_return(
    orderId: Annotated[str, Path(pattern=ORDER_ID)], body: ReturnIn
) -> Response[ReturnOut]:
    """The buyer, for a DELIVERED order within the return window (409 ORDER_NOT_DELIVERED,
    RETURN_WINDOW_CLOSED), never more units than bought across returns (409
    RETURN_QUANTITY_EXCEEDED; 422 UNKNOWN_LINE). The refund is to the original payments or
    to the wallet. Small refunds are approved at once; others wait for the seller. Needs an
    Idempotency-Key. 202: the return and its refund go on in the background."""
    caller = require(app)
    # Named by the key: a retry after a crash finds this return instead of making another.
    return_id = derived_id("ret", caller.id, orderId, require_key(app))

    def run() -> dict:
        order = call_step("ORDERS_STEPS_FUNCTION", "get", {"orderId": orderId})
        if order["customerId"] != caller.id:
            raise NotFound("No such order.", code="ORDER_NOT_FOUND")
        service.check_window(order)
        call_step("LEDGER_STEPS_FUNCTION", "dispute", {"orderId": orderId, "returnId": return_id})
        try:
            item = service.record(
                order,
                [line.model_dump() for line in body.lines],
                body.refundTo,
                return_id=return_id,
            )
        except Exception:
            call_step(
                "LEDGER_STEPS_FUNCTION",
                "settleDispute",
                {"orderId": orderId, "returnId": return_id},
            )
            raise
        publish([service.event(item, "ReturnRequested")])
        service.start(item)
        return service.view(item)

    view = idempotent(
        app, "return", caller.id, {"orderId": orderId, **body.model_dump(mode="json")}, run
    )
    return Response(202, "application/json", ReturnOut(**view))


@app.get(
    "/returns/<returnId>",
    tags=["returns"],
    summary="A return, its refund and history",
    security=bearer(),
)
def get_return(returnId: Annotated[str, Path(pattern=RETURN_ID)]) -> ReturnOut:
    item, _ = _visible(returnId)
    return ReturnOut(**service.view(item))


@app.post(
    "/returns/<returnId>/approve",
    tags=["returns"],
    summary="Accept a return",
    security=bearer("admin", "seller", "staff"),
)
def approve(
    returnId: Annotated[str, Path(pattern=RETURN_ID)], body: DecisionIn | None = None
) -> ReturnOut:
    """The order's seller or staff, while the return waits for a decision (409
    RETURN_NOT_PENDING otherwise). The buyer then sends the goods back."""
    item, caller = _visible(returnId)
    by = _seller_or_staff(item, caller)
    service.answer(
        item,
        "APPROVED",
        ("PENDING_DECISION",),
        by,
        {"approved": True},
        reason=body.reason if body else None,
    )
    publish([service.event(item, "ReturnApproved", by=by)])
    return ReturnOut(**service.view(item))


@app.post(
    "/returns/<returnId>/reject",
    tags=["returns"],
    summary="Refuse a return",
    security=bearer("admin", "seller", "staff"),
)
def reject(
    returnId: Annotated[str, Path(pattern=RETURN_ID)], body: DecisionIn | None = None
) -> ReturnOut:
    """The order's seller or staff, while the return waits for a decision. Nothing is
    refunded; the order's escrow can be released again."""
    item, caller = _visible(returnId)
    by = _seller_or_staff(item, caller)
    reason = body.reason if body else None
    service.answer(
        item,
        "REJECTED",
        ("PENDING_DECISION",),
        by,
        {"approved": False, "reason": reason},
        reason=reason,
    )
    return ReturnOut(**service.view(item))


@app.post(
    "/returns/<returnId>/receive",
    tags=["returns"],
    summary="The goods came back",
    security=bearer("admin", "seller", "staff"),
)
def receive(returnId: Annotated[str, Path(pattern=RETURN_ID)]) -> ReturnOut:
    """The order's seller or staff, once APPROVED: the units are restocked and the refund
    is made. 409 RETURN_NOT_PENDING before approval or after expiry."""
    item, caller = _visible(returnId)
    by = _seller_or_staff(item, caller)
    service.answer(item, "RECEIVED", ("APPROVED",), by, {"received": True})
    publish([service.event(item, "ReturnReceived", by=by)])
    return ReturnOut(**service.view(item))


handler = lambda_handler(app)
