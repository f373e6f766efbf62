"""Returns API: routes only (shapes in ``schemas``, use cases in ``service``).

- ``POST /orders/{orderId}/returns`` (the buyer, Idempotency-Key): ask to return units of a
  delivered order within the return window → 202 ``{returnId, status, ...}``; the refund
  saga takes it from there.
- ``GET /returns/{returnId}``: status and history (the buyer, the order's sellers, staff).
- ``GET /sellers/{sellerId}/returns?status=``: the seller's returns, newest first.
- ``POST /returns/{returnId}/approve`` | ``/reject`` (the order's seller or staff) and
  ``/receive`` (the seller or staff, when the goods are back): answer the waiting saga.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from returns import service
from returns.schemas import DecisionIn, ReturnIn, ReturnOut, ReturnPage
from titan import ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.idempotency import idempotent, require_key
from titan.ids import derived_id

app = create_app()
OrderId = Annotated[str, Path(pattern=ids.pattern("ord"))]
ReturnId = Annotated[str, Path(pattern=ids.pattern("ret"))]


@app.post(
    "/orders/<orderId>/returns",
    tags=["returns"],
    summary="Return units of an order",
    security=bearer("customer"),
    responses=answers(202, ReturnOut),
)
def request_return(orderId: OrderId, body: ReturnIn) -> Response[ReturnOut]:
    """The buyer, for a DELIVERED order within the return window (409 ORDER_NOT_DELIVERED,
    RETURN_WINDOW_CLOSED), never more units than bought across returns (409
    RETURN_QUANTITY_EXCEEDED; 422 UNKNOWN_LINE). The refund is to the original payments or
    to the wallet. Small refunds are approved at once; others wait for the seller. Needs an
    Idempotency-Key. 202: the return and its refund go on in the background."""
    caller = require(app)
    # Named by the key: a retry after a crash finds this return instead of making another.
    return_id = derived_id("ret", caller.id, orderId, require_key(app))
    lines = [line.model_dump() for line in body.lines]
    view = idempotent(
        app,
        "return",
        caller.id,
        {"orderId": orderId, **body.model_dump(mode="json")},
        lambda: service.request(caller.id, orderId, lines, body.refundTo, return_id),
    )
    return Response(202, "application/json", ReturnOut(**view))


@app.get(
    "/returns/<returnId>",
    tags=["returns"],
    summary="A return, its refund and history",
    security=bearer(),
)
def get_return(returnId: ReturnId) -> ReturnOut:
    return ReturnOut(**service.view(service.visible(returnId, require(app))))


@app.get(
    "/sellers/<sellerId>/returns",
    tags=["returns"],
    summary="A seller's returns",
    security=bearer("seller", "staff", "admin"),
)
def seller_returns(
    sellerId: Annotated[str, Path(pattern=ids.SOURCE_ID)],
    status: Annotated[
        str | None,
        Query(
            pattern=r"^(REQUESTED|PENDING_DECISION|APPROVED|REJECTED|RECEIVED|REFUNDED|EXPIRED|FAILED)$",
            description="Only returns in this state (PENDING_DECISION: those to decide)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> ReturnPage:
    """The returns of the seller's lines, newest first, for that seller and staff (anyone
    else: 404). With ``status`` a page may hold fewer than ``limit``: follow ``nextCursor``."""
    items, next_cursor = service.of_seller(require(app), sellerId, status, limit, cursor)
    return ReturnPage(items=[ReturnOut(**service.view(r)) for r in items], nextCursor=next_cursor)


@app.post(
    "/returns/<returnId>/approve",
    tags=["returns"],
    summary="Accept a return",
    security=bearer("admin", "seller", "staff"),
)
def approve(returnId: ReturnId, body: DecisionIn | None = None) -> ReturnOut:
    """The order's seller or staff, while the return waits for a decision (409
    RETURN_NOT_PENDING otherwise). The buyer then sends the goods back."""
    caller = require(app)
    item = service.visible(returnId, caller)
    return ReturnOut(**service.approve(item, caller, body.reason if body else None))


@app.post(
    "/returns/<returnId>/reject",
    tags=["returns"],
    summary="Refuse a return",
    security=bearer("admin", "seller", "staff"),
)
def reject(returnId: ReturnId, body: DecisionIn | None = None) -> ReturnOut:
    """The order's seller or staff, while the return waits for a decision. Nothing is
    refunded; the order's escrow can be released again."""
    caller = require(app)
    item = service.visible(returnId, caller)
    return ReturnOut(**service.reject(item, caller, body.reason if body else None))


@app.post(
    "/returns/<returnId>/receive",
    tags=["returns"],
    summary="The goods came back",
    security=bearer("admin", "seller", "staff"),
)
def receive(returnId: ReturnId) -> ReturnOut:
    """The order's seller or staff, once APPROVED: the units are restocked and the refund
    is made. 409 RETURN_NOT_PENDING before approval or after expiry."""
    caller = require(app)
    return ReturnOut(**service.receive(service.visible(returnId, caller), caller))


handler = lambda_handler(app)
