"""Flash sales API.

- ``POST /admin/flash-sales`` (staff, admin): a sale of ``quantity`` units of an offer at
  ``salePrice`` between ``startsAt`` and ``endsAt``. The units are set aside in inventory (a
  pool the sale's checkouts draw from; what is not sold goes back to stock after the sale).
- ``GET /flash-sales``, ``GET /flash-sales/{saleId}`` (public): upcoming and active sales
  with their remaining units and the seconds to their start and end.
- ``POST /flash-sales/{saleId}/reservations`` (customers, ``Idempotency-Key``): reserve units
  for the sale's hold time; pay them with ``POST /checkout {reservationId, ...}``. Rate
  limited per customer and per client IP (token buckets in DynamoDB; API Gateway throttles
  the route as a whole).
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from flashsales import service
from flashsales.schemas import ReservationIn, ReservationOut, SaleIn, SaleOut, SalesOut
from titan import ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.errors import Problem
from titan.idempotency import idempotent, require_key

app = create_app()
SALE_ID = ids.pattern("fs")


@app.post(
    "/admin/flash-sales",
    tags=["flash sales admin"],
    summary="Create a flash sale",
    security=bearer("admin", "staff"),
    responses=answers(201, SaleOut),
)
def create_sale(body: SaleIn) -> Response[SaleOut]:
    """Staff and admins; needs an ``Idempotency-Key``. The units are taken from the offer's
    stock now (409 OUT_OF_STOCK if it has fewer). 422 SALE_PRICE_NOT_LOWER,
    SALE_WINDOW_INVALID; 409 OFFER_UNAVAILABLE. ``expectedRate`` (purchase attempts/s) sizes
    the stock shards: one per 250/s."""
    caller = require(app)
    require_key(app)
    answer = idempotent(
        app,
        "flash-sale",
        caller.id,
        body.model_dump(mode="json"),
        lambda: service.create(body, caller.id),
    )
    return Response(201, "application/json", SaleOut(**answer["body"]))


@app.get("/flash-sales", tags=["flash sales"], summary="Upcoming and active flash sales")
def list_sales(
    phase: Annotated[Literal["UPCOMING", "ACTIVE"] | None, Query()] = None,
) -> SalesOut:
    """Sales that have not ended, soonest end first; ``phase`` keeps one kind."""
    sales = [service.sale_view(sale) for sale in service.open_sales()]
    return SalesOut(sales=[s for s in sales if s.phase != "ENDED" and phase in (None, s.phase)])


@app.get("/flash-sales/<saleId>", tags=["flash sales"], summary="A flash sale")
def get_sale(saleId: Annotated[str, Path(pattern=SALE_ID)]) -> SaleOut:
    """404 SALE_NOT_FOUND."""
    return service.sale_view(service.get_sale(saleId))


@app.post(
    "/flash-sales/<saleId>/reservations",
    tags=["flash sales"],
    summary="Reserve sale units",
    security=bearer("customer"),
    responses=answers(201, ReservationOut),
)
def reserve(
    saleId: Annotated[str, Path(pattern=SALE_ID)],
    body: ReservationIn,
) -> Response[ReservationOut]:
    """Customers; needs an ``Idempotency-Key`` (the same key gives the same answer and never a
    second reservation). 201 with the reservation, held for the sale's ``holdSeconds``: pay it
    with ``POST /checkout {reservationId}``, or its units go back to the sale. 409 SOLD_OUT,
    LIMIT_REACHED, SALE_NOT_ACTIVE; 404 SALE_NOT_FOUND; 429 RATE_LIMITED with Retry-After."""
    customer = require(app).id
    require_key(app)  # before the limits: a request refused anyway spends no token
    source_ip = app.current_event.request_context.identity.source_ip or "unknown"
    service.limit("ip", source_ip, service.ip_limit())
    service.limit("customer", customer, service.CUSTOMER_LIMIT)
    answer = idempotent(
        app,
        "flash-reservation",
        customer,
        {"saleId": saleId, **body.model_dump()},
        lambda: service.purchase(saleId, customer, body.quantity),
    )
    if answer["status"] >= 400:
        raise Problem.from_body(answer["body"])
    return Response(201, "application/json", ReservationOut(**answer["body"]))


handler = lambda_handler(app)
