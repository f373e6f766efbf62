"""Catalog routes (shapes in ``schemas``, reads in ``queries``, changes in ``service``).

Public: ``GET /categories`` (the tree with product counts), ``GET /products`` (browse, from the
search index), ``GET /search`` (full text with facets), ``GET /products/{productId}`` (with its
offers), ``GET /sellers/{sellerId}`` (with its offer count), ``GET /offers/{offerId}`` (with its
price history).
Staff and admins: ``POST /admin/catalog/imports`` (a presigned upload URL for one CSV) and
``GET /admin/catalog/imports/{importId}`` (the import report); with the owning seller,
``PATCH /offers/{offerId} {price, freight}``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from catalog import categories, domain, listings, queries, search, service
from catalog.schemas import (
    SOURCE_ID,
    CategoryAttributes,
    CategoryFacet,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    CategoryTree,
    Facets,
    ImageUploadIn,
    ImportCreated,
    ImportReport,
    ImportRequest,
    ListingIn,
    ListingPage,
    ListingPatch,
    ListingRejectionIn,
    OfferDetail,
    OfferIn,
    OfferPatch,
    PriceFacet,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductPatch,
    ReindexQueued,
    SearchResults,
    SellerOut,
    StateFacet,
    VariantIn,
    VariantPatch,
    attribute_fields,
)
from titan import ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.errors import BadRequest, Forbidden, NotFound
from titan.events import DomainEvent, publish
from titan.idempotency import idempotent
from titan.schemas import UploadForm

app = create_app()
SourceId = Annotated[str, Path(pattern=SOURCE_ID)]


@app.post(
    "/admin/catalog/imports",
    tags=["catalog admin"],
    summary="Start a bulk import",
    security=bearer("admin", "staff"),
    responses=answers(201, ImportCreated),
)
def start_import(body: ImportRequest) -> Response[ImportCreated]:
    """Returns an import id and a presigned URL: PUT the CSV there (``Content-Type:
    text/csv``) within 15 minutes; the import runs on upload. Staff and admins only."""
    created = queries.start_import(body.kind, require(app).id)
    return Response(201, "application/json", created)


@app.get(
    "/admin/catalog/imports/<importId>",
    tags=["catalog admin"],
    summary="Import report",
    security=bearer("admin", "staff"),
)
def import_report(importId: str) -> ImportReport:
    require(app)
    return queries.import_report(importId)


@app.get("/categories", tags=["catalog"], summary="The category tree with product counts")
def category_tree() -> CategoryTree:
    """Departments and their categories (built-in and staff-created); counts sum to the
    products in the catalog."""
    return queries.category_tree()


def _category_out(category: domain.Category) -> CategoryOut:
    return CategoryOut(
        id=category.slug,
        name=category.name,
        department=category.department,
        sourceName=category.source_name,
        builtIn=category.built_in,
    )


@app.post(
    "/categories",
    tags=["catalog admin"],
    summary="Create a category",
    security=bearer("admin", "staff"),
    responses=answers(201, CategoryOut),
)
def create_category(body: CategoryIn) -> Response[CategoryOut]:
    """Staff and admins. ``id`` is a lower-case slug; ``sourceName`` lets CSV imports use it.
    409 CATEGORY_EXISTS, 422 UNKNOWN_DEPARTMENT. Publishes CategoryCreated."""
    caller = require(app)

    def create() -> dict:
        category, events = categories.create(body.id, body.name, body.department, body.sourceName)
        publish(events)
        return _category_out(category).model_dump()

    created = idempotent(app, "create-category", caller.id, body.model_dump(), create)
    return Response(201, "application/json", CategoryOut(**created))


@app.patch(
    "/categories/<categoryId>",
    tags=["catalog admin"],
    summary="Change a category",
    security=bearer("admin", "staff"),
)
def update_category(categoryId: str, body: CategoryPatch) -> CategoryOut:
    """Rename or move a staff-created category; built-ins: 409 BUILT_IN_CATEGORY.
    Publishes CategoryUpdated."""
    require(app)
    category, events = categories.update(categoryId, body.name, body.department)
    publish(events)
    return _category_out(category)


@app.delete(
    "/categories/<categoryId>",
    tags=["catalog admin"],
    summary="Delete a category",
    security=bearer("admin", "staff"),
    responses=answers(204),
)
def delete_category(categoryId: str) -> Response[None]:
    """Delete a staff-created category with no products (409 CATEGORY_NOT_EMPTY otherwise;
    built-ins: 409 BUILT_IN_CATEGORY). Publishes CategoryDeleted."""
    require(app)
    publish(categories.delete(categoryId))
    return Response(204, None, None)


@app.post(
    "/admin/search/reindex",
    tags=["catalog admin"],
    summary="Rebuild the search index",
    security=bearer("admin", "staff"),
    responses=answers(202, ReindexQueued),
)
def reindex() -> Response[ReindexQueued]:
    """Staff and admins. Queues a rebuild of the whole search index from the catalog table
    (SearchReindexRequested); the indexer applies it in turn with other changes. Use after
    events went to the dead-letter queue or to refresh renamed categories in search text."""
    caller = require(app)
    publish([DomainEvent.of("SearchReindexRequested", {"requestedBy": caller.id})])
    queued = ReindexQueued(currentVersion=queries.published_version())
    return Response(202, "application/json", queued)


Limit = Annotated[int, Query(ge=1, le=100, description="Items per page")]
Cursor = Annotated[str | None, Query(max_length=200, description="From a previous page")]
Price = Annotated[int | None, Query(ge=0, le=10**9, description="BRL centavos, inclusive")]
MinRating = Annotated[
    float | None, Query(ge=1, le=5, description="Mean stars of its reviews at least this")
]


@app.get("/products", tags=["catalog"], summary="Browse products")
def products(
    category: Annotated[
        str | None, Query(max_length=80, description="Category id, or its Olist name")
    ] = None,
    department: Annotated[str | None, Query(max_length=40, description="Department id")] = None,
    sellerId: Annotated[str | None, Query(pattern=SOURCE_ID)] = None,
    minPrice: Price = None,
    maxPrice: Price = None,
    includeUnavailable: Annotated[
        bool, Query(description="Also list products no seller offers now")
    ] = False,
    minRating: MinRating = None,
    sort: Annotated[
        Literal["newest", "price_asc", "price_desc", "rating_desc"],
        Query(description="Prices: best offer; rating: mean stars of its reviews"),
    ] = "newest",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> ProductPage:
    """Products with their best offer, filtered and sorted, one page at a time. Served from
    the search index: changes show within seconds (eventually consistent)."""
    criteria = queries.criteria(
        None,
        category,
        department,
        sellerId,
        minPrice,
        maxPrice,
        includeUnavailable,
        sort,
        limit,
        cursor,
        minRating,
    )
    return ProductPage(**queries.page(queries.run(criteria)))


@app.get("/search", tags=["catalog"], summary="Full-text search with facets")
def search_products(
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words, PT or EN")],
    category: Annotated[
        str | None, Query(max_length=80, description="Category id, or its Olist name")
    ] = None,
    department: Annotated[str | None, Query(max_length=40, description="Department id")] = None,
    minPrice: Price = None,
    maxPrice: Price = None,
    minRating: MinRating = None,
    sort: Annotated[
        Literal["relevance", "newest", "price_asc", "price_desc", "rating_desc"], Query()
    ] = "relevance",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> SearchResults:
    """Products whose title, category (English or Portuguese) or department match every word
    of ``q`` (accents ignored, each word a prefix), with facets over all matches: categories,
    sellers' states and price ranges (centavos)."""
    if not search.words(q):
        raise BadRequest("q has no searchable words.", code="INVALID_PARAMETER")
    criteria = queries.criteria(
        q, category, department, None, minPrice, maxPrice, False, sort, limit, cursor, minRating
    )
    page = queries.run(criteria, facets=True)
    names = {slug: c.name for slug, c in categories.tree().by_slug.items()}
    facets = Facets(
        category=[
            CategoryFacet(id=slug, name=names.get(slug, slug), count=count)
            for slug, count in page.facets["category"]
        ],
        sellerState=[StateFacet(state=s, count=c) for s, c in page.facets["sellerState"]],
        price=[PriceFacet(min=lo, max=hi, count=c) for lo, hi, c in page.facets["price"]],
    )
    return SearchResults(query=q, facets=facets, **queries.page(page))


