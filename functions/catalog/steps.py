"""The catalog's saga steps (one Lambda, ``action`` picks the step; see ``titan.saga``).

- ``quote``: the current price and freight of the offers a cart names, read consistently
  from the catalog table (the checkout re-reads prices here, never trusts the cart's copy).
- ``registerSeller`` / ``forgetSeller``: the seller approval saga's step and compensation.
- ``setVacation``: a shop's vacation (the sellers context), ``sellerSummary``: its page's
  counts and stars.
- ``sellerProduct``: whether a seller sells a product (in any of its variants), and its title:
  what a buyer may ask the seller about (chat).
"""

from __future__ import annotations

from pynamodb.exceptions import PutError

from catalog.domain import CURRENCY
from catalog.listing import variant_label
from catalog.store import Offer, Product, Rating, Seller
from titan import clock
from titan.dynamo import condition_failed
from titan.events import DomainEvent, publish
from titan.saga import StepRefused, steps


def _parcel(product: Product | None) -> dict | None:
    """One unit's weight (g) and dimensions (cm), when the product has all four."""
    sizes = (
        (product.weight_g, product.length_cm, product.height_cm, product.width_cm)
        if product
        else ()
    )
    if not sizes or not all(sizes):
        return None
    weight, length, height, width = sizes
    return {
        "weightGrams": int(weight),
        "lengthCm": float(length),
        "heightCm": float(height),
        "widthCm": float(width),
    }


def _key(line: dict) -> tuple[str, str]:
    return Offer.key(line["productId"], line["sellerId"], line.get("skuId"))


def _title(product: Product | None, offer: Offer, line: dict) -> str:
    """The product's title, with the variant's option values: ``"Tee (Size M, Colour Red)"``."""
    title = product.title if product else line["productId"]
    label = variant_label(offer.choice or {})
    return f"{title} ({label})" if label else title


def quote(event: dict) -> dict:
    """``{"lines": [{"lineId", "productId", "sellerId", "skuId"?, "quantity"}]}`` →
    ``{"currency": "BRL", "lines": [... + "offerId", "title", "unitPrice", "freight",
    "parcel", "originZip"]}``, prices in centavos, ``freight`` per unit (Olist's
    ``freight_value`` is per item), ``parcel`` one unit's ``{weightGrams, lengthCm, heightCm,
    widthCm}`` (None when the product lacks one) and ``originZip`` the seller's zip prefix.
    ``skuId`` names a variant of a seller's listing (the title then carries its option
    values); without it, the seller's only offer of the product. A line with a ``salePrice``
    (a flash-sale line, from that context's ``claim`` step) is charged that price; its offer
    must still be active.

    Refuses 409 ``OFFER_UNAVAILABLE`` (with ``lineIds``) when an offer is gone or paused or
    its product is not on sale, ``SHOP_ON_VACATION`` when every such line's shop is on
    vacation; with ``"partial": true`` it lists them under ``"unavailable"`` instead, with
    ``"reasons"`` by line id."""
    lines = event["lines"]
    keys = {_key(line) for line in lines}
    offers = {(o.pk, o.sk): o for o in Offer.batch_get(list(keys), consistent_read=True)}
    products = {
        (p.pk, p.sk): p
        for p in Product.batch_get(
            list({Product.key(line["productId"]) for line in lines}), consistent_read=True
        )
    }
    sellers = {
        (s.pk, s.sk): s
        for s in Seller.batch_get(list({Seller.key(line["sellerId"]) for line in lines}))
    }
    quoted, unavailable, reasons = [], [], {}
    for line in lines:
        offer = offers.get(_key(line))
        product = products.get(Product.key(line["productId"]))
        seller = sellers.get(Seller.key(line["sellerId"]))
        on_sale = product is None or product.status == "ACTIVE"
        if offer is None or offer.status != "ACTIVE" or not on_sale:
            reason = "OFFER_UNAVAILABLE"
        elif seller is not None and seller.on_vacation:
            reason = "SHOP_ON_VACATION"
        else:
            reason = None
        if reason:
            line_id = line.get("lineId") or line["productId"]
            unavailable.append(line_id)
            reasons[line_id] = reason
            continue
        quoted.append(
            {
                **line,
                "offerId": offer.offer_id,
                "title": _title(product, offer, line),
                "unitPrice": int(line.get("salePrice") or offer.price),
                "freight": int(offer.freight),
                "parcel": _parcel(product),
                "originZip": seller.zip_prefix if seller else None,
            }
        )
    if unavailable and event.get("partial"):
        return {
            "currency": CURRENCY,
            "lines": quoted,
            "unavailable": unavailable,
            "reasons": reasons,
        }
    if unavailable and set(reasons.values()) == {"SHOP_ON_VACATION"}:
        raise StepRefused(
            "SHOP_ON_VACATION",
            409,
            "The shop is on vacation and sells nothing until it is back.",
            lineIds=unavailable,
        )
    if unavailable:
        raise StepRefused(
            "OFFER_UNAVAILABLE",
            409,
            "Some cart lines name offers that are no longer sold.",
            lineIds=unavailable,
        )
    return {"currency": CURRENCY, "lines": quoted}


