"""Events published by the catalog context (source ``titan.catalog``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from contracts.base import Contract, Event, Money
from titan.ids import SkuId, SourceId

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
OfferId = Annotated[str, Field(pattern=r"^off_[0-9a-f]{20}$", description="off_ and 20 hex digits")]
ProductStatus = Literal["ACTIVE", "INACTIVE"]


class CategoryFacts(Contract):
    """A category as it stands."""

    categoryId: Slug
    name: Annotated[str, Field(min_length=1)]
    department: str


class ProductFacts(Contract):
    """A product as search and the other contexts see it."""

    productId: SourceId
    title: str
    category: str
    status: ProductStatus


class OfferKeys(Contract):
    """Which offer: its id, its product and its seller."""

    offerId: OfferId
    productId: SourceId
    sellerId: SourceId
    skuId: Annotated[
        SkuId | None,
        Field(
            description="The variant (SKU) of a seller's listing; absent: the product's only one"
        ),
    ] = None


class CategoryCreated(CategoryFacts, Event, source="titan.catalog"):
    """Staff created a category (built-in Olist categories never change)."""


class CategoryDeleted(CategoryFacts, Event, source="titan.catalog"):
    """Staff deleted an empty category."""


class CategoryUpdated(CategoryFacts, Event, source="titan.catalog"):
    """Staff renamed a category or moved it to another department."""


class OfferCreatedOrigin(Contract):
    """Where the seller ships from (the seller's location)"""

    city: str
    state: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    zipPrefix: Annotated[str, Field(pattern=r"^[0-9]{5}$")]


class OfferCreated(OfferKeys, Event, source="titan.catalog"):
    """A seller started offering a product."""

    price: Money
    freight: Money
    origin: Annotated[
        OfferCreatedOrigin, Field(description="Where the seller ships from (the seller's location)")
    ]
    openingUnits: Annotated[
        int | None,
        Field(
            ge=0,
            description="Units a seller declared for a listing's variant; absent: the default",
        ),
    ] = None


class OfferDeleted(OfferKeys, Event, source="titan.catalog"):
    """A seller's offer was withdrawn (its price history stays)."""


class OfferPriceChanged(OfferKeys, Event, source="titan.catalog"):
    """An offer's price or freight changed."""

    price: Money
    freight: Money
    previousPrice: Money
    previousFreight: Money


class OfferUpdated(OfferKeys, Event, source="titan.catalog"):
    """An offer was paused (INACTIVE) or resumed (ACTIVE); price changes are OfferPriceChanged."""

    status: ProductStatus


class ProductCreated(ProductFacts, Event, source="titan.catalog"):
    """A product joined the catalog."""


class ProductDeleted(ProductFacts, Event, source="titan.catalog"):
    """A product left the catalog (its offers went with it: OfferDeleted for each). The data is the
    product as it was.
    """


class ProductUpdated(ProductFacts, Event, source="titan.catalog"):
    """A product's catalog data changed."""


class SellerVacationChanged(Event, source="titan.catalog"):
    """A shop went on vacation (its offers leave search, the cart and checkout) or came back."""

    sellerId: SourceId
    onVacation: bool


class SearchReindexRequested(Event, source="titan.catalog"):
    """Staff asked for the search index to be rebuilt from the catalog table."""

    requestedBy: Annotated[str, Field(description="Account id of the staff member or admin")]