@app.get("/products/<productId>", tags=["catalog"], summary="A product with its offers")
def product(productId: SourceId) -> ProductOut:
    """A catalog product, or a seller's published listing with its variants (a listing not
    published, or taken down: 404, except to its seller through
    ``/sellers/{sellerId}/products``)."""
    item = service.get_product(productId)
    if item.moderation not in (None, "PUBLISHED"):
        raise NotFound("No such product.", code="PRODUCT_NOT_FOUND")
    offers = [o for o in service.offers_of(productId) if o.status != listings.DRAFT_OFFER]
    return queries.product_out(item, offers)


@app.post(
    "/products",
    tags=["catalog admin"],
    summary="Create a product",
    security=bearer("admin", "staff"),
    responses=answers(201, ProductOut),
)
def create_product(body: ProductIn) -> Response[ProductOut]:
    """Staff and admins. The product gets a new 32-hex id and is ACTIVE; it shows in browse
    and search once a seller offers it. Publishes ProductCreated. With an ``Idempotency-Key``
    header, a retry returns the same product instead of creating another (24 h)."""
    caller = require(app)

    def create() -> dict:
        item, events = service.create_product(
            body.title, body.category, body.description, attribute_fields(body)
        )
        publish(events)
        return queries.product_out(item).model_dump()

    created = idempotent(app, "create-product", caller.id, body.model_dump(), create)
    return Response(201, "application/json", ProductOut(**created))