def register_seller(event: dict) -> dict:
    """``{"sellerId", "city", "state", "zipPrefix"}`` → ``{"created": bool}``: the approved
    seller in the catalog (where its offers ship from). Idempotent: a retry finds it."""
    now = clock.iso()
    seller = Seller(
        *Seller.key(event["sellerId"]),
        seller_id=event["sellerId"],
        city=event["city"],
        state=event["state"],
        zip_prefix=event["zipPrefix"],
        created_at=now,
        updated_at=now,
    )
    try:
        seller.save(condition=Seller.pk.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            return {"created": False}
        raise
    return {"created": True}


def forget_seller(event: dict) -> dict:
    """Compensation of ``registerSeller``: ``{"sellerId"}`` → ``{"removed": bool}``; a seller
    with offers is kept (it was not this approval's)."""
    if next(iter(Offer.by_gsi1.query(f"SELLER#{event['sellerId']}", limit=1)), None):
        return {"removed": False}
    Seller(*Seller.key(event["sellerId"])).delete()
    return {"removed": True}


def set_vacation(event: dict) -> dict:
    """``{"sellerId", "onVacation"}`` → ``{"changed": bool}``: the shop's offers leave (or
    come back to) search, the cart and checkout; SellerVacationChanged tells search.
    Idempotent. Refuses 404 ``SELLER_NOT_FOUND``."""
    seller_id, away = event["sellerId"], bool(event["onVacation"])
    try:
        seller = Seller.get(*Seller.key(seller_id), consistent_read=True)
    except Seller.DoesNotExist as exc:
        raise StepRefused("SELLER_NOT_FOUND", 404, "No such seller.") from exc
    if bool(seller.on_vacation) == away:
        return {"changed": False}
    seller.update(
        actions=[Seller.on_vacation.set(away), Seller.updated_at.set(clock.iso())],
        condition=Seller.pk.exists(),
    )
    publish([DomainEvent.of("SellerVacationChanged", {"sellerId": seller_id, "onVacation": away})])
    return {"changed": True}


def seller_summary(event: dict) -> dict:
    """``{"sellerId"}`` → ``{"known", "offerCount", "productCount", "rating": {average,
    count}}``: what a shop's page shows of the catalog (offers on sale now; products counted
    once however many variants)."""
    seller_id = event["sellerId"]
    try:
        Seller.get(*Seller.key(seller_id))
    except Seller.DoesNotExist:
        return {
            "known": False,
            "offerCount": 0,
            "productCount": 0,
            "rating": {"average": None, "count": 0},
        }
    live = [
        o
        for o in Offer.by_gsi1.query(f"SELLER#{seller_id}", Offer.gsi1sk.startswith("OFFER#"))
        if o.status == "ACTIVE"
    ]
    try:
        stars = Rating.get(*Rating.key("SELLER", seller_id)).summary()
        rating = {"average": stars["average"], "count": stars["count"]}
    except Rating.DoesNotExist:
        rating = {"average": None, "count": 0}
    return {
        "known": True,
        "offerCount": len(live),
        "productCount": len({o.product_id for o in live}),
        "rating": rating,
    }


def seller_product(event: dict) -> dict:
    """``{"productId", "sellerId"}`` → ``{"title"}`` when the product is on sale and the seller
    has an active offer of it (any variant). Raises StepRefused PRODUCT_NOT_FOUND (404)
    otherwise."""
    product_id, seller_id = event["productId"], event["sellerId"]
    try:
        product = Product.get(*Product.key(product_id))
    except Product.DoesNotExist:
        product = None
    sold = (
        product is not None
        and product.status == "ACTIVE"
        and any(
            o.seller_id == seller_id and o.status == "ACTIVE" for o in Offer.of_product(product_id)
        )
    )
    if not sold:
        raise StepRefused("PRODUCT_NOT_FOUND", 404, "The seller does not sell this product.")
    return {"title": product.title}


handler = steps(
    {
        "quote": quote,
        "registerSeller": register_seller,
        "forgetSeller": forget_seller,
        "setVacation": set_vacation,
        "sellerSummary": seller_summary,
        "sellerProduct": seller_product,
    }
)
