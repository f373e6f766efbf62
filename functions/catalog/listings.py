"""Sellers' listings: a product with its variants (SKUs), written by its seller, moderated
by the automatic prohibited-item rule and by staff (rules in ``listing``).

A listing is a product (``owner_id`` its seller, ``moderation`` its state) whose variants are
the seller's offers of it, one per SKU, written with the product in one transaction: the
listing exists whole or not at all. Until staff publish it the product is INACTIVE and its
offers DRAFT, so search, the cart and checkout never see it; publishing makes both ACTIVE
(ProductUpdated and OfferUpdated tell search), a rejection hides the product again. Every
change is conditioned on the product's ``updated_at`` as read: a concurrent change gets 409
CONCURRENT_UPDATE.

Raises (``titan.errors``): NotFound PRODUCT_NOT_FOUND (also for another seller's product),
SELLER_NOT_FOUND; Conflict CONCURRENT_UPDATE, MODERATION_STATE; Unprocessable with the
rule's code pointing at its field (``listing.Refused``), IMAGES_REQUIRED, IMAGE_NOT_FOUND,
IMAGE_INVALID.
"""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from catalog import categories, domain, listing, service, settings
from catalog.store import ModerationEntry, Offer, PriceChange, Product, Seller
from titan import clock
from titan.auth import Principal
from titan.dynamo import condition_failed, get_or_404, transaction
from titan.errors import Conflict, NotFound
from titan.events import DomainEvent
from titan.ids import new_id
from titan.paging import page_cursor, page_start
from titan.uploads import IMAGE_TYPES, check_uploads, upload_form

MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: A listing's product, its category count and per variant its offer and first price entry
#: go in one transaction (DynamoDB: at most 100 items).
MAX_VARIANTS = 40
DRAFT_OFFER = "DRAFT"


def _seller(seller_id: str) -> Seller:
    return get_or_404(
        Seller, *Seller.key(seller_id), code="SELLER_NOT_FOUND", detail="No such seller."
    )


def image_form(seller_id: str, content_type: str) -> dict:
    """A presigned S3 POST for one product image of the seller's (JPEG, PNG or WebP, 5 MB):
    ``{url, fields, key, expiresIn}``."""
    return upload_form(
        settings.SETTINGS.needed("catalog_media_bucket"),
        seller_id,
        "img",
        content_type,
        IMAGE_TYPES[content_type],
        MAX_IMAGE_BYTES,
    )


def _check_images(seller_id: str, keys: list[str], field: str) -> list[str]:
    if len(keys) > listing.MAX_IMAGES:
        raise listing.Refused(
            f"At most {listing.MAX_IMAGES} images.", "TOO_MANY_IMAGES", field
        ).problem()
    if len(set(keys)) != len(keys):
        raise listing.Refused("An image is listed twice.", "IMAGE_DUPLICATE", field).problem()
    check_uploads(
        settings.SETTINGS.needed("catalog_media_bucket"),
        seller_id,
        keys,
        IMAGE_TYPES,
        MAX_IMAGE_BYTES,
        "image",
    )
    return list(keys)


def _variant_offer(
    product_id: str, seller_id: str, variant: dict[str, Any], choice: dict[str, str], now: str
) -> Offer:
    sku_id = new_id("sku")
    offer_id = domain.offer_id(product_id, Offer.slot_of(seller_id, sku_id))
    return Offer(
        *Offer.key(product_id, seller_id, sku_id),
        **Offer.index_keys(product_id, seller_id, offer_id, sku_id),
        offer_id=offer_id,
        product_id=product_id,
        seller_id=seller_id,
        sku_id=sku_id,
        choice=choice,
        seller_sku=variant.get("sellerSku"),
        gtin=variant.get("gtin"),
        images=variant.get("images") or [],
        price=variant["price"],
        freight=int(variant.get("freight") or 0),
        status=DRAFT_OFFER,
        created_at=now,
        updated_at=now,
    )


