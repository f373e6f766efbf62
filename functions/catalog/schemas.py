"""The catalog API's request and response shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from catalog import domain, listing
from titan import ids
from titan.schemas import Money

SOURCE_ID = ids.SOURCE_ID

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


class ImageOut(BaseModel):
    key: str
    url: str = Field(description="The original, a link valid for an hour")
    thumbnails: dict[str, str] = Field(
        description="Links by size in pixels (200, 600): WebP made on upload; they exist a "
        "moment after the upload"
    )


class OfferOut(BaseModel):
    offerId: str
    sellerId: str
    price: Money
    freight: Money
    status: str = Field(description="ACTIVE, INACTIVE (paused) or DRAFT (listing unpublished)")
    sellerRating: RatingSummary = Field(default_factory=RatingSummary)
    skuId: str | None = Field(
        default=None, description="The variant (SKU) of a seller's listing; null: the only one"
    )
    options: dict[str, str] = Field(default_factory=dict, description="The variant's values")
    sellerSku: str | None = None
    gtin: str | None = None
    images: list[ImageOut] = Field(default_factory=list)


class Dimensions(BaseModel):
    weightG: int | None = None
    lengthCm: int | None = None
    heightCm: int | None = None
    widthCm: int | None = None


class OptionOut(BaseModel):
    name: str
    values: list[str]


class RejectionOut(BaseModel):
    reasons: list[str]
    note: str | None = None
    by: str = Field(description="The staff member's account id, or `rules` (automatic)")


class ProductOut(BaseModel):
    productId: str
    title: str
    description: str | None = None
    category: CategoryRef
    status: str = Field(description="ACTIVE: on sale; INACTIVE: hidden")
    photoCount: int | None = None
    attributes: Dimensions
    offers: list[OfferOut] = Field(description="Every seller's offers; a listing's variants")
    rating: RatingOut = Field(default_factory=RatingOut)
    sellerId: str | None = Field(
        default=None, description="The seller whose listing this is; null: a catalog product"
    )
    moderation: str | None = Field(
        default=None, description="DRAFT, SUBMITTED, PUBLISHED or REJECTED; null: not a listing"
    )
    rejection: RejectionOut | None = None
    options: list[OptionOut] = Field(default_factory=list)
    categoryAttributes: dict[str, str | int | float] = Field(default_factory=dict)
    images: list[ImageOut] = Field(default_factory=list)


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


OptionName = Annotated[str, Field(min_length=1, max_length=30, pattern=r"\S")]
OptionValue = Annotated[str, Field(min_length=1, max_length=40, pattern=r"\S")]
ImageKey = Annotated[str, Field(min_length=1, max_length=200)]
Images = Annotated[list[ImageKey], Field(max_length=8, description="Keys of uploaded images")]
AttributeValue = Annotated[str, Field(max_length=120)] | int | float


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: OptionName = Field(description="Size, Colour, ...")
    values: list[OptionValue] = Field(min_length=1, max_length=30)


class VariantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    options: dict[OptionName, OptionValue] = Field(
        default_factory=dict, max_length=3, description="One value of each of the options"
    )
    sellerSku: str | None = Field(
        default=None, min_length=1, max_length=50, pattern=r"^[A-Za-z0-9._/-]+$"
    )
    gtin: str | None = Field(
        default=None, pattern=r"^[0-9]{8,14}$", description="EAN/UPC barcode, check digit valid"
    )
    price: PriceIn
    freight: FreightIn = 0
    stock: int = Field(default=0, ge=0, le=1_000_000, description="Units in the seller's warehouse")
    images: Images = []


class ListingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title
    category: str = Field(max_length=80, description="Category id, or its Olist name")
    description: Description | None = None
    dimensions: AttributesIn = AttributesIn()
    categoryAttributes: dict[Annotated[str, Field(max_length=40)], AttributeValue] = Field(
        default_factory=dict, max_length=30, description="The category's attribute set"
    )
    options: list[OptionIn] = Field(default_factory=list, max_length=3)
    variants: list[VariantIn] = Field(min_length=1, max_length=40)
    images: Images = []


class VariantPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    price: PriceIn | None = None
    freight: FreightIn | None = None
    gtin: str | None = Field(default=None, pattern=r"^[0-9]{8,14}$")
    sellerSku: str | None = Field(
        default=None, min_length=1, max_length=50, pattern=r"^[A-Za-z0-9._/-]+$"
    )
    images: Images | None = None


class ListingPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    description: Description | None = None
    dimensions: AttributesIn | None = None
    categoryAttributes: dict[Annotated[str, Field(max_length=40)], AttributeValue] | None = Field(
        default=None, max_length=30
    )
    images: Images | None = None


class ImageUploadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contentType: Literal["image/jpeg", "image/png", "image/webp"]


class ListingRejectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reasons: list[Literal[listing.REJECTION_REASONS]] = Field(min_length=1, max_length=6)
    note: str | None = Field(default=None, max_length=1000)


class ListingPage(BaseModel):
    items: list[ProductOut]
    nextCursor: str | None = Field(description="Pass as `cursor` for the next page")


class AttributeSpec(BaseModel):
    name: str
    kind: Literal["text", "choice", "number"]
    required: bool
    choices: list[str] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    unit: str | None = None


class CategoryAttributes(BaseModel):
    categoryId: str
    attributes: list[AttributeSpec]


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
    for key, value in (given.get("attributes") or {}).items():
        fields[domain.DIMENSIONS[key]] = value
    return fields
