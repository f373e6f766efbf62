"""Reviews API: routes only (shapes in ``schemas``, use cases in ``service``).

Buyers: ``POST /orders/{orderId}/reviews`` (a delivered line's product or a package's seller),
``GET /orders/{orderId}/reviews`` (what is reviewed and what is left), ``PATCH`` / ``DELETE
/reviews/{reviewId}``, ``POST /reviews/photos`` (an upload form). Everyone signed in:
``POST /reviews/{reviewId}/votes`` and ``/reports``. The reviewed seller: ``POST
/reviews/{reviewId}/reply``. Public: ``GET /reviews/{reviewId}``, ``GET
/products/{productId}/reviews`` and ``GET /sellers/{sellerId}/reviews`` with the rating.
Staff: ``GET /admin/reviews`` (the held queue), ``POST /admin/reviews/{reviewId}/decision``,
``POST /admin/reviews/imports`` (past reviews, through moderation).
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from reviews import service
from reviews.domain import PRODUCT, SELLER
from reviews.schemas import (
    SOURCE_ID,
    HeldReviewPage,
    OrderReviews,
    ReplyIn,
    ReportIn,
    ReviewDecisionIn,
    ReviewImportIn,
    ReviewImportOut,
    ReviewIn,
    ReviewOut,
    ReviewPage,
    ReviewPatch,
    ReviewPhotoIn,
    ReviewPhotoUpload,
    VoteIn,
)
from titan import ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.idempotency import idempotent, request_key
from titan.ids import derived_id, new_id

app = create_app()
OrderId = Annotated[str, Path(pattern=ids.pattern("ord"))]
ReviewId = Annotated[str, Path(pattern=ids.pattern("rev"))]
SourceId = Annotated[str, Path(pattern=SOURCE_ID)]
Limit = Annotated[int, Query(ge=1, le=100, description="Reviews per page")]
Cursor = Annotated[str | None, Query(max_length=200, description="From a previous page")]
Sort = Annotated[
    Literal["helpful", "recent", "rating_desc", "rating_asc"],
    Query(description="helpful: most helpful first (Wilson lower bound, aged), then newest"),
]
StarsFilter = Annotated[int | None, Query(ge=1, le=5, description="Only reviews of these stars")]
WithPhotos = Annotated[bool, Query(description="Only reviews with photos")]


@app.post(
    "/orders/<orderId>/reviews",
    tags=["reviews"],
    summary="Review a product or seller of an order",
    security=bearer("customer"),
    responses=answers(201, ReviewOut),
)
def write_review(orderId: OrderId, body: ReviewIn) -> Response[ReviewOut]:
    """The buyer of a DELIVERED order (409 ORDER_NOT_DELIVERED), within the review window
    after delivery (409 REVIEW_WINDOW_CLOSED): one review per line's product (``lineId``; 409
    LINE_REFUNDED once refunded in full) and one per package's seller (``sellerId``); 409
    ALREADY_REVIEWED for a second. Moderation publishes it at once or holds it for staff
    (``status`` HELD, with ``reasons``). With an Idempotency-Key a retry answers the same."""
    caller = require(app)
    data = body.model_dump(mode="json")
    key = request_key(app)
    # Named by the key: a retry after a crash finds this review instead of writing another.
    review_id = derived_id("rev", caller.id, orderId, key) if key else new_id("rev")
    review = idempotent(
        app,
        "review",
        caller.id,
        {"orderId": orderId, **data},
        lambda: service.view(service.submit(caller.id, orderId, data, review_id), caller),
    )
    return Response(201, "application/json", ReviewOut(**review))


@app.get(
    "/orders/<orderId>/reviews",
    tags=["reviews"],
    summary="An order's reviews, and what is left to review",
    security=bearer("customer"),
)
def order_reviews(orderId: OrderId) -> OrderReviews:
    """The buyer: each line's product and each package's seller, with its review (null while
    not reviewed; held and rejected ones with their reasons)."""
    caller = require(app)
    return OrderReviews(orderId=orderId, items=service.order_reviews(caller, orderId))


@app.get("/reviews/<reviewId>", tags=["reviews"], summary="A published review")
def read_review(reviewId: ReviewId) -> ReviewOut:
    return ReviewOut(**service.view(service.published(reviewId), None))


@app.patch(
    "/reviews/<reviewId>",
    tags=["reviews"],
    summary="Edit your review",
    security=bearer("customer"),
)
def edit_review(reviewId: ReviewId, body: ReviewPatch) -> ReviewOut:
    """Its author, within the edit period (409 EDIT_WINDOW_CLOSED; 403 NOT_YOUR_REVIEW for
    anyone else). The words are moderated again; the earlier version is kept in ``history``."""
    caller = require(app)
    changes = body.model_dump(mode="json", exclude_unset=True)
    return ReviewOut(**service.view(service.edit(caller, reviewId, changes), caller))


@app.delete(
    "/reviews/<reviewId>",
    tags=["reviews"],
    summary="Delete your review",
    security=bearer("customer", "staff", "admin"),
    responses=answers(204),
)
def delete_review(reviewId: ReviewId) -> Response[None]:
    """Its author or staff (403 NOT_YOUR_REVIEW): it leaves the lists and the ratings."""
    service.delete(require(app), reviewId)
    return Response(204, None, None)


@app.post(
    "/reviews/<reviewId>/votes",
    tags=["reviews"],
    summary="Say whether a review helped",
    security=bearer(),
)
def vote(reviewId: ReviewId, body: VoteIn) -> ReviewOut:
    """One vote per account, which it may change; never on one's own review (403 OWN_REVIEW)."""
    caller = require(app)
    return ReviewOut(**service.view(service.vote(caller, reviewId, body.helpful), caller))


