"""The catalog's reads for the API: offers and their price history, products with their
offers, sellers, the category tree with counts, search and browse over the index, and bulk
imports (their upload URL and report). Changes are ``service``'s."""

from __future__ import annotations

from functools import cache

from catalog import categories, domain, index_files, listing, search, settings
from catalog.index_files import LocalIndex
from catalog.schemas import (
    AttributeSpec,
    CategoryAttributes,
    CategoryNode,
    CategoryRef,
    CategoryTree,
    Counts,
    Department,
    Dimensions,
    ImageOut,
    ImportCreated,
    ImportReport,
    OfferDetail,
    OfferOut,
    OfferSummary,
    PricePoint,
    ProductOut,
    ProductSummary,
    RatingOut,
    RatingSummary,
    RowProblem,
    SellerOut,
    Upload,
    money,
)
from catalog.store import CategoryCount, Import, Offer, PriceChange, Product, Rating, Seller
from titan import clock
from titan.auth import Principal
from titan.aws import signing_s3
from titan.dynamo import get_or_404
from titan.errors import BadRequest, NotFound
from titan.ids import new_id

#: Seconds a bulk import's presigned upload URL stays valid.
UPLOAD_SECONDS = 900
#: Seconds a link to a product image stays valid.
IMAGE_LINK_SECONDS = 3600


# ------------------------------------------------------------------ offers and products


def get_offer(offer_id: str) -> Offer:
    """Raises NotFound OFFER_NOT_FOUND."""
    found = list(Offer.by_offer_id.query(f"OFFER#{offer_id}", limit=1))
    if not found:
        raise NotFound("No such offer.", code="OFFER_NOT_FOUND")
    return found[0]


def own_offer(offer_id: str, caller: Principal) -> Offer:
    """The offer, if ``caller`` may change it (staff, admins, its seller). Raises NotFound
    OFFER_NOT_FOUND otherwise: another seller's offer is not theirs to see changed."""
    offer = get_offer(offer_id)
    if not caller.acts_for(offer.seller_id):
        raise NotFound("No such offer.", code="OFFER_NOT_FOUND")
    return offer


def ratings(keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """{(PRODUCT or SELLER, id): {average, count, distribution}} of those with reviews."""
    found = Rating.batch_get([Rating.key(*k) for k in dict.fromkeys(keys)]) if keys else []
    return {tuple(r.pk.split("#", 1)): r.summary() for r in found}


def _summary(rating: dict | None) -> RatingSummary:
    return (
        RatingSummary(**{k: rating[k] for k in ("average", "count")}) if rating else RatingSummary()
    )


def offer_detail(offer: Offer) -> OfferDetail:
    """The offer with its price history, oldest change first, and the stars of its product
    and seller."""
    history = PriceChange.query(f"OFFER#{offer.offer_id}", PriceChange.sk.startswith("PRICE#"))
    stars = ratings([("PRODUCT", offer.product_id), ("SELLER", offer.seller_id)])
    return OfferDetail(
        **dict(offer_out(offer, stars)),
        productId=offer.product_id,
        priceHistory=[
            PricePoint(
                price=money(h.price),
                freight=money(h.freight),
                changedAt=h.changed_at,
                changedBy=h.changed_by,
            )
            for h in history
        ],
        productRating=_summary(stars.get(("PRODUCT", offer.product_id))),
    )


def image_links(keys: list[str] | None) -> list[ImageOut]:
    """Links to images in the media bucket and to their thumbnails (valid an hour)."""
    bucket = settings.SETTINGS.catalog_media_bucket
    if not keys or not bucket:
        return []

    def link(key: str) -> str:
        return signing_s3().generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=IMAGE_LINK_SECONDS
        )

    return [
        ImageOut(
            key=key,
            url=link(key),
            thumbnails={
                str(size): link(listing.thumbnail_key(key, size))
                for size in listing.THUMBNAIL_SIZES
            },
        )
        for key in keys
    ]


def offer_out(offer: Offer, stars: dict) -> OfferOut:
    return OfferOut(
        offerId=offer.offer_id,
        sellerId=offer.seller_id,
        price=money(offer.price),
        freight=money(offer.freight),
        status=offer.status,
        sellerRating=_summary(stars.get(("SELLER", offer.seller_id))),
        skuId=offer.sku_id,
        options=offer.choice or {},
        sellerSku=offer.seller_sku,
        gtin=offer.gtin,
        images=image_links(offer.images),
    )


def product_out(item: Product, offers: list[Offer] | None = None) -> ProductOut:
    """The product with its category and every offer (read from the table, not the index;
    ``offers``: these instead of all); a seller's listing with its options, attributes,
    images and moderation."""
    category = categories.tree().get(item.category)
    if offers is None:
        offers = Offer.of_product(item.product_id)
    offers = sorted(offers, key=lambda o: (o.seller_id, o.created_at, o.sku_id or ""))
    stars = ratings([("PRODUCT", item.product_id)] + [("SELLER", o.seller_id) for o in offers])
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
        offers=[offer_out(o, stars) for o in offers],
        rating=RatingOut(**stars.get(("PRODUCT", item.product_id), {})),
        sellerId=item.owner_id,
        moderation=item.moderation,
        rejection=item.rejection,
        options=item.options or [],
        categoryAttributes=item.category_attributes or {},
        images=image_links(item.images),
    )