@app.patch(
    "/products/<productId>",
    tags=["catalog admin"],
    summary="Change a product",
    security=bearer("admin", "staff"),
)
def update_product(productId: SourceId, body: ProductPatch) -> ProductOut:
    """Staff and admins; only the fields sent change. INACTIVE hides the product from browse
    and search. 409 CONCURRENT_UPDATE if it changed meanwhile. Publishes ProductUpdated."""
    require(app)
    given = body.model_dump(
        exclude_unset=True, include={"title", "category", "description", "status"}
    )
    item, events = service.update_product(productId, given | attribute_fields(body))
    publish(events)
    return queries.product_out(item)


@app.delete(
    "/products/<productId>",
    tags=["catalog admin"],
    summary="Delete a product",
    security=bearer("admin", "staff"),
    responses=answers(204),
)
def delete_product(productId: SourceId) -> Response[None]:
    """Staff and admins: the product and its offers go (price histories stay). Publishes
    OfferDeleted for each offer and ProductDeleted."""
    require(app)
    publish(service.delete_product(productId))
    return Response(204, None, None)


@app.get("/sellers/<sellerId>", tags=["catalog"], summary="A seller with its offer count")
def seller(sellerId: SourceId) -> SellerOut:
    return queries.seller_out(sellerId)


@app.get("/offers/<offerId>", tags=["catalog"], summary="An offer with its price history")
def get_offer(offerId: str) -> OfferDetail:
    return queries.offer_detail(queries.get_offer(offerId))


@app.post(
    "/offers",
    tags=["catalog admin"],
    summary="Offer a product",
    security=bearer("admin", "seller", "staff"),
    responses=answers(201, OfferDetail),
)
def create_offer(body: OfferIn) -> Response[OfferDetail]:
    """Staff and admins for any seller; a seller for itself (another seller id: 403).
    One offer per product and seller: 409 OFFER_EXISTS. Publishes OfferCreated."""
    caller = require(app)
    if not caller.acts_for(body.sellerId):
        raise Forbidden("Sellers create offers for themselves only.", code="NOT_YOUR_SELLER")

    def create() -> dict:
        offer, events = service.create_offer(
            body.productId, body.sellerId, body.price, body.freight, caller.id
        )
        publish(events)
        return queries.offer_detail(offer).model_dump()

    created = idempotent(app, "create-offer", caller.id, body.model_dump(), create)
    return Response(201, "application/json", OfferDetail(**created))


@app.delete(
    "/offers/<offerId>",
    tags=["catalog admin"],
    summary="Withdraw an offer",
    security=bearer("admin", "seller", "staff"),
    responses=answers(204),
)
def delete_offer(offerId: str) -> Response[None]:
    """Staff, admins, or the seller who owns the offer. Publishes OfferDeleted."""
    offer = queries.own_offer(offerId, require(app))
    publish(service.delete_offer(offer))
    return Response(204, None, None)


@app.patch(
    "/offers/<offerId>",
    tags=["catalog admin"],
    summary="Change an offer's price",
    security=bearer("admin", "seller", "staff"),
)
def patch_offer(offerId: str, body: OfferPatch) -> OfferDetail:
    """Staff and admins, or the seller who owns the offer. Price and freight are BRL centavos.
    The offer and its price history change in one transaction (conditional on the price being
    read unchanged, 409 CONCURRENT_UPDATE otherwise) and OfferPriceChanged is published.
    Setting the current values again changes nothing and publishes nothing."""
    caller = require(app)
    offer = queries.own_offer(offerId, caller)
    if body.status is not None:
        publish(service.set_offer_status(offer, body.status))
    price = offer.price if body.price is None else body.price
    freight = offer.freight if body.freight is None else body.freight
    publish(service.change_price(offer, price, freight, caller.id))
    return queries.offer_detail(offer)


