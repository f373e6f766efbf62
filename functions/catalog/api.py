"""Catalog routes.

Public: ``GET /categories`` (the tree with product counts), ``GET /products`` (browse, from the
search index), ``GET /search`` (full text with facets), ``GET /products/{productId}`` (with its
offers), ``GET /sellers/{sellerId}`` (with its offer count), ``GET /offers/{offerId}`` (with its
price history).
Staff and admins: ``POST /admin/catalog/imports`` (a presigned upload URL for one CSV) and
``GET /admin/catalog/imports/{importId}`` (the import report); with the owning seller,
``PATCH /offers/{offerId} {price, freight}``.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal

import boto3
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from botocore.config import Config
from pydantic import BaseModel, ConfigDict, Field

from catalog import categories, domain, index_files, search, service
from catalog.index_files import LocalIndex
from catalog.store import CategoryCount, Import, Offer, PriceChange, Product, Seller
from titan import clock
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.dynamo import get_or_404
from titan.errors import BadRequest, Forbidden, NotFound
from titan.events import DomainEvent, EventPublisher
from titan.idempotency import idempotent
from titan.ids import new_id
from titan.schemas import Money

app = create_app()
UPLOAD_SECONDS = 900
SOURCE_ID = r"^[0-9a-f]{32}$"
SourceId = Annotated[str, Path(pattern=SOURCE_ID)]


Title = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
Description = Annotated[str, Field(max_length=5000)]


def _money(amount) -> Money:
    return Money(**service.money(amount))


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


class OfferOut(BaseModel):
    offerId: str
    sellerId: str
    price: Money
    freight: Money
    status: str


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


class SellerOut(BaseModel):
    sellerId: str
    city: str
    state: str
    offerCount: int


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


def _offer(offer_id: str) -> Offer:
    found = list(Offer.by_offer_id.query(f"OFFER#{offer_id}", limit=1))
    if not found:
        raise NotFound("No such offer.", code="OFFER_NOT_FOUND")
    return found[0]


def _offer_detail(offer: Offer) -> OfferDetail:
    history = PriceChange.query(f"OFFER#{offer.offer_id}", PriceChange.sk.startswith("PRICE#"))
    return OfferDetail(
        offerId=offer.offer_id,
        productId=offer.product_id,
        sellerId=offer.seller_id,
        price=_money(offer.price),
        freight=_money(offer.freight),
        status=offer.status,
        priceHistory=[
            PricePoint(
                price=_money(h.price),
                freight=_money(h.freight),
                changedAt=h.changed_at,
                changedBy=h.changed_by,
            )
            for h in history
        ],
    )


def _s3():
    # Path-style URLs when an endpoint is set (the local cloud): virtual-host names need DNS.
    style = "path" if os.environ.get("AWS_ENDPOINT_URL") else "auto"
    return boto3.client(
        "s3", config=Config(s3={"addressing_style": style}, signature_version="s3v4")
    )


def _report(record: Import) -> ImportReport:
    return ImportReport(
        importId=record.import_id,
        kind=record.kind,
        status=record.status,
        counts=Counts(
            rows=record.rows,
            created=record.created,
            updated=record.updated,
            unchanged=record.unchanged,
            skipped=record.skipped,
        ),
        errors=[
            RowProblem(row=e.row, reason=e.reason, key=e.key)
            for e in sorted(record.errors, key=lambda e: e.row)
        ],
        failure=record.failure,
        createdAt=record.created_at,
        startedAt=record.started_at,
        completedAt=record.completed_at,
    )


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
    caller = require(app)
    import_id = new_id("imp")
    key = f"imports/{import_id}/{body.kind}.csv"
    Import(
        *Import.key(import_id),
        import_id=import_id,
        kind=body.kind,
        status="AWAITING_UPLOAD",
        object_key=key,
        requested_by=caller.id,
        created_at=clock.iso(),
    ).save()
    url = _s3().generate_presigned_url(
        "put_object",
        ExpiresIn=UPLOAD_SECONDS,
        Params={
            "Bucket": os.environ["CATALOG_IMPORTS_BUCKET"],
            "Key": key,
            "ContentType": "text/csv",
        },
    )
    created = ImportCreated(
        importId=import_id,
        kind=body.kind,
        status="AWAITING_UPLOAD",
        upload=Upload(url=url, headers={"Content-Type": "text/csv"}, expiresIn=UPLOAD_SECONDS),
    )
    return Response(201, "application/json", created)


@app.get(
    "/admin/catalog/imports/<importId>",
    tags=["catalog admin"],
    summary="Import report",
    security=bearer("admin", "staff"),
)
def import_report(importId: str) -> ImportReport:
    require(app)
    return _report(
        get_or_404(Import, *Import.key(importId), code="IMPORT_NOT_FOUND", detail="No such import.")
    )


@app.get("/categories", tags=["catalog"], summary="The category tree with product counts")
def category_tree() -> CategoryTree:
    """Departments and their categories (built-in and staff-created); counts sum to the
    products in the catalog."""
    tree = categories.tree()
    keys = [CategoryCount.key(slug) for slug in tree.by_slug]
    counts = {item.category: int(item.products) for item in CategoryCount.batch_get(keys)}
    departments = []
    for department_id, name in domain.DEPARTMENTS.items():
        nodes = [
            CategoryNode(
                id=c.slug, name=c.name, productCount=counts.get(c.slug, 0), builtIn=c.built_in
            )
            for c in tree.by_slug.values()
            if c.department == department_id
        ]
        departments.append(
            Department(
                id=department_id,
                name=name,
                productCount=sum(n.productCount for n in nodes),
                categories=sorted(nodes, key=lambda n: n.name),
            )
        )
    return CategoryTree(
        productCount=sum(d.productCount for d in departments), departments=departments
    )


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
        _publisher().publish(*events)
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
    _publisher().publish(*events)
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
    _publisher().publish(*categories.delete(categoryId))
    return Response(204, None, None)


_index: LocalIndex | None = None


class ReindexQueued(BaseModel):
    status: Literal["QUEUED"] = "QUEUED"
    currentVersion: int = Field(description="The index version searches use now")


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
    _publisher().publish(DomainEvent.of("SearchReindexRequested", {"requestedBy": caller.id}))
    queued = ReindexQueued(currentVersion=index_files.published_version())
    return Response(202, "application/json", queued)


Limit = Annotated[int, Query(ge=1, le=100, description="Items per page")]
Cursor = Annotated[str | None, Query(max_length=200, description="From a previous page")]
Price = Annotated[int | None, Query(ge=0, le=10**9, description="BRL centavos, inclusive")]


def _criteria(
    q: str | None,
    category: str | None,
    department: str | None,
    seller_id: str | None,
    min_price: int | None,
    max_price: int | None,
    include_unavailable: bool,
    sort: str,
    limit: int,
    cursor: str | None,
) -> search.Criteria:
    """Raises BadRequest (400 INVALID_PARAMETER) for values the schema alone cannot judge."""
    tree = categories.tree()
    slug = None
    if category:
        found = tree.resolve(category)
        if found is None:
            raise BadRequest(f"Unknown category {category!r}.", code="INVALID_PARAMETER")
        slug = found.slug
    if department and department not in domain.DEPARTMENTS:
        raise BadRequest(f"Unknown department {department!r}.", code="INVALID_PARAMETER")
    if min_price is not None and max_price is not None and min_price > max_price:
        raise BadRequest("minPrice is above maxPrice.", code="INVALID_PARAMETER")
    try:
        offset = search.decode_cursor(cursor)
    except search.InvalidCursor as exc:
        raise BadRequest(str(exc).capitalize() + ".", code="INVALID_CURSOR") from exc
    return search.Criteria(
        q=q,
        category=slug,
        department=department,
        seller_id=seller_id,
        min_price=min_price,
        max_price=max_price,
        include_unavailable=include_unavailable,
        sort=sort,
        limit=limit,
        offset=offset,
    )


def _run(criteria: search.Criteria, facets: bool = False) -> search.Page:
    global _index
    _index = _index or LocalIndex()
    return search.run(_index.current(), criteria, facets=facets, tree=categories.tree())


def _summary(product: search.IndexedProduct) -> ProductSummary:
    category = categories.tree().get(product.category)
    best = product.best_offer
    return ProductSummary(
        productId=product.product_id,
        title=product.title,
        category=CategoryRef(id=category.slug, name=category.name, department=category.department),
        offerCount=len(product.offers),
        bestOffer=OfferSummary(
            offerId=best.offer_id,
            sellerId=best.seller_id,
            price=_money(best.price),
            freight=_money(best.freight),
        )
        if best
        else None,
    )


def _page(page: search.Page) -> dict:
    return {
        "items": [_summary(p) for p in page.products],
        "total": page.total,
        "nextCursor": search.encode_cursor(page.next_offset) if page.next_offset else None,
    }


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
    sort: Annotated[
        Literal["newest", "price_asc", "price_desc"], Query(description="Prices: best offer")
    ] = "newest",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> ProductPage:
    """Products with their best offer, filtered and sorted, one page at a time. Served from
    the search index: changes show within seconds (eventually consistent)."""
    criteria = _criteria(
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
    )
    return ProductPage(**_page(_run(criteria)))


@app.get("/search", tags=["catalog"], summary="Full-text search with facets")
def search_products(
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words, PT or EN")],
    category: Annotated[
        str | None, Query(max_length=80, description="Category id, or its Olist name")
    ] = None,
    department: Annotated[str | None, Query(max_length=40, description="Department id")] = None,
    minPrice: Price = None,
    maxPrice: Price = None,
    sort: Annotated[
        Literal["relevance", "newest", "price_asc", "price_desc"], Query()
    ] = "relevance",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> SearchResults:
    """Products whose title, category (English or Portuguese) or department match every word
    of ``q`` (accents ignored, each word a prefix), with facets over all matches: categories,
    sellers' states and price ranges (centavos)."""
    if not search.words(q):
        raise BadRequest("q has no searchable words.", code="INVALID_PARAMETER")
    criteria = _criteria(
        q, category, department, None, minPrice, maxPrice, False, sort, limit, cursor
    )
    page = _run(criteria, facets=True)
    names = {slug: c.name for slug, c in categories.tree().by_slug.items()}
    facets = Facets(
        category=[
            CategoryFacet(id=slug, name=names.get(slug, slug), count=count)
            for slug, count in page.facets["category"]
        ],
        sellerState=[StateFacet(state=s, count=c) for s, c in page.facets["sellerState"]],
        price=[PriceFacet(min=lo, max=hi, count=c) for lo, hi, c in page.facets["price"]],
    )
    return SearchResults(query=q, facets=facets, **_page(page))


