"""The catalog's use cases: products and offers created, changed and deleted one by one.

Every edit is one DynamoDB transaction: the item, the category counts it moves and the
offers or price history that go with it change together or not at all, conditional on what
was read (a concurrent edit gets ``Conflict`` CONCURRENT_UPDATE, never a lost update).
Each function returns the domain events to publish after the write; the event payloads are
built here for the bulk importer too (``product_event``, ``offer_created``, ...).

Raises (``titan.errors``): NotFound (PRODUCT_NOT_FOUND, SELLER_NOT_FOUND), Conflict
(OFFER_EXISTS, CONCURRENT_UPDATE, TOO_MANY_OFFERS), Unprocessable (UNKNOWN_CATEGORY).
"""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError

from catalog import categories, domain
from catalog.store import CategoryCount, Offer, PriceChange, Product, Seller
from titan import clock
from titan.dynamo import get_or_404, transaction
from titan.errors import Conflict, NotFound, Unprocessable
from titan.events import DomainEvent
from titan.money import Money

#: DynamoDB's limit of 100 items per transaction, less the product and its category count
MAX_OFFERS_PER_DELETE = 98
ATTRIBUTES = ("weight_g", "length_cm", "height_cm", "width_cm", "photo_count")


def money(amount: int) -> dict[str, Any]:
    """``{"amount": <centavos>, "currency": "BRL"}``."""
    return Money(int(amount), domain.CURRENCY).to_dict()


def category(name: str) -> domain.Category:
    """The category for a slug or Olist name. Raises Unprocessable UNKNOWN_CATEGORY."""
    found = categories.tree().resolve(name)
    if found is None:
        raise Unprocessable(f"Unknown category {name!r}.", code="UNKNOWN_CATEGORY")
    return found


def count_products(write, slug: str, delta: int) -> None:
    """Within the transaction ``write``: move the category's product count by ``delta``."""
    write.update(
        CategoryCount(*CategoryCount.key(slug)),
        actions=[CategoryCount.products.add(delta), CategoryCount.category.set(slug)],
    )


def conflict(what: str) -> Conflict:
    """409 CONCURRENT_UPDATE: ``what`` (product, offer, variant) changed since it was read."""
    return Conflict(
        f"The {what} changed meanwhile; read it and try again.", code="CONCURRENT_UPDATE"
    )


def product_event(detail_type: str, product: Product) -> DomainEvent:
    """ProductCreated / ProductUpdated / ProductDeleted for ``product``."""
    data = {
        "productId": product.product_id,
        "title": product.title,
        "category": product.category,
        "status": product.status,
    }
    return DomainEvent.of(detail_type, data)


def get_product(product_id: str) -> Product:
    """Raises NotFound PRODUCT_NOT_FOUND."""
    return get_or_404(
        Product, *Product.key(product_id), code="PRODUCT_NOT_FOUND", detail="No such product."
    )


def create_product(
    title: str, category_name: str, description: str | None, attributes: dict[str, int | None]
) -> tuple[Product, list[DomainEvent]]:
    """A new active product with a fresh 32-hex id (the shape of Olist's ids).
    ``attributes``: weight_g, length_cm, height_cm, width_cm, photo_count (None: unknown)."""
    slug = category(category_name).slug
    product_id = uuid.uuid4().hex
    now = clock.iso()
    product = Product(
        *Product.key(product_id),
        product_id=product_id,
        title=title,
        description=description,
        category=slug,
        status="ACTIVE",
        **Product.index_keys(product_id, slug),
        created_at=now,
        updated_at=now,
        **{k: attributes.get(k) for k in ATTRIBUTES},
    )
    with transaction() as write:
        write.save(product, condition=Product.pk.does_not_exist())
        count_products(write, slug, +1)
    return product, [product_event("ProductCreated", product)]


