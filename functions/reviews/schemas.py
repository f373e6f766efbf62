"""The reviews API's request and response shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from titan import ids
from titan.ids import OrderId

SOURCE_ID = ids.SOURCE_ID
Stars = Annotated[int, Field(ge=1, le=5, description="Stars, 1 to 5")]
Title = Annotated[str, Field(max_length=120)]
Text = Annotated[str, Field(max_length=4000)]
PhotoKey = Annotated[
    str, Field(max_length=200, pattern=r"^uploads/[A-Za-z0-9_]+/[A-Za-z0-9_]+\.(jpg|png|webp)$")
]
Photos = Annotated[
    list[PhotoKey],
    Field(max_length=5, description="Keys of uploaded photos (POST /reviews/photos)"),
]


class ReviewIn(BaseModel):
    """A review of one line's product (``lineId``) or of one package's seller (``sellerId``)."""

    model_config = ConfigDict(extra="forbid")
    lineId: Annotated[str, Field(max_length=40)] | None = None
    sellerId: Annotated[str, Field(pattern=SOURCE_ID)] | None = None
    rating: Stars
    title: Title = ""
    text: Text = ""
    photos: Photos = []

    @model_validator(mode="after")
    def one_target(self) -> ReviewIn:
        if (self.lineId is None) == (self.sellerId is None):
            raise ValueError("name exactly one of lineId (a product) or sellerId (a seller)")
        return self


class ReviewPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: Stars | None = None
    title: Title | None = None
    text: Text | None = None
    photos: Photos | None = None


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    helpful: bool = Field(description="true: this review helped; false: it did not")


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Literal["OFFENSIVE", "CONTACT_DATA", "SPAM", "NOT_ABOUT_PRODUCT", "FAKE", "OTHER"]
    note: Annotated[str, Field(max_length=500)] | None = None


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=2000)]


class ReviewDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["PUBLISH", "REJECT"]
    reason: Annotated[str, Field(max_length=500)] | None = None
    genuine: bool = Field(
        default=True,
        description="false with REJECT: staff judge the review not genuine; its stars leave "
        "the ratings",
    )


class ReviewPhotoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contentType: Literal["image/jpeg", "image/png", "image/webp"]
    size: Annotated[int, Field(ge=1, le=5 * 1024 * 1024, description="Bytes, at most 5 MB")]


class ReviewPhotoUpload(BaseModel):
    url: str
    fields: dict[str, str] = Field(description="POST them as form fields, then the file as `file`")
    key: str = Field(description="Name this key in the review's photos")
    expiresIn: int = Field(description="Seconds")


class ReviewFinding(BaseModel):
    code: str
    detail: str


class ReviewReply(BaseModel):
    text: str
    at: str
    by: str


class ReviewOut(BaseModel):
    reviewId: str
    kind: Literal["PRODUCT", "SELLER"]
    productId: str | None
    sellerId: str
    orderId: str | None = Field(description="Only for its author and staff")
    rating: int
    title: str
    text: str
    photos: list[str] = Field(description="Links to the photos, valid for an hour")
    status: Literal["PUBLISHED", "HELD", "REJECTED", "DELETED"]
    reasons: list[ReviewFinding] = Field(
        description="Why it is held or rejected (its author and staff)"
    )
    verifiedPurchase: bool
    imported: bool
    mine: bool
    helpful: int
    unhelpful: int
    reply: ReviewReply | None
    edited: bool
    history: list[dict] = Field(description="Earlier versions, oldest first (its author and staff)")
    createdAt: str
    updatedAt: str


class ReviewRating(BaseModel):
    average: float | None = Field(description="Mean stars, 2 decimals; null with no reviews")
    count: int
    distribution: dict[str, int] = Field(description="Reviews per score, keys 1 to 5")


class ReviewPage(BaseModel):
    items: list[ReviewOut]
    rating: ReviewRating
    total: int
    nextCursor: str | None


class HeldReviewPage(BaseModel):
    items: list[ReviewOut]
    nextCursor: str | None


class Reviewable(BaseModel):
    kind: Literal["PRODUCT", "SELLER"]
    lineId: str | None
    productId: str | None
    sellerId: str
    review: ReviewOut | None = Field(description="Null while not reviewed")


class OrderReviews(BaseModel):
    orderId: str
    items: list[Reviewable]


class ReviewImportRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sourceId: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
    orderId: OrderId
    rating: Stars
    title: Title = ""
    text: Text = ""
    createdAt: AwareDatetime = Field(description="RFC 3339 with an offset: when it was written")


class ReviewImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reviews: Annotated[list[ReviewImportRow], Field(min_length=1, max_length=100)]


class ReviewImportResult(BaseModel):
    sourceId: str
    orderId: str
    outcome: Literal[
        "PUBLISHED", "HELD", "REJECTED", "ALREADY_IMPORTED", "ORDER_NOT_FOUND", "NOTHING_TO_REVIEW"
    ]
    reviewIds: list[str]
    reasons: list[ReviewFinding]


class ReviewImportOut(BaseModel):
    results: list[ReviewImportResult]