def attribute_specs(category_id: str) -> CategoryAttributes:
    """The attributes a category's listings take. Raises NotFound CATEGORY_NOT_FOUND."""
    category = categories.tree().by_slug.get(category_id)
    if category is None:
        raise NotFound("No such category.", code="CATEGORY_NOT_FOUND")
    return CategoryAttributes(
        categoryId=category.slug,
        attributes=[
            AttributeSpec(
                name=a.name,
                kind=a.kind,
                required=a.required,
                choices=list(a.choices),
                min=a.low if a.kind == "number" else None,
                max=a.high if a.kind == "number" else None,
                unit=a.unit,
            )
            for a in listing.attribute_set(category.slug, category.department)
        ],
    )


def seller_out(seller_id: str) -> SellerOut:
    """The seller with its offer count. Raises NotFound SELLER_NOT_FOUND."""
    item = get_or_404(
        Seller, *Seller.key(seller_id), code="SELLER_NOT_FOUND", detail="No such seller."
    )
    count = Offer.by_gsi1.count(f"SELLER#{seller_id}", Offer.gsi1sk.startswith("OFFER#"))
    stars = ratings([("SELLER", seller_id)]).get(("SELLER", seller_id), {})
    return SellerOut(
        sellerId=item.seller_id,
        city=item.city,
        state=item.state,
        offerCount=count,
        rating=RatingOut(**stars),
    )


# ------------------------------------------------------------------ categories


def category_tree() -> CategoryTree:
    """Departments and their categories (built-in and staff-created) with product counts
    that sum to the products in the catalog."""
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


# ------------------------------------------------------------------ search and browse


def criteria(
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
    min_rating: float | None = None,
) -> search.Criteria:
    """A search's criteria. Raises BadRequest INVALID_PARAMETER (an unknown category or
    department, minPrice above maxPrice) and INVALID_CURSOR, for what the schema alone
    cannot judge."""
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
        min_rating=min_rating,
        include_unavailable=include_unavailable,
        sort=sort,
        limit=limit,
        offset=offset,
    )


@cache
def local_index() -> LocalIndex:
    """The function's copy of the search index (refreshed from S3 as it moves on)."""
    return LocalIndex()


def run(criteria: search.Criteria, facets: bool = False) -> search.Page:
    """One page of the index's answer to ``criteria``, with facets if asked."""
    return search.run(local_index().current(), criteria, facets=facets, tree=categories.tree())


def summary(product: search.IndexedProduct) -> ProductSummary:
    """A product as a result lists it: its category and best offer."""
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
            price=money(best.price),
            freight=money(best.freight),
        )
        if best
        else None,
        rating=RatingSummary(average=product.rating, count=product.rating_count),
    )


def page(results: search.Page) -> dict:
    """``{items, total, nextCursor}`` of a page of results."""
    return {
        "items": [summary(p) for p in results.products],
        "total": results.total,
        "nextCursor": search.encode_cursor(results.next_offset) if results.next_offset else None,
    }


def published_version() -> int:
    """The index version searches use now."""
    return index_files.published_version()


# ------------------------------------------------------------------ bulk imports


def start_import(kind: str, requested_by: str) -> ImportCreated:
    """A new import of ``kind`` awaiting its CSV, and the presigned URL to PUT it to within
    ``UPLOAD_SECONDS``; the import runs on upload."""
    import_id = new_id("imp")
    key = f"imports/{import_id}/{kind}.csv"
    Import(
        *Import.key(import_id),
        import_id=import_id,
        kind=kind,
        status="AWAITING_UPLOAD",
        object_key=key,
        requested_by=requested_by,
        created_at=clock.iso(),
    ).save()
    url = signing_s3().generate_presigned_url(
        "put_object",
        ExpiresIn=UPLOAD_SECONDS,
        Params={
            "Bucket": settings.SETTINGS.needed("catalog_imports_bucket"),
            "Key": key,
            "ContentType": "text/csv",
        },
    )
    return ImportCreated(
        importId=import_id,
        kind=kind,
        status="AWAITING_UPLOAD",
        upload=Upload(url=url, headers={"Content-Type": "text/csv"}, expiresIn=UPLOAD_SECONDS),
    )


def import_report(import_id: str) -> ImportReport:
    """The import's state, counts and row problems. Raises NotFound IMPORT_NOT_FOUND."""
    record = get_or_404(
        Import, *Import.key(import_id), code="IMPORT_NOT_FOUND", detail="No such import."
    )
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
