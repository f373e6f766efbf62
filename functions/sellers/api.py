"""Sellers API: routes only (shapes in ``schemas``, use cases in ``service`` and ``shops``).

Onboarding: any signed-in account applies to sell (``POST /seller-applications``) after
uploading its documents (``POST /seller-applications/documents``), follows its application
and answers staff's questions; staff work the review queue (``/admin/seller-applications``).
Shops: every seller's public page (``/shops/{slug}``), edited by its seller (profile, logo,
vacation). The seller dashboard (``/sellers/{sellerId}/stats``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sellers import service, shops, stats
from sellers.schemas import (
    InfoRequestIn,
    LogoIn,
    OlistShopsIn,
    OlistShopsOut,
    RejectionIn,
    SellerApplicationIn,
    SellerApplicationList,
    SellerApplicationOut,
    SellerDocumentIn,
    SellerStats,
    ShopOut,
    ShopPatch,
    StatsRecount,
    Status,
)
from titan import ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.schemas import UploadForm

app = create_app()
ApplicationIdPath = Annotated[str, Path(pattern=ids.pattern("sap"))]


def _out(application) -> SellerApplicationOut:
    return SellerApplicationOut(**service.view(application))


@app.post(
    "/seller-applications/documents",
    tags=["sellers"],
    summary="Upload a document for your application",
    security=bearer(),
    responses=answers(201, UploadForm),
)
def upload_document(body: SellerDocumentIn) -> Response[UploadForm]:
    """A presigned S3 POST for one JPEG, PNG or PDF of at most 10 MB; send its ``key`` in
    the application's ``documents``."""
    form = service.document_form(require(app), body.contentType)
    return Response(201, "application/json", UploadForm(**form))


@app.post(
    "/seller-applications",
    tags=["sellers"],
    summary="Apply to sell",
    security=bearer(),
    responses=answers(201, SellerApplicationOut),
)
def apply(body: SellerApplicationIn) -> Response[SellerApplicationOut]:
    """422 DOCUMENT_INVALID (the CPF's or CNPJ's check digits), BANK_UNKNOWN, BRANCH_INVALID,
    ACCOUNT_INVALID, HOLDER_MISMATCH (the payout account is not the applicant's),
    SHOP_NAME_INVALID, STATE_INVALID, DOCUMENT_NOT_FOUND; 409 APPLICATION_OPEN,
    DOCUMENT_IN_USE, SHOP_NAME_TAKEN, ALREADY_A_SELLER."""
    made = service.apply(require(app), body.model_dump())
    return Response(201, "application/json", _out(made))


@app.get(
    "/me/seller-applications",
    tags=["sellers"],
    summary="Your applications to sell",
    security=bearer(),
)
def my_applications() -> SellerApplicationList:
    return SellerApplicationList(items=[_out(a) for a in service.mine(require(app))])


@app.get(
    "/seller-applications/<applicationId>",
    tags=["sellers"],
    summary="An application to sell",
    security=bearer(),
)
def read_application(applicationId: ApplicationIdPath) -> SellerApplicationOut:
    """Its applicant and staff only (404 APPLICATION_NOT_FOUND for anyone else)."""
    return _out(service.application(require(app), applicationId))


@app.put(
    "/seller-applications/<applicationId>",
    tags=["sellers"],
    summary="Answer staff's question: submit the application again",
    security=bearer(),
)
def resubmit(applicationId: ApplicationIdPath, body: SellerApplicationIn) -> SellerApplicationOut:
    """Only from NEEDS_INFO (409 INVALID_TRANSITION otherwise); checked as a new application."""
    return _out(service.resubmit(require(app), applicationId, body.model_dump()))


@app.get(
    "/admin/seller-applications",
    tags=["sellers"],
    summary="The review queue",
    security=bearer("staff"),
)
def review_queue(
    status: Annotated[Status, Query(description="The queue of this state")] = "SUBMITTED",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=600)] = None,
) -> SellerApplicationList:
    """Longest waiting first."""
    require(app)
    page = service.queue(status, cursor, limit)
    return SellerApplicationList(
        items=[_out(a) for a in page["items"]], nextCursor=page["nextCursor"]
    )


@app.post(
    "/admin/seller-applications/<applicationId>/review",
    tags=["sellers"],
    summary="Take an application into review",
    security=bearer("staff"),
)
def take(applicationId: ApplicationIdPath) -> SellerApplicationOut:
    """SUBMITTED → IN_REVIEW. 409 INVALID_TRANSITION, APPLICATION_CHANGED."""
    return _out(service.review(require(app), applicationId))


@app.post(
    "/admin/seller-applications/<applicationId>/reject",
    tags=["sellers"],
    summary="Reject an application, with reasons",
    security=bearer("staff"),
)
def reject(applicationId: ApplicationIdPath, body: RejectionIn) -> SellerApplicationOut:
    """The applicant may apply again (its document and shop name are free again)."""
    return _out(service.reject(require(app), applicationId, list(body.reasons), body.note))


@app.post(
    "/admin/seller-applications/<applicationId>/request-info",
    tags=["sellers"],
    summary="Ask the applicant for something",
    security=bearer("staff"),
)
def request_info(applicationId: ApplicationIdPath, body: InfoRequestIn) -> SellerApplicationOut:
    """IN_REVIEW → NEEDS_INFO; the applicant answers with PUT /seller-applications/{id}."""
    return _out(service.request_info(require(app), applicationId, body.note))