def _product_out(item: Product) -> ProductOut:
    category = categories.tree().get(item.category)
    offers = Offer.query(f"PRODUCT#{item.product_id}", Offer.sk.startswith("OFFER#"))
    return ProductOut(
        productId=item.product_id,
        title=item.title,
        description=item.description,
        category=CategoryRef(id=category.slug, name=category.name, department=category.department),
        status=item.status,
        photoCount=item.photo_count,
        attributes=Dimensions(
            weightG=item.weight_g,
            lengthCm=item.length_cm,
            heightCm=item.height_cm,
            widthCm=item.width_cm,
        ),
        offers=[
            OfferOut(
                offerId=o.offer_id,
                sellerId=o.seller_id,
                price=_money(o.price),
                freight=_money(o.freight),
                status=o.status,
            )
            for o in offers
        ],
    )


@app.get("/products/<productId>", tags=["catalog"], summary="A product with its offers")
def product(productId: SourceId) -> ProductOut:
    return _product_out(service.get_product(productId))


def _attributes(body: ProductIn | ProductPatch) -> dict:
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
            body.title, body.category, body.description, _attributes(body)
        )
        _publisher().publish(*events)
        return _product_out(item).model_dump()

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
    item, events = service.update_product(productId, given | _attributes(body))
    _publisher().publish(*events)
    return _product_out(item)


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
    _publisher().publish(*service.delete_product(productId))
    return Response(204, None, None)


