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

import os
from datetime import datetime
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flashsales import domain, service
from flashsales.store import Sale
from titan import clock
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.errors import Problem, Unprocessable
from titan.events import publish
from titan.idempotency import idempotent, require_key
from titan.ids import new_id
from titan.saga import call_step
from titan.schemas import Money

app = create_app()
SALE_ID = r"^fs_[0-9A-HJKMNP-TV-Z]{26}$"
#: Rate limits of the purchase route: a customer may try 5 times at once and then once a
#: second; all the customers behind one IP address (a NAT) ``FLASH_IP_RATE`` times a second
#: (100 unless set), with a burst of three seconds' worth.
CUSTOMER_LIMIT = domain.Bucket(rate=1, burst=5)


def ip_limit() -> domain.Bucket:
    rate = float(os.environ.get("FLASH_IP_RATE") or 100)
    return domain.Bucket(rate=rate, burst=max(1, int(3 * rate)))


MAX_DURATION_SECONDS = 7 * 86400


class SaleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    productId: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    sellerId: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    salePrice: Annotated[int, Field(ge=1, description="Minor units; below the offer's price")]
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    perCustomerLimit: Annotated[int, Field(ge=1, le=99)]
    startsAt: datetime
    endsAt: datetime
    holdSeconds: Annotated[
        int, Field(ge=10, le=900, description="How long a reservation waits for its checkout")
    ] = 600
    expectedRate: Annotated[
        int, Field(ge=1, le=1_000_000, description="Purchase attempts per second to plan for")
    ] = 1_000

    @model_validator(mode="after")
    def _window(self) -> SaleIn:
        if self.startsAt.tzinfo is None or self.endsAt.tzinfo is None:
            raise ValueError("startsAt and endsAt need a time zone")
        if self.endsAt <= self.startsAt:
            raise ValueError("endsAt must be after startsAt")
        if (self.endsAt - self.startsAt).total_seconds() > MAX_DURATION_SECONDS:
            raise ValueError("a flash sale lasts at most 7 days")
        return self


class SaleOut(BaseModel):
    saleId: str
    productId: str
    sellerId: str
    offerId: str
    title: str
    salePrice: Money
    listPrice: Money
    quantity: int
    remaining: int = Field(description="Units not reserved (the sum of the stock shards)")
    perCustomerLimit: int
    startsAt: datetime
    endsAt: datetime
    phase: Literal["UPCOMING", "ACTIVE", "ENDED"]
    secondsToStart: int = Field(description="0 once started")
    secondsToEnd: int = Field(description="0 once ended")
    holdSeconds: int
    shards: int


class SalesOut(BaseModel):
    sales: list[SaleOut]


class ReservationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: Annotated[int, Field(ge=1, le=99)] = 1


class ReservationOut(BaseModel):
    reservationId: str
    saleId: str
    quantity: int
    unitPrice: Money
    status: str
    expiresAt: datetime


def _sale_out(sale: Sale, left: int | None = None) -> SaleOut:
    now = clock.now()
    starts, ends = clock.parse(sale.starts_at), clock.parse(sale.ends_at)
    money = lambda amount: Money(amount=int(amount), currency=sale.currency)  # noqa: E731
    return SaleOut(
        saleId=sale.sale_id,
        productId=sale.product_id,
        sellerId=sale.seller_id,
        offerId=sale.offer_id,
        title=sale.title,
        salePrice=money(sale.sale_price),
        listPrice=money(sale.list_price),
        quantity=int(sale.quantity),
        remaining=sum(service.remaining(sale).values()) if left is None else left,
        perCustomerLimit=int(sale.per_customer_limit),
        startsAt=starts,
        endsAt=ends,
        phase=domain.phase(starts, ends, now),
        secondsToStart=max(0, int((starts - now).total_seconds())),
        secondsToEnd=max(0, int((ends - now).total_seconds())),
        holdSeconds=int(sale.hold_seconds),
        shards=int(sale.shards),
    )