def _checked_variants(
    seller_id: str, options: list[dict], variants: list[dict], first: int = 0, taken=None
) -> list[tuple[dict, dict[str, str]]]:
    """Each variant with its option values, every rule checked (``first``: the index of the
    first in the body's list, for the fields problems name)."""
    taken = set() if taken is None else taken
    checked = []
    try:
        for i, variant in enumerate(variants, start=first):
            field = f"variants.{i}"
            choice = listing.check_variant_choice(
                options, variant.get("options") or {}, f"{field}.options", taken
            )
            listing.check_gtin(variant.get("gtin"), f"{field}.gtin")
            checked.append((variant, choice))
    except listing.Refused as exc:
        raise exc.problem() from exc
    for i, (variant, _) in enumerate(checked, start=first):
        _check_images(seller_id, variant.get("images") or [], f"variants.{i}.images")
    return checked


def create(
    seller_id: str, body: dict[str, Any], actor: str
) -> tuple[Product, list[Offer], list[DomainEvent]]:
    """A seller's new listing, in DRAFT: ``body`` as ``ListingIn`` (title, category,
    description, dimensions, categoryAttributes, options, variants, images; prices in
    centavos). Returns the product, its variants' offers and the events (ProductCreated,
    OfferCreated per SKU with its opening stock)."""
    seller = _seller(seller_id)
    category = service.category(body["category"])
    if len(body["variants"]) > MAX_VARIANTS:
        raise listing.Refused(
            f"At most {MAX_VARIANTS} variants.", "TOO_MANY_VARIANTS", "variants"
        ).problem()
    try:
        options = listing.check_options(body.get("options") or [])
        attributes = listing.check_attributes(
            body.get("categoryAttributes") or {}, category.slug, category.department
        )
    except listing.Refused as exc:
        raise exc.problem() from exc
    variants = _checked_variants(seller_id, options, body["variants"])
    images = _check_images(seller_id, body.get("images") or [], "images")
    product_id = uuid.uuid4().hex  # the shape of Olist's ids
    now = clock.iso()
    dimensions = {domain.DIMENSIONS[k]: v for k, v in (body.get("dimensions") or {}).items()}
    product = Product(
        *Product.key(product_id),
        **Product.index_keys(product_id, category.slug),
        product_id=product_id,
        title=" ".join(body["title"].split()),
        description=body.get("description"),
        category=category.slug,
        status="INACTIVE",
        owner_id=seller_id,
        moderation=listing.DRAFT,
        options=options,
        category_attributes=attributes,
        images=images,
        **{field: dimensions.get(field) for field in domain.DIMENSIONS.values()},
        photo_count=len(images),
        created_at=now,
        updated_at=now,
    )
    offers = [_variant_offer(product_id, seller_id, v, choice, now) for v, choice in variants]
    with transaction() as write:
        write.save(product, condition=Product.pk.does_not_exist())
        for offer in offers:
            write.save(offer, condition=Offer.pk.does_not_exist())
            entry = PriceChange.entry(
                offer.offer_id, offer.price, offer.freight, None, actor, now, tag=offer.sku_id
            )
            write.save(entry, condition=PriceChange.pk.does_not_exist())
        service.count_products(write, category.slug, +1)
    events = [service.product_event("ProductCreated", product)]
    events += [
        service.offer_created(o, seller, opening_units=int(v.get("stock") or 0))
        for o, (v, _) in zip(offers, variants, strict=True)
    ]
    return product, offers, events


def own(caller: Principal, seller_id: str, product_id: str) -> Product:
    """The seller's listing, if the caller acts for the seller. Raises NotFound
    PRODUCT_NOT_FOUND for a product that is not this seller's listing."""
    caller.require_seller(seller_id)
    product = service.get_product(product_id)
    if product.owner_id != seller_id:
        raise NotFound("No such product.", code="PRODUCT_NOT_FOUND")
    return product


def get_listing(product_id: str) -> Product:
    """A seller's listing. Raises NotFound PRODUCT_NOT_FOUND (also for a catalog product)."""
    product = service.get_product(product_id)
    if product.owner_id is None:
        raise NotFound("No such listing.", code="PRODUCT_NOT_FOUND")
    return product


def variants_of(product: Product) -> list[Offer]:
    """The listing's variants (its owner's offers of it), in creation order."""
    offers = Offer.query(
        f"PRODUCT#{product.product_id}", Offer.sk.startswith(f"OFFER#{product.owner_id}#")
    )
    return sorted(offers, key=lambda o: (o.created_at, o.sku_id or ""))


