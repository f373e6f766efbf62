"""Shipping API (public): ``GET /shipping/quotes`` prices a parcel on a route with every
carrier service that takes it, and the market rate."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shipping import domain, service
from shipping.schemas import ShippingQuotesOut
from titan import ids
from titan.api import create_app, lambda_handler

app = create_app()

ZIP = r"^[0-9]{5}(-?[0-9]{3})?$"
Zip = Annotated[str, Query(pattern=ZIP, description="CEP (8 digits) or its first 5 digits")]
Centimetres = Annotated[float, Query(gt=0, le=300, description="Outer size, cm")]


@app.get("/shipping/quotes", tags=["shipping"], summary="Quote a parcel with every carrier")
def quotes(
    fromZip: Zip,
    toZip: Zip,
    weightGrams: Annotated[int, Query(ge=1, le=100_000, description="Actual weight, grams")],
    lengthCm: Centimetres,
    heightCm: Centimetres,
    widthCm: Centimetres,
    declaredValue: Annotated[
        int, Query(ge=0, le=10**9, description="Value to insure, BRL centavos")
    ] = 0,
    items: Annotated[int, Query(ge=1, le=100, description="Items in the package")] = 1,
    sellerId: Annotated[
        str | None,
        Query(pattern=ids.SOURCE_ID, description="The seller: their hand-over history"),
    ] = None,
) -> ShippingQuotesOut:
    """Each service's freight, insurance, transit time and promised date, cheapest first. 422
    PARCEL_NOT_CARRIED when the parcel is too heavy or too large for every carrier."""
    parcel = domain.Parcel(weightGrams, lengthCm, heightCm, widthCm)
    return service.quote(fromZip, toZip, parcel, declaredValue, items, sellerId)


handler = lambda_handler(app)