@app.get("/sellers/<sellerId>", tags=["catalog"], summary="A seller with its offer count")
def seller(sellerId: SourceId) -> SellerOut:
    item = get_or_404(
        Seller,
        *Seller.key(sellerId),
        code="SELLER_NOT_FOUND",
        detail="No such seller.",
        consistent=False,
    )
    count = Offer.by_gsi1.count(f"SELLER#{sellerId}", Offer.gsi1sk.startswith("OFFER#"))
    return SellerOut(sellerId=item.seller_id, city=item.city, state=item.state, offerCount=count)


@app.get("/offers/<offerId>", tags=["catalog"], summary="An offer with its price history")
def get_offer(offerId: str) -> OfferDetail:
    return _offer_detail(_offer(offerId))


def _own_offer(offerId: str) -> tuple[Offer, str]:
    """The offer, if the caller may change it (staff, admins, its seller); else 404."""
    caller = require(app)
    offer = _offer(offerId)
    if not caller.has_any("staff", "admin") and caller.seller_id != offer.seller_id:
        raise NotFound("No such offer.", code="OFFER_NOT_FOUND")  # not theirs: not visible
    return offer, caller.id


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
    if not caller.has_any("staff", "admin") and caller.seller_id != body.sellerId:
        raise Forbidden("Sellers create offers for themselves only.", code="NOT_YOUR_SELLER")

    def create() -> dict:
        offer, events = service.create_offer(
            body.productId, body.sellerId, body.price, body.freight, caller.id
        )
        _publisher().publish(*events)
        return _offer_detail(offer).model_dump()

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
    offer, _ = _own_offer(offerId)
    _publisher().publish(*service.delete_offer(offer))
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
    offer, caller_id = _own_offer(offerId)
    if body.status is not None:
        _publisher().publish(*service.set_offer_status(offer, body.status))
    price = offer.price if body.price is None else body.price
    freight = offer.freight if body.freight is None else body.freight
    _publisher().publish(*service.change_price(offer, price, freight, caller_id))
    return _offer_detail(offer)


_events: EventPublisher | None = None


def _publisher() -> EventPublisher:
    global _events
    _events = _events or EventPublisher()
    return _events


handler = lambda_handler(app)
