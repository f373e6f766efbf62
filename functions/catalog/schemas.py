"""The catalog API's request and response shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from catalog import domain
from titan.schemas import Money

SOURCE_ID = r"^[0-9a-f]{32}$"

Title = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
Description = Annotated[str, Field(max_length=5000)]


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["sellers", "products", "offers"] = Field(
        description="What the CSV holds; import sellers and products before offers"
    )


class Upload(BaseModel):
    url: str
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]
    expiresIn: int = Field(description="Seconds the URL stays valid")


class ImportCreated(BaseModel):
    importId: str
    kind: str
    status: str
    upload: Upload


class Counts(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int


class RowProblem(BaseModel):
    row: int = Field(description="Data row number; 1 is the line after the header")
    reason: str
    key: str | None = None


class ImportReport(BaseModel):
    importId: str
    kind: str
    status: Literal["AWAITING_UPLOAD", "RUNNING", "COMPLETED", "FAILED"]
    counts: Counts
    errors: list[RowProblem] = Field(description="Up to 200 skipped rows with reasons, by row")
    failure: str | None = None
    createdAt: str
    startedAt: str | None = None
    completedAt: str | None = None


class CategoryNode(BaseModel):
    id: str
    name: str
    productCount: int
    builtIn: bool = Field(description="One of the Olist categories: not editable")


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=2, max_length=60, pattern=domain.SLUG.pattern)
    name: Title
    department: str = Field(max_length=40, description="One of the departments' ids")
    sourceName: str | None = Field(
        default=None, min_length=1, max_length=80, description="The name CSV imports may use"
    )


class CategoryPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Title | None = None
    department: str | None = Field(default=None, max_length=40)


class CategoryOut(BaseModel):
    id: str
    name: str
    department: str
    sourceName: str | None
    builtIn: bool


class Department(BaseModel):
    id: str
    name: str
    productCount: int
    categories: list[CategoryNode]


class CategoryTree(BaseModel):
    productCount: int
    departments: list[Department]


class CategoryRef(BaseModel):
    id: str
    name: str
    department: str


class RatingOut(BaseModel):
    """Stars from verified buyers' reviews (the reviews context)."""

    average: float | None = Field(default=None, description="Mean stars, 2 decimals; null: none")
    count: int = 0
    distribution: dict[str, int] = Field(
        default_factory=lambda: {str(s): 0 for s in range(1, 6)},
        description="Reviews per score, keys 1 to 5",
    )


class RatingSummary(BaseModel):
    average: float | None = Field(default=None, description="Mean stars; null: no reviews")
    count: int = 0


class OfferOut(BaseModel):
    offerId: str
    sellerId: str
    price: Money
    freight: Money
    status: str
    sellerRating: RatingSummary = Field(default_factory=RatingSummary)


class Dimensions(BaseModel):
    weightG: int | None = None
    lengthCm: int | None = None
    heightCm: int | None = None
    widthCm: int | None = None


class ProductOut(BaseModel):
    productId: str
    title: str
    description: str | None = None
    category: CategoryRef
    status: str
    photoCount: int | None = None
    attributes: Dimensions
    offers: list[OfferOut]
    rating: RatingOut = Field(default_factory=RatingOut)


class SellerOut(BaseModel):
    sellerId: str
    city: str
    state: str
    offerCount: int
    rating: RatingOut = Field(default_factory=RatingOut)


PriceIn = Annotated[int, Field(gt=0, le=100_000_000, description="BRL centavos")]
FreightIn = Annotated[int, Field(ge=0, le=10_000_000, description="BRL centavos")]
Measure = Annotated[int, Field(ge=0, le=1_000_000)]


class OfferPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    price: PriceIn | None = None
    freight: FreightIn | None = None
    status: Literal["ACTIVE", "INACTIVE"] | None = Field(
        default=None, description="INACTIVE pauses the offer: it leaves browse and search"
    )


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    productId: Annotated[str, Field(pattern=SOURCE_ID)]
    sellerId: Annotated[str, Field(pattern=SOURCE_ID)]
    price: PriceIn
    freight: FreightIn


class AttributesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weightG: Measure | None = None
    lengthCm: Measure | None = None
    heightCm: Measure | None = None
    widthCm: Measure | None = None


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title
    category: str = Field(max_length=80, description="Category id, or its Olist name")
    description: Description | None = None
    photoCount: Measure | None = None
    attributes: AttributesIn = AttributesIn()


class ProductPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    category: str | None = Field(default=None, max_length=80)
    description: Description | None = None
    status: Literal["ACTIVE", "INACTIVE"] | None = None
    photoCount: Measure | None = None
    attributes: AttributesIn | None = None


class PricePoint(BaseModel):
    price: Money
    freight: Money
    changedAt: str
    changedBy: str


class OfferDetail(OfferOut):
    productId: str
    priceHistory: list[PricePoint] = Field(description="Oldest first")
    productRating: RatingSummary = Field(default_factory=RatingSummary)


class OfferSummary(BaseModel):
    offerId: str
    sellerId: str
    price: Money
    freight: Money


class ProductSummary(BaseModel):
    productId: str
    title: str
    category: CategoryRef
    offerCount: int
    bestOffer: OfferSummary | None = Field(
        description="The cheapest active offer (price + freight); null when none"
    )
    rating: RatingSummary = Field(default_factory=RatingSummary)


class ProductPage(BaseModel):
    items: list[ProductSummary]
    total: int = Field(description="Products matching, over all pages")
    nextCursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end"
    )


class CategoryFacet(BaseModel):
    id: str
    name: str
    count: int


class StateFacet(BaseModel):
    state: str = Field(description="Brazilian UF of an offering seller")
    count: int


class PriceFacet(BaseModel):
    min: int | None = Field(description="Centavos, inclusive; null: no lower bound")
    max: int | None = Field(description="Centavos, exclusive; null: no upper bound")
    count: int


class Facets(BaseModel):
    category: list[CategoryFacet]
    sellerState: list[StateFacet]
    price: list[PriceFacet] = Field(description="Counts by the best offer's price")


class SearchResults(ProductPage):
    query: str
    facets: Facets


class ReindexQueued(BaseModel):
    status: Literal["QUEUED"] = "QUEUED"
    currentVersion: int = Field(description="The index version searches use now")


def money(amount) -> Money:
    """BRL minor units as Money."""
    return Money.of(amount, domain.CURRENCY)


def attribute_fields(body: ProductIn | ProductPatch) -> dict:
    """The product item's attribute fields among those the request set."""
    given = body.model_dump(exclude_unset=True)
    fields = {}
    if "photoCount" in given:
        fields["photo_count"] = given["photoCount"]
    names = {
        "weightG": "weight_g",
        "lengthCm": "length_cm",
        "heightCm": "height_cm",
        "widthCm": "width_cm",
    }
    for key, value in (given.get("attributes") or {}).items():
        fields[names[key]] = value
    return fields