def _changed(product: Product, actions: list, write=None) -> None:
    """``actions`` on ``product`` conditioned on its ``updated_at`` as read, in ``write``
    (a transaction) or on its own. Raises Conflict CONCURRENT_UPDATE (on its own)."""
    condition = Product.updated_at == product.updated_at
    if write is not None:
        write.update(product, actions=actions, condition=condition)
        return
    try:
        product.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        raise service.conflict("product") from exc


def edit(product: Product, changes: dict[str, Any]) -> tuple[Product, list[DomainEvent]]:
    """Change a listing's title, description, categoryAttributes, images or dimensions
    (only the keys given). A published listing whose new words name a prohibited item is
    taken down (REJECTED, PROHIBITED_ITEM) like a submission would be."""
    category = categories.tree().get(product.category)
    fields: dict[str, Any] = {}
    if "title" in changes:
        fields["title"] = " ".join(changes["title"].split())
    if "description" in changes:
        fields["description"] = changes["description"]
    if "categoryAttributes" in changes:
        try:
            fields["category_attributes"] = listing.check_attributes(
                changes["categoryAttributes"] or {}, category.slug, category.department
            )
        except listing.Refused as exc:
            raise exc.problem() from exc
    if "images" in changes:
        fields["images"] = _check_images(product.owner_id, changes["images"] or [], "images")
        fields["photo_count"] = len(fields["images"])
    for key, value in (changes.get("dimensions") or {}).items():
        fields[domain.DIMENSIONS[key]] = value
    fields = {k: v for k, v in fields.items() if getattr(product, k) != v}
    if not fields:
        return product, []
    now = clock.iso()
    found = _prohibited(product, fields) if product.moderation == listing.PUBLISHED else []
    actions = [getattr(Product, k).set(v) for k, v in fields.items() if v is not None]
    actions += [getattr(Product, k).remove() for k, v in fields.items() if v is None]
    actions.append(Product.updated_at.set(now))
    if found:
        rejection = _by_rule(found)
        actions += [
            Product.moderation.set(listing.REJECTED),
            Product.status.set("INACTIVE"),
            Product.rejection.set(rejection),
        ]
        fields |= {"moderation": listing.REJECTED, "status": "INACTIVE", "rejection": rejection}
    _changed(product, actions)
    for key, value in fields.items():
        setattr(product, key, value)
    product.updated_at = now
    return product, [service.product_event("ProductUpdated", product)]


def _by_rule(found: list[str]) -> dict[str, Any]:
    """The rejection the prohibited-item rule gives, naming what it ``found``."""
    return {"reasons": ["PROHIBITED_ITEM"], "note": "; ".join(found), "by": "rules"}


def _prohibited(product: Product, fields: dict[str, Any] | None = None) -> list[str]:
    current = {
        "title": product.title,
        "description": product.description or "",
        "category_attributes": product.category_attributes or {},
    } | {k: v for k, v in (fields or {}).items() if k in ("title", "description")}
    attributes = (fields or {}).get("category_attributes", current["category_attributes"])
    words = [str(v) for v in attributes.values()]
    return listing.prohibited(current["title"], current["description"] or "", *words)


def add_variant(
    product: Product, variant: dict[str, Any], actor: str
) -> tuple[Offer, list[DomainEvent]]:
    """A new SKU of the listing (its options' values, not yet taken). A variant added to a
    published listing is on sale at once; before, it waits with the others."""
    existing = variants_of(product)
    if len(existing) >= MAX_VARIANTS:
        raise listing.Refused(
            f"At most {MAX_VARIANTS} variants.", "TOO_MANY_VARIANTS", "options"
        ).problem()
    taken = {tuple((o.choice or {}).values()) for o in existing}
    ((_, choice),) = _checked_variants(product.owner_id, product.options or [], [variant], 0, taken)
    seller = _seller(product.owner_id)
    now = clock.iso()
    offer = _variant_offer(product.product_id, product.owner_id, variant, choice, now)
    if product.moderation == listing.PUBLISHED:
        offer.status = "ACTIVE"
    entry = PriceChange.entry(
        offer.offer_id, offer.price, offer.freight, None, actor, now, tag=offer.sku_id
    )
    try:
        with transaction() as write:
            write.save(offer, condition=Offer.pk.does_not_exist())
            write.save(entry, condition=PriceChange.pk.does_not_exist())
            _changed(product, [Product.updated_at.set(now)], write)
    except TransactWriteError as exc:
        raise service.conflict("product") from exc
    product.updated_at = now
    units = int(variant.get("stock") or 0)
    return offer, [service.offer_created(offer, seller, opening_units=units)]