# ------------------------------------------------------------------ sellers' listings


@app.get(
    "/categories/<categoryId>/attributes",
    tags=["catalog"],
    summary="The attributes a category's listings take",
)
def category_attributes(categoryId: str) -> CategoryAttributes:
    return queries.attribute_specs(categoryId)


@app.post(
    "/sellers/<sellerId>/product-images",
    tags=["seller listings"],
    summary="A form to upload a product image",
    security=bearer("admin", "seller", "staff"),
    responses=answers(201, UploadForm),
)
def image_upload(sellerId: SourceId, body: ImageUploadIn) -> Response[UploadForm]:
    """A presigned S3 POST for one image (JPEG, PNG or WebP, at most 5 MB); name its ``key``
    in a listing's or variant's ``images``. Thumbnails (200 and 600 px, WebP) are made on
    upload."""
    require(app).require_seller(sellerId)
    form = listings.image_form(sellerId, body.contentType)
    return Response(201, "application/json", UploadForm(**form))


@app.post(
    "/sellers/<sellerId>/products",
    tags=["seller listings"],
    summary="List a product with its variants",
    security=bearer("admin", "seller", "staff"),
    responses=answers(201, ProductOut),
)
def create_listing(sellerId: SourceId, body: ListingIn) -> Response[ProductOut]:
    """The seller (or staff for it) lists a product: options (Size, Colour) whose values make
    the variants, each a SKU with its own price, freight, stock, barcode (GTIN) and images;
    the category's attributes (``GET /categories/{id}/attributes``). The listing is a DRAFT
    until submitted and published. 422 with the rule's code pointing at its field
    (OPTIONS_INVALID, VARIANT_INVALID, VARIANT_DUPLICATE, GTIN_INVALID, ATTRIBUTE_UNKNOWN,
    ATTRIBUTE_INVALID, ATTRIBUTE_REQUIRED, TOO_MANY_IMAGES, IMAGE_NOT_FOUND, IMAGE_INVALID,
    UNKNOWN_CATEGORY). Takes an ``Idempotency-Key``."""
    caller = require(app)
    caller.require_seller(sellerId)

    def create() -> dict:
        product, offers, events = listings.create(sellerId, body.model_dump(), caller.id)
        publish(events)
        return queries.product_out(product, offers).model_dump()

    created = idempotent(
        app, "create-listing", caller.id, {"sellerId": sellerId, **body.model_dump()}, create
    )
    return Response(201, "application/json", ProductOut(**created))


@app.get(
    "/sellers/<sellerId>/products",
    tags=["seller listings"],
    summary="A seller's products",
    security=bearer("admin", "seller", "staff"),
)
def seller_products(sellerId: SourceId, limit: Limit = 20, cursor: Cursor = None) -> ListingPage:
    """The products the seller offers, its listings in any moderation state among them, each
    with the seller's own offers (variants); paged over the offers."""
    require(app).require_seller(sellerId)
    products, offers, next_cursor = listings.seller_products(sellerId, cursor, limit)
    items = [queries.product_out(p, offers[p.product_id]) for p in products]
    return ListingPage(items=items, nextCursor=next_cursor)


@app.get(
    "/sellers/<sellerId>/products/<productId>",
    tags=["seller listings"],
    summary="One of the seller's listings",
    security=bearer("admin", "seller", "staff"),
)
def seller_listing(sellerId: SourceId, productId: SourceId) -> ProductOut:
    product = listings.own(require(app), sellerId, productId)
    return queries.product_out(product, listings.variants_of(product))


@app.patch(
    "/sellers/<sellerId>/products/<productId>",
    tags=["seller listings"],
    summary="Change a listing",
    security=bearer("admin", "seller", "staff"),
)
def edit_listing(sellerId: SourceId, productId: SourceId, body: ListingPatch) -> ProductOut:
    """Only the fields sent change (prices and stock per variant: ``PATCH /offers/{id}``,
    the inventory routes). A published listing whose new words name a prohibited item is
    taken down (REJECTED, PROHIBITED_ITEM). 409 CONCURRENT_UPDATE."""
    product = listings.own(require(app), sellerId, productId)
    product, events = listings.edit(product, body.model_dump(exclude_unset=True))
    publish(events)
    return queries.product_out(product, listings.variants_of(product))