def create(body: SaleIn, actor: str) -> dict:
    """Set the units aside in inventory, then store the sale; the pool is given back if the
    sale can't be stored. ``{"status": 201, "body": SaleOut}``; Problems as the route says."""
    if body.endsAt <= clock.now():
        raise Unprocessable("The sale would be over already.", code="SALE_WINDOW_INVALID")
    line = {"productId": body.productId, "sellerId": body.sellerId, "quantity": body.quantity}
    quoted = call_step("CATALOG_STEPS_FUNCTION", "quote", {"lines": [line]})
    offer = quoted["lines"][0]
    if body.salePrice >= offer["unitPrice"]:
        raise Unprocessable(
            "The sale price must be below the offer's price.",
            code="SALE_PRICE_NOT_LOWER",
            listPrice=offer["unitPrice"],
        )
    sale_id = new_id("fs")
    pool_id = "fsp_" + sale_id.split("_", 1)[1]
    # The pool outlives the sale by the longest a reservation and its checkout can take.
    hold = int((body.endsAt - clock.now()).total_seconds()) + body.holdSeconds + 3600
    call_step(
        "INVENTORY_STEPS_FUNCTION",
        "reserve",
        {
            "reservationId": pool_id,
            "lines": [{"offerId": offer["offerId"], "quantity": body.quantity}],
            "holdSeconds": hold,
            "pool": True,
        },
    )
    sale = Sale(
        *Sale.key(sale_id),
        sale_id=sale_id,
        product_id=body.productId,
        seller_id=body.sellerId,
        offer_id=offer["offerId"],
        title=offer["title"],
        list_price=offer["unitPrice"],
        sale_price=body.salePrice,
        currency=quoted["currency"],
        quantity=body.quantity,
        per_customer_limit=body.perCustomerLimit,
        starts_at=clock.iso(body.startsAt),
        ends_at=clock.iso(body.endsAt),
        hold_seconds=body.holdSeconds,
        expected_rate=body.expectedRate,
        pool_id=pool_id,
        created_by=actor,
        created_at=clock.iso(),
    )
    try:
        service.create_sale(sale)
    except Exception:
        call_step(
            "INVENTORY_STEPS_FUNCTION",
            "release",
            {"reservationId": pool_id, "reason": "SALE_NOT_CREATED"},
        )
        raise
    return {"status": 201, "body": _sale_out(sale, body.quantity).model_dump(mode="json")}


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
        app, "flash-sale", caller.id, body.model_dump(mode="json"), lambda: create(body, caller.id)
    )
    return Response(201, "application/json", SaleOut(**answer["body"]))


@app.get("/flash-sales", tags=["flash sales"], summary="Upcoming and active flash sales")
def list_sales(
    phase: Annotated[Literal["UPCOMING", "ACTIVE"] | None, Query()] = None,
) -> SalesOut:
    """Sales that have not ended, soonest end first; ``phase`` keeps one kind."""
    sales = [_sale_out(sale) for sale in service.open_sales()]
    return SalesOut(sales=[s for s in sales if s.phase != "ENDED" and phase in (None, s.phase)])


@app.get("/flash-sales/<saleId>", tags=["flash sales"], summary="A flash sale")
def get_sale(saleId: Annotated[str, Path(pattern=SALE_ID)]) -> SaleOut:
    """404 SALE_NOT_FOUND."""
    return _sale_out(service.get_sale(saleId))


def purchase(sale_id: str, customer_id: str, quantity: int) -> dict:
    """Reserve, then queue the expiry; ``{"status": 201, "body": ReservationOut}``. A refusal
    is kept as the key's answer too: ``{"status": 409, "body": problem}``."""
    try:
        hold = service.reserve(sale_id, customer_id, quantity, new_id("fsr"))
    except Problem as refused:
        if refused.code == "SOLD_OUT":
            sale = service.get_sale(sale_id, cached=True)
            event = service.sold_out_event(sale)
            publish([event] if event else [])
        if refused.status >= 500:
            raise
        return {"status": refused.status, "body": refused.body()}
    sale = service.get_sale(sale_id, cached=True)
    service.schedule_expiry(hold.reservation_id, int(sale.hold_seconds))
    out = ReservationOut(
        reservationId=hold.reservation_id,
        saleId=sale_id,
        quantity=int(hold.quantity),
        unitPrice=Money(amount=int(sale.sale_price), currency=sale.currency),
        status=hold.status,
        expiresAt=clock.parse(hold.expires_at),
    )
    return {"status": 201, "body": out.model_dump(mode="json")}


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
    service.limit("ip", source_ip, ip_limit())
    service.limit("customer", customer, CUSTOMER_LIMIT)
    answer = idempotent(
        app,
        "flash-reservation",
        customer,
        {"saleId": saleId, **body.model_dump()},
        lambda: purchase(saleId, customer, body.quantity),
    )
    if answer["status"] >= 400:
        raise Problem.from_body(answer["body"])
    return Response(201, "application/json", ReservationOut(**answer["body"]))


handler = lambda_handler(app)