def edit_variant(
    product: Product, sku_id: str, changes: dict[str, Any], actor: str
) -> tuple[Offer, list[DomainEvent]]:
    """Change one variant's ``gtin``, ``sellerSku`` or ``images`` (conditioned on the variant
    as read), and its ``price`` or ``freight`` (with a price history entry and
    OfferPriceChanged, as ``PATCH /offers/{id}``). Raises NotFound SKU_NOT_FOUND; Conflict
    CONCURRENT_UPDATE; Unprocessable GTIN_INVALID, IMAGE_*."""
    try:
        offer = Offer.get(
            *Offer.key(product.product_id, product.owner_id, sku_id), consistent_read=True
        )
    except Offer.DoesNotExist as exc:
        raise NotFound("The listing has no such variant.", code="SKU_NOT_FOUND") from exc
    fields: dict[str, Any] = {}
    if "gtin" in changes:
        try:
            fields["gtin"] = listing.check_gtin(changes["gtin"], "gtin")
        except listing.Refused as exc:
            raise exc.problem() from exc
    if "sellerSku" in changes:
        fields["seller_sku"] = changes["sellerSku"]
    if "images" in changes:
        fields["images"] = _check_images(product.owner_id, changes["images"] or [], "images")
    fields = {k: v for k, v in fields.items() if getattr(offer, k) != v}
    if fields:
        actions = [getattr(Offer, k).set(v) for k, v in fields.items() if v is not None]
        actions += [getattr(Offer, k).remove() for k, v in fields.items() if v is None]
        try:
            offer.update(
                actions=[*actions, Offer.updated_at.set(clock.iso())],
                condition=Offer.updated_at == offer.updated_at,
            )
        except UpdateError as exc:
            raise service.conflict("variant") from exc
    price = changes.get("price") or offer.price
    freight = offer.freight if changes.get("freight") is None else changes["freight"]
    return offer, service.change_price(offer, int(price), int(freight), actor)


def _lands(product: Product, action: str) -> str:
    """Where ``action`` takes the listing. Raises Conflict MODERATION_STATE."""
    try:
        return listing.moved(action, product.moderation or listing.PUBLISHED)
    except ValueError as exc:
        raise Conflict(str(exc), code="MODERATION_STATE", moderation=product.moderation) from exc


def _moderate(
    product: Product, action: str, extra: list, entry: tuple | None, now: str, drop_entry=None
) -> None:
    lands = _lands(product, action)
    actions = [Product.moderation.set(lands), Product.updated_at.set(now), *extra]
    try:
        with transaction() as write:
            _changed(product, actions, write)
            if entry is not None:
                write.save(ModerationEntry(*entry[0], **entry[1]))
            if drop_entry is not None:
                write.delete(ModerationEntry(*drop_entry))
    except TransactWriteError as exc:
        raise service.conflict("product") from exc
    product.moderation, product.updated_at = lands, now


def submit(product: Product) -> tuple[Product, list[DomainEvent]]:
    """DRAFT or REJECTED → SUBMITTED (in staff's queue), or at once REJECTED with
    PROHIBITED_ITEM when the automatic rule finds a prohibited item. Raises Unprocessable
    IMAGES_REQUIRED for a listing without an image."""
    if not product.images:
        raise listing.Refused(
            "A listing needs at least one image before review.", "IMAGES_REQUIRED", "images"
        ).problem()
    now = clock.iso()
    found = _prohibited(product)
    if found:
        _lands(product, "submit")
        rejection = _by_rule(found)
        actions = [Product.rejection.set(rejection), Product.moderation.set(listing.REJECTED)]
        _changed(product, [*actions, Product.updated_at.set(now)])
        product.rejection, product.moderation, product.updated_at = rejection, listing.REJECTED, now
        return product, []
    entry = (
        ModerationEntry.key(now, product.product_id),
        {"product_id": product.product_id, "owner_id": product.owner_id, "title": product.title},
    )
    _moderate(
        product,
        "submit",
        [Product.submitted_at.set(now), Product.rejection.remove()],
        entry,
        now,
    )
    product.submitted_at, product.rejection = now, None
    return product, []


