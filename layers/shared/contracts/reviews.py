"""Events published by the reviews context (source ``titan.reviews``).

A review event carries the review as it stands (``ReviewFacts``), never its words: they may be
the very thing moderation held. ``RatingChanged`` carries a product's or seller's stars whole,
with ``sequence`` so a consumer keeps the newest when deliveries arrive out of order.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from contracts.base import Contract, Event
from titan.ids import AccountId, OrderId, ReviewId

Kind = Literal["PRODUCT", "SELLER"]


class ReviewFacts(Contract):
    """A review as it stands."""

    reviewId: ReviewId
    kind: Annotated[
        Kind,
        Field(description="A product's review (of an order line) or a seller's (of a package)"),
    ]
    subjectId: Annotated[str, Field(description="The product's or the seller's id")]
    orderId: OrderId
    productId: str | None = None
    sellerId: str
    authorId: AccountId
    rating: Annotated[int, Field(ge=1, le=5, description="Stars, 1 to 5")]
    status: Literal["PUBLISHED", "HELD", "REJECTED", "DELETED"]
    imported: Annotated[bool, Field(description="Brought in by a bulk import of past reviews")] = (
        False
    )


class Finding(Contract):
    code: str
    detail: str


class ReviewPublished(ReviewFacts, Event, source="titan.reviews"):
    """A review is public: it passed moderation, or staff published it."""


class ReviewHeld(ReviewFacts, Event, source="titan.reviews"):
    """Moderation (or readers' reports) held a review for staff, with what it found."""

    reasons: list[Finding]


class SellerReplied(Event, source="titan.reviews"):
    """The seller answered a review, publicly (once)."""

    reviewId: ReviewId
    sellerId: str
    authorId: AccountId
    productId: str | None = None


class RatingChanged(Event, source="titan.reviews"):
    """A product's or seller's stars changed (a review counted, edited, deleted, judged)."""

    subject: Kind
    subjectId: str
    average: Annotated[
        float | None, Field(description="Mean stars, 2 decimals; null with no reviews")
    ]
    count: Annotated[int, Field(ge=0)]
    distribution: Annotated[dict[str, int], Field(description="Reviews per score, keys 1 to 5")]
    sequence: Annotated[
        int, Field(ge=1, description="Grows with each change of this subject's stars")
    ]