def update_product(product_id: str, changes: dict[str, Any]) -> tuple[Product, list[DomainEvent]]:
    """Apply ``changes`` (title, description, category, status, and ATTRIBUTES; only the keys
    given) in one transaction conditional on the product read. No change: no write, no event."""
    product = get_product(product_id)
    if "category" in changes:
        changes["category"] = category(changes["category"]).slug
    changed = {k: v for k, v in changes.items() if getattr(product, k) != v}
    if not changed:
        return product, []
    read_at, before = product.updated_at, product.category
    now = clock.iso()
    actions = [getattr(Product, k).set(v) for k, v in changed.items() if v is not None]
    actions += [getattr(Product, k).remove() for k, v in changed.items() if v is None]
    actions.append(Product.updated_at.set(now))
    if "category" in changed:
        gsi1pk = Product.index_keys(product_id, changed["category"])["gsi1pk"]
        actions.append(Product.gsi1pk.set(gsi1pk))
    actions.append(Product.content_hash.remove())  # edited by hand: the next import rewrites it
    try:
        with transaction() as write:
            write.update(product, actions=actions, condition=Product.updated_at == read_at)
            if "category" in changed:
                count_products(write, before, -1)
                count_products(write, changed["category"], +1)
    except TransactWriteError as exc:
        raise conflict("product") from exc
    for key, value in changed.items():
        setattr(product, key, value)
    product.updated_at = now
    return product, [product_event("ProductUpdated", product)]


def offers_of(product_id: str) -> list[Offer]:
    """Every offer of the product (a listing's variants among them)."""
    return Offer.of_product(product_id)


def offer_ids(offer: Offer) -> dict[str, str]:
    """The keys events name an offer by; ``skuId`` for a variant of a seller's listing."""
    ids = {"offerId": offer.offer_id, "productId": offer.product_id, "sellerId": offer.seller_id}
    return ids | ({"skuId": offer.sku_id} if offer.sku_id else {})


def offer_created(offer: Offer, seller: Seller, opening_units: int | None = None) -> DomainEvent:
    """OfferCreated, with the seller's location as ``origin`` (where the goods ship from:
    inventory opens the offer's first warehouse stock there) and, for a seller's listing,
    the units the seller declared (``openingUnits``)."""
    data = {
        **offer_ids(offer),
        "price": money(offer.price),
        "freight": money(offer.freight),
        "origin": {"city": seller.city, "state": seller.state, "zipPrefix": seller.zip_prefix},
    }
    if opening_units is not None:
        data["openingUnits"] = opening_units
    return DomainEvent.of("OfferCreated", data)


def offer_price_changed(offer: Offer, previous: tuple[int, int]) -> DomainEvent:
    """OfferPriceChanged from ``previous`` (price, freight) to the offer's current values."""
    data = {
        **offer_ids(offer),
        "price": money(offer.price),
        "freight": money(offer.freight),
        "previousPrice": money(previous[0]),
        "previousFreight": money(previous[1]),
    }
    return DomainEvent.of("OfferPriceChanged", data)


def delete_product(product_id: str) -> list[DomainEvent]:
    """Delete the product with its offers (price histories stay, as an audit trail).
    Raises Conflict TOO_MANY_OFFERS past MAX_OFFERS_PER_DELETE offers."""
    product = get_product(product_id)
    offers = offers_of(product_id)
    if len(offers) > MAX_OFFERS_PER_DELETE:
        raise Conflict(
            f"The product has {len(offers)} offers; delete offers first "
            f"(at most {MAX_OFFERS_PER_DELETE} go with a product).",
            code="TOO_MANY_OFFERS",
        )
    try:
        with transaction() as write:
            write.delete(product, condition=Product.updated_at == product.updated_at)
            for offer in offers:
                write.delete(offer, condition=Offer.updated_at == offer.updated_at)
            count_products(write, product.category, -1)
    except TransactWriteError as exc:
        raise conflict("product") from exc
    events = [DomainEvent.of("OfferDeleted", offer_ids(o)) for o in offers]
    return [*events, product_event("ProductDeleted", product)]