@app.post(
    "/admin/seller-applications/<applicationId>/approve",
    tags=["sellers"],
    summary="Approve an application: the seller exists everywhere, or nowhere",
    security=bearer("staff"),
)
def approve(applicationId: ApplicationIdPath) -> SellerApplicationOut:
    """IN_REVIEW → APPROVED through the approval saga: the seller in the catalog, its ledger
    account, the applicant's seller role (in their next access token). 409
    INVALID_TRANSITION, APPLICATION_CHANGED; 503 APPROVAL_FAILED (every step undone)."""
    return _out(service.approve(require(app), applicationId))


# ------------------------------------------------------------------ shops

Slug = Annotated[str, Path(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]


@app.get("/shops/<slug>", tags=["shops"], summary="A shop's page")
def read_shop(slug: Slug) -> ShopOut:
    """Public: name, logo, description, city and state, member since, vacation, products on
    sale, stars."""
    return ShopOut(**shops.view(shops.get(slug)))


@app.get("/sellers/<sellerId>/shop", tags=["shops"], summary="A seller's shop")
def seller_shop(sellerId: Annotated[str, Path(pattern=ids.SOURCE_ID)]) -> ShopOut:
    """Public: the shop of the seller an offer names."""
    return ShopOut(**shops.view(shops.of_seller(sellerId)))


@app.patch(
    "/shops/<slug>",
    tags=["shops"],
    summary="Change your shop",
    security=bearer("seller", "staff", "admin"),
)
def edit_shop(slug: Slug, body: ShopPatch) -> ShopOut:
    """The shop's seller (or staff): description, logo (an upload's key), vacation. On
    vacation the shop's offers leave search, show unavailable in carts, and checkout refuses
    them with 409 SHOP_ON_VACATION. 422 LOGO_NOT_FOUND, LOGO_INVALID; 409 SHOP_CHANGED."""
    shop = shops.own(require(app), slug)
    return ShopOut(**shops.view(shops.edit(shop, body.model_dump(exclude_unset=True))))


@app.post(
    "/shops/<slug>/logo",
    tags=["shops"],
    summary="A form to upload your shop's logo",
    security=bearer("seller", "staff", "admin"),
    responses=answers(201, UploadForm),
)
def logo_upload(slug: Slug, body: LogoIn) -> Response[UploadForm]:
    """A presigned S3 POST for a JPEG, PNG or WebP of at most 2 MB; send its ``key`` as the
    shop's ``logo``."""
    form = shops.logo_form(shops.own(require(app), slug), body.contentType)
    return Response(201, "application/json", UploadForm(**form))


@app.post(
    "/admin/shops/olist",
    tags=["sellers admin"],
    summary="Shops for imported Olist sellers",
    security=bearer("staff", "admin"),
)
def import_olist_shops(body: OlistShopsIn) -> OlistShopsOut:
    """Staff: an approved shop for each seller imported into the catalog from Olist's data
    (they came without names: ``Loja 3442F895 (Campinas)``, slug ``loja-3442f895``). Run again,
    it changes nothing."""
    require(app)
    return OlistShopsOut(**shops.import_olist([row.model_dump() for row in body.sellers]))


# ------------------------------------------------------------------ the seller dashboard

SellerIdPath = Annotated[str, Path(pattern=ids.SOURCE_ID)]


@app.get(
    "/sellers/<sellerId>/stats",
    tags=["sellers"],
    summary="The seller dashboard",
    security=bearer("seller", "staff", "admin"),
)
def seller_stats(
    sellerId: SellerIdPath,
    from_: Annotated[date, Query(alias="from", description="First day (YYYY-MM-DD)")],
    to: Annotated[date, Query(description="Last day, inclusive (at most 366 days on)")],
    interval: Annotated[Literal["day", "week", "month"], Query()] = "day",
) -> SellerStats:
    """GMV, orders, units, average order value, cancellation, return and late hand-over
    rates of the orders placed those days, a series per interval, the top products and the
    seller's stars. Kept from events (a few seconds behind). The seller or staff (anyone
    else: 404); 400 INVALID_RANGE."""
    require(app).require_seller(sellerId)
    return SellerStats(**stats.dashboard(sellerId, from_, to, interval))


@app.get(
    "/sellers/<sellerId>/stats/recount",
    tags=["sellers admin"],
    summary="The dashboard's totals counted again from the records",
    security=bearer("staff", "admin"),
)
def recount_stats(
    sellerId: SellerIdPath,
    from_: Annotated[date, Query(alias="from")],
    to: Annotated[date, Query()],
) -> StatsRecount:
    """Staff: the totals counted from the orders' records (orders, units, GMV,
    cancellations) and each order's facts (returns, hand-overs), to check the dashboard."""
    require(app)
    counted = stats.recount(sellerId, from_, to)
    return StatsRecount(
        gmv=counted["gmv"],
        orders=counted["orders"],
        units=counted["units"],
        cancelled=counted["cancelled"],
        returned=counted["returned"],
        handedOver=counted["handed_over"],
        late=counted["late"],
    )


handler = lambda_handler(app)