def queue(cursor: str | None, limit: int) -> tuple[list[Product], str | None]:
    """Staff's queue: submitted listings, longest waiting first, paged. Raises BadRequest
    INVALID_CURSOR."""
    start = page_start(cursor, ("pk", "sk"), {"pk": "MODERATION#SUBMITTED"})
    query = ModerationEntry.query("MODERATION#SUBMITTED", limit=limit, last_evaluated_key=start)
    entries = list(query)
    found = {
        p.product_id: p for p in Product.batch_get([Product.key(e.product_id) for e in entries])
    }
    items = [found[e.product_id] for e in entries if e.product_id in found]
    return items, page_cursor(query.last_evaluated_key)


def publish(product: Product, staff: Principal) -> tuple[Product, list[DomainEvent]]:
    """SUBMITTED → PUBLISHED: the product and its waiting variants go on sale (ACTIVE)."""
    now = clock.iso()
    waiting = [o for o in variants_of(product) if o.status == DRAFT_OFFER]
    drop = ModerationEntry.key(product.submitted_at, product.product_id)
    lands = _lands(product, "publish")
    try:
        with transaction() as write:
            _changed(
                product,
                [
                    Product.moderation.set(lands),
                    Product.status.set("ACTIVE"),
                    Product.updated_at.set(now),
                    Product.rejection.remove(),
                ],
                write,
            )
            write.delete(ModerationEntry(*drop))
            for offer in waiting:
                write.update(
                    offer,
                    actions=[Offer.status.set("ACTIVE"), Offer.updated_at.set(now)],
                    condition=Offer.status == DRAFT_OFFER,
                )
    except TransactWriteError as exc:
        raise service.conflict("product") from exc
    product.moderation, product.status, product.updated_at = lands, "ACTIVE", now
    product.rejection = None
    events = [service.product_event("ProductUpdated", product)]
    events += [
        DomainEvent.of("OfferUpdated", {**service.offer_ids(o), "status": "ACTIVE"})
        for o in waiting
    ]
    return product, events


def reject(
    product: Product, staff: Principal, reasons: list[str], note: str | None
) -> tuple[Product, list[DomainEvent]]:
    """SUBMITTED or PUBLISHED → REJECTED with ``reasons`` (``listing.REJECTION_REASONS``):
    the product leaves search and can no longer be bought; the seller may edit and submit
    again."""
    now = clock.iso()
    rejection = {"reasons": reasons, "note": note, "by": staff.id}
    drop = (
        ModerationEntry.key(product.submitted_at, product.product_id)
        if product.moderation == listing.SUBMITTED
        else None
    )
    _moderate(
        product,
        "reject",
        [Product.status.set("INACTIVE"), Product.rejection.set(rejection)],
        None,
        now,
        drop,
    )
    product.status, product.rejection = "INACTIVE", rejection
    return product, [service.product_event("ProductUpdated", product)]


def seller_products(
    seller_id: str, cursor: str | None, limit: int
) -> tuple[list[Product], dict[str, list[Offer]], str | None]:
    """The products a seller offers (its listings and the imported products it sells), by
    product id, with the seller's offers of each; paged over the offers. Raises BadRequest
    INVALID_CURSOR."""
    start = page_start(cursor, ("pk", "sk", "gsi1pk", "gsi1sk"), {"gsi1pk": f"SELLER#{seller_id}"})
    query = Offer.by_gsi1.query(
        f"SELLER#{seller_id}",
        Offer.gsi1sk.startswith("OFFER#"),
        limit=limit,
        last_evaluated_key=start,
    )
    offers: dict[str, list[Offer]] = {}
    for offer in query:
        offers.setdefault(offer.product_id, []).append(offer)
    found = {p.product_id: p for p in Product.batch_get([Product.key(p) for p in offers])}
    ordered = [found[product_id] for product_id in offers if product_id in found]
    return ordered, offers, page_cursor(query.last_evaluated_key)