@app.post(
    "/sellers/<sellerId>/products/<productId>/variants",
    tags=["seller listings"],
    summary="Add a variant",
    security=bearer("admin", "seller", "staff"),
    responses=answers(201, ProductOut),
)
def add_variant(sellerId: SourceId, productId: SourceId, body: VariantIn) -> Response[ProductOut]:
    """A new SKU with values of the listing's options no other variant has. On a published
    listing it is on sale at once. 422 VARIANT_INVALID, VARIANT_DUPLICATE, GTIN_INVALID."""
    caller = require(app)
    product = listings.own(caller, sellerId, productId)
    _, events = listings.add_variant(product, body.model_dump(), caller.id)
    publish(events)
    out = queries.product_out(product, listings.variants_of(product))
    return Response(201, "application/json", out)


@app.patch(
    "/sellers/<sellerId>/products/<productId>/variants/<skuId>",
    tags=["seller listings"],
    summary="Change a variant",
    security=bearer("admin", "seller", "staff"),
)
def edit_variant(
    sellerId: SourceId,
    productId: SourceId,
    skuId: Annotated[str, Path(pattern=ids.pattern("sku"))],
    body: VariantPatch,
) -> ProductOut:
    """Only the fields sent change: price and freight (with the price history and
    OfferPriceChanged), barcode, the seller's SKU code, images (stock: the inventory
    routes). 404 SKU_NOT_FOUND; 422 GTIN_INVALID, IMAGE_*; 409 CONCURRENT_UPDATE."""
    caller = require(app)
    product = listings.own(caller, sellerId, productId)
    _, events = listings.edit_variant(
        product, skuId, body.model_dump(exclude_unset=True), caller.id
    )
    publish(events)
    return queries.product_out(product, listings.variants_of(product))


@app.post(
    "/sellers/<sellerId>/products/<productId>/submit",
    tags=["seller listings"],
    summary="Send a listing to review",
    security=bearer("admin", "seller", "staff"),
)
def submit_listing(sellerId: SourceId, productId: SourceId) -> ProductOut:
    """DRAFT or REJECTED → SUBMITTED (staff's queue); a listing naming a prohibited item is
    REJECTED at once with PROHIBITED_ITEM and the words found. 422 IMAGES_REQUIRED, 409
    MODERATION_STATE."""
    product = listings.own(require(app), sellerId, productId)
    product, events = listings.submit(product)
    publish(events)
    return queries.product_out(product, listings.variants_of(product))


@app.get(
    "/admin/listings",
    tags=["catalog admin"],
    summary="Listings waiting for review",
    security=bearer("admin", "staff"),
)
def listing_queue(limit: Limit = 20, cursor: Cursor = None) -> ListingPage:
    """Submitted listings, longest waiting first."""
    require(app)
    products, next_cursor = listings.queue(cursor, limit)
    items = [queries.product_out(p, listings.variants_of(p)) for p in products]
    return ListingPage(items=items, nextCursor=next_cursor)


@app.post(
    "/admin/listings/<productId>/publish",
    tags=["catalog admin"],
    summary="Publish a listing",
    security=bearer("admin", "staff"),
)
def publish_listing(productId: SourceId) -> ProductOut:
    """SUBMITTED → PUBLISHED: the product and its variants go on sale (search shows them
    within seconds). 409 MODERATION_STATE, CONCURRENT_UPDATE."""
    staff = require(app)
    product = listings.get_listing(productId)
    product, events = listings.publish(product, staff)
    publish(events)
    return queries.product_out(product, listings.variants_of(product))


@app.post(
    "/admin/listings/<productId>/reject",
    tags=["catalog admin"],
    summary="Reject a listing",
    security=bearer("admin", "staff"),
)
def reject_listing(productId: SourceId, body: ListingRejectionIn) -> ProductOut:
    """SUBMITTED or PUBLISHED → REJECTED with reasons: the product leaves search and cannot
    be bought; its seller may edit it and submit again. 409 MODERATION_STATE."""
    staff = require(app)
    product = listings.get_listing(productId)
    product, events = listings.reject(product, staff, list(body.reasons), body.note)
    publish(events)
    return queries.product_out(product, listings.variants_of(product))


handler = lambda_handler(app)