@app.post(
    "/reviews/<reviewId>/reports",
    tags=["reviews"],
    summary="Report a review",
    security=bearer(),
    responses=answers(202, ReviewOut),
)
def report(reviewId: ReviewId, body: ReportIn) -> Response[ReviewOut]:
    """Once per account (409 ALREADY_REPORTED), never one's own (403 OWN_REVIEW). Enough
    reports take the review back to staff."""
    caller = require(app)
    review = service.report(caller, reviewId, body.reason, body.note)
    return Response(202, "application/json", ReviewOut(**service.view(review, caller)))


@app.post(
    "/reviews/<reviewId>/reply",
    tags=["reviews"],
    summary="The seller's public reply",
    security=bearer("seller", "staff", "admin"),
)
def reply(reviewId: ReviewId, body: ReplyIn) -> ReviewOut:
    """The reviewed seller (or staff for them), once (409 ALREADY_REPLIED; 403
    NOT_YOUR_REVIEW). No contact details or profanity (422 REPLY_NOT_ALLOWED). A seller
    cannot remove a review."""
    caller = require(app)
    return ReviewOut(**service.view(service.reply(caller, reviewId, body.text), caller))


@app.post(
    "/reviews/photos",
    tags=["reviews"],
    summary="A form to upload a review photo",
    security=bearer("customer"),
    responses=answers(201, ReviewPhotoUpload),
)
def photo_upload(body: ReviewPhotoIn) -> Response[ReviewPhotoUpload]:
    """A presigned S3 POST form for one JPEG, PNG or WebP photo of at most ``size`` bytes
    (at most 5 MB); S3 refuses another type or a larger file. Name its ``key`` in a review's
    ``photos``."""
    caller = require(app)
    form = service.photo_upload(caller.id, body.contentType, body.size)
    return Response(201, "application/json", ReviewPhotoUpload(**form))


def _page(kind: str, subject: str, sort, rating, withPhotos, limit, cursor) -> ReviewPage:
    return ReviewPage(**service.listed(kind, subject, sort, rating, withPhotos, limit, cursor))


@app.get("/products/<productId>/reviews", tags=["reviews"], summary="A product's reviews")
def product_reviews(
    productId: SourceId,
    sort: Sort = "helpful",
    rating: StarsFilter = None,
    withPhotos: WithPhotos = False,
    limit: Limit = 10,
    cursor: Cursor = None,
) -> ReviewPage:
    """Published reviews of the product with its rating (mean, count, distribution)."""
    return _page(PRODUCT, productId, sort, rating, withPhotos, limit, cursor)


@app.get("/sellers/<sellerId>/reviews", tags=["reviews"], summary="A seller's reviews")
def seller_reviews(
    sellerId: SourceId,
    sort: Sort = "helpful",
    rating: StarsFilter = None,
    withPhotos: WithPhotos = False,
    limit: Limit = 10,
    cursor: Cursor = None,
) -> ReviewPage:
    """Published reviews of the seller with their rating (mean, count, distribution)."""
    return _page(SELLER, sellerId, sort, rating, withPhotos, limit, cursor)


@app.get(
    "/admin/reviews",
    tags=["reviews"],
    summary="Held reviews awaiting staff",
    security=bearer("staff", "admin"),
)
def held(limit: Limit = 20, cursor: Cursor = None) -> HeldReviewPage:
    """Oldest first, with what moderation or readers found."""
    require(app)
    return HeldReviewPage(**service.held_queue(limit, cursor))


@app.post(
    "/admin/reviews/<reviewId>/decision",
    tags=["reviews"],
    summary="Publish or reject a held review",
    security=bearer("staff", "admin"),
)
def decide(reviewId: ReviewId, body: ReviewDecisionIn) -> ReviewOut:
    """Only a HELD review (409 REVIEW_NOT_HELD). ``genuine: false`` with REJECT also takes its
    stars out of the ratings."""
    caller = require(app)
    review = service.decide(caller, reviewId, body.outcome, body.reason, body.genuine)
    return ReviewOut(**service.view(review, caller))


@app.post(
    "/admin/reviews/imports",
    tags=["reviews"],
    summary="Import past reviews",
    security=bearer("staff", "admin"),
)
def import_reviews(body: ReviewImportIn) -> ReviewImportOut:
    """Up to 100 reviews of whole orders (Olist's shape): each becomes a review of every
    line's product and of every package's seller, by the order's buyer, through the same
    moderation as new ones. Importing a review again changes nothing."""
    require(app)
    rows = [row.model_dump(mode="json") for row in body.reviews]
    return ReviewImportOut(results=service.import_rows(rows))


handler = lambda_handler(app)