def create_offer(
    product_id: str, seller_id: str, price: int, freight: int, actor: str
) -> tuple[Offer, list[DomainEvent]]:
    """A seller's offer for a product (price and freight in centavos), with its first price
    history entry. Raises NotFound PRODUCT_NOT_FOUND / SELLER_NOT_FOUND, Conflict OFFER_EXISTS."""
    get_product(product_id)
    seller = get_or_404(
        Seller, *Seller.key(seller_id), code="SELLER_NOT_FOUND", detail="No such seller."
    )
    offer_id = domain.offer_id(product_id, seller_id)
    now = clock.iso()
    offer = Offer(
        *Offer.key(product_id, seller_id),
        offer_id=offer_id,
        product_id=product_id,
        seller_id=seller_id,
        price=price,
        freight=freight,
        status="ACTIVE",
        **Offer.index_keys(product_id, seller_id, offer_id),
        created_at=now,
        updated_at=now,
    )
    history = PriceChange.entry(offer_id, price, freight, None, actor, now, tag=actor)
    try:
        with transaction() as write:
            write.save(offer, condition=Offer.pk.does_not_exist())
            write.condition_check(Product, *Product.key(product_id), condition=Product.pk.exists())
            write.save(history, condition=PriceChange.pk.does_not_exist())
    except TransactWriteError as exc:  # which condition failed: look at what is there now
        try:
            Offer.get(*Offer.key(product_id, seller_id), consistent_read=True)
        except Offer.DoesNotExist:
            raise NotFound("No such product.", code="PRODUCT_NOT_FOUND") from exc
        raise Conflict("This seller already offers this product.", code="OFFER_EXISTS") from exc
    return offer, [offer_created(offer, seller)]


def change_price(offer: Offer, price: int, freight: int, actor: str) -> list[DomainEvent]:
    """Set the offer's price and freight (centavos) with a price-history entry, in one
    transaction conditional on the values read (else CONCURRENT_UPDATE). Updates ``offer``.
    The current values again: no write, no event."""
    previous = (offer.price, offer.freight)
    if (price, freight) == previous:
        return []
    now = clock.iso()
    entry = PriceChange.entry(offer.offer_id, price, freight, previous, actor, now, tag=actor)
    try:
        with transaction() as write:
            write.update(
                offer,
                actions=[
                    Offer.price.set(price),
                    Offer.freight.set(freight),
                    Offer.updated_at.set(now),
                ],
                condition=(Offer.price == previous[0]) & (Offer.freight == previous[1]),
            )
            write.save(entry, condition=PriceChange.pk.does_not_exist())
    except TransactWriteError as exc:
        raise conflict("offer") from exc
    offer.price, offer.freight, offer.updated_at = price, freight, now
    return [offer_price_changed(offer, previous)]


def set_offer_status(offer: Offer, status: str) -> list[DomainEvent]:
    """Pause (INACTIVE) or resume (ACTIVE) an offer; conditional on the offer read. Raises
    Conflict OFFER_NOT_PUBLISHED for a variant whose listing staff have not published."""
    if offer.status == status:
        return []
    if offer.status == "DRAFT":
        raise Conflict(
            "This variant goes on sale when its listing is published.",
            code="OFFER_NOT_PUBLISHED",
        )
    now = clock.iso()
    try:
        offer.update(
            actions=[Offer.status.set(status), Offer.updated_at.set(now)],
            condition=Offer.updated_at == offer.updated_at,
        )
    except UpdateError as exc:
        raise conflict("offer") from exc
    return [DomainEvent.of("OfferUpdated", {**offer_ids(offer), "status": status})]


def delete_offer(offer: Offer) -> list[DomainEvent]:
    """Delete an offer (its price history stays); conditional on the offer read."""
    try:
        offer.delete(condition=Offer.updated_at == offer.updated_at)
    except DeleteError as exc:
        raise conflict("offer") from exc
    return [DomainEvent.of("OfferDeleted", offer_ids(offer))]
