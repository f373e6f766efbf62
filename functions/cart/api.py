"""Cart API (customers): ``GET /cart``, ``POST /cart/items``, ``PATCH /cart/items/{lineId}``,
``DELETE /cart/items/{lineId}``. Prices shown are the catalog's current ones; the checkout
reads them again when the order is priced."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from cart import service
from titan import ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.schemas import Money

app = create_app()

SOURCE_ID = ids.SOURCE_ID
LINE_ID = r"^ln_[0-9a-f]{20}$"
SKU_ID = ids.pattern("sku")
Quantity = Annotated[int, Field(ge=1, le=99, description="Units, 1-99")]


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    productId: Annotated[str, Field(pattern=SOURCE_ID)]
    sellerId: Annotated[str, Field(pattern=SOURCE_ID)]
    skuId: Annotated[
        str | None,
        Field(
            pattern=SKU_ID,
            description="A variant (SKU) of a seller's listing; omit for a product's only offer",
        ),
    ] = None
    quantity: Quantity


class QuantityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: Quantity


class CartLineOut(BaseModel):
    lineId: str
    productId: str
    sellerId: str
    skuId: str | None = None
    quantity: int
    available: bool = Field(description="False when the offer is not sold now")
    unavailableReason: str | None = Field(
        None, description="OFFER_UNAVAILABLE, or SHOP_ON_VACATION (sold again once it is back)"
    )
    offerId: str | None = None
    title: str | None = None
    unitPrice: Money | None = None
    freight: Money | None = Field(None, description="Freight for the whole line")
    lineTotal: Money | None = None


class CartOut(BaseModel):
    lines: list[CartLineOut]
    itemCount: int
    subtotal: Money
    freight: Money
    total: Money


class ShippingOptionOut(BaseModel):
    service: str = Field(description="What to send as the package's choice at checkout")
    carrier: str
    name: str
    freight: Money = Field(description="Carriage the buyer pays")
    insurance: Money = Field(description="Declared-value insurance the buyer pays")
    total: Money
    subsidy: Money = Field(description="Carriage someone else pays (free shipping)")
    fundedBy: str | None = Field(None, description="Who pays the subsidy: PLATFORM or SELLER")
    transitDays: int = Field(description="The service's business days from hand-over")
    promisedBy: str = Field(description="Promised delivery date (ISO), if bought now")


class PackageOptionsOut(BaseModel):
    sellerId: str
    lineIds: list[str]
    options: list[ShippingOptionOut] = Field(description="Cheapest first; SELLER always there")


class ShippingOptionsOut(BaseModel):
    addressId: str
    packages: list[PackageOptionsOut] = Field(description="One per seller")
    unavailableLineIds: list[str] = Field(description="Lines no longer sold: in no package")


@app.get("/cart", tags=["cart"], summary="My cart with current prices", security=bearer("customer"))
def get_cart() -> CartOut:
    """Lines with the catalog's current prices and freight; totals leave out unavailable lines."""
    return CartOut(**service.view(require(app).id))


@app.get(
    "/cart/shipping-options",
    tags=["cart"],
    summary="Shipping options for each seller's package",
    security=bearer("customer"),
)
def shipping_options(
    addressId: Annotated[str, Query(pattern=r"^addr_[0-9A-HJKMNP-TV-Z]{26}$")],
) -> ShippingOptionsOut:
    """The cart splits into one package per seller; each has the seller's own rate and
    every carrier service that takes it, with price and promised date. Send the chosen
    ``service`` per ``sellerId`` as ``shipping`` to ``POST /checkout``. 422 EMPTY_CART,
    ADDRESS_NOT_FOUND, ADDRESS_INCOMPLETE."""
    return ShippingOptionsOut(**service.shipping_options(require(app).id, addressId))


@app.post(
    "/cart/items",
    tags=["cart"],
    summary="Add an offer to my cart",
    security=bearer("customer"),
    responses=answers(201, CartLineOut),
)
def add_line(body: LineIn) -> Response[CartLineOut]:
    """201 with the line. The same offer again adds to its line (at most 99 units: 422
    QUANTITY_LIMIT); at most 40 lines (422 CART_FULL); an offer not sold: 409 OFFER_UNAVAILABLE."""
    customer = require(app).id
    line = service.add(customer, body.productId, body.sellerId, body.quantity, body.skuId)
    return Response(201, "application/json", CartLineOut(**service.line_view(line)))


@app.patch(
    "/cart/items/<lineId>",
    tags=["cart"],
    summary="Change a line's quantity",
    security=bearer("customer"),
)
def patch_line(lineId: Annotated[str, Path(pattern=LINE_ID)], body: QuantityIn) -> CartLineOut:
    """404 LINE_NOT_FOUND for a line not in my cart."""
    customer = require(app).id
    return CartLineOut(**service.line_view(service.set_quantity(customer, lineId, body.quantity)))


@app.delete(
    "/cart/items/<lineId>",
    tags=["cart"],
    summary="Remove a line",
    security=bearer("customer"),
    responses=answers(204),
)
def delete_line(lineId: Annotated[str, Path(pattern=LINE_ID)]) -> Response[None]:
    """204; 404 LINE_NOT_FOUND for a line not in my cart."""
    service.remove(require(app).id, lineId)
    return Response(204, None, None)


handler = lambda_handler(app)
