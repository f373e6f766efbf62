"""The catalog's saga steps (one Lambda, ``action`` picks the step; see ``titan.saga``).

- ``quote``: the current price and freight of the offers a cart names, read consistently
  from the catalog table (the checkout re-reads prices here, never trusts the cart's copy).
- ``registerSeller`` / ``forgetSeller``: the seller approval saga's step and compensation.
"""

from __future__ import annotations

from pynamodb.exceptions import PutError

from catalog.domain import CURRENCY
from catalog.store import Offer, Product, Seller
from titan import clock
from titan.dynamo import condition_failed
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


def quote(event: dict) -> dict:
    """``{"lines": [{"lineId", "productId", "sellerId", "quantity"}]}`` →
    ``{"currency": "BRL", "lines": [... + "offerId", "title", "unitPrice", "freight",
    "parcel", "originZip"]}``, prices in centavos, ``freight`` per unit (Olist's
    ``freight_value`` is per item), ``parcel`` one unit's ``{weightGrams, lengthCm, heightCm,
    widthCm}`` (None when the product lacks one) and ``originZip`` the seller's zip prefix. A line
    with a ``salePrice`` (a flash-sale line, from that context's ``claim`` step) is charged
    that price; its offer must still be active.

    Refuses 409 ``OFFER_UNAVAILABLE`` (with ``lineIds``) when an offer is gone or paused;
    with ``"partial": true`` it lists them under ``"unavailable"`` instead."""
    lines = event["lines"]
    keys = {Offer.key(line["productId"], line["sellerId"]) for line in lines}
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
    quoted, unavailable = [], []
    for line in lines:
        offer = offers.get(Offer.key(line["productId"], line["sellerId"]))
        if offer is None or offer.status != "ACTIVE":
            unavailable.append(line.get("lineId") or line["productId"])
            continue
        product = products.get(Product.key(line["productId"]))
        seller = sellers.get(Seller.key(line["sellerId"]))
        quoted.append(
            {
                **line,
                "offerId": offer.offer_id,
                "title": product.title if product else line["productId"],
                "unitPrice": int(line.get("salePrice") or offer.price),
                "freight": int(offer.freight),
                "parcel": _parcel(product),
                "originZip": seller.zip_prefix if seller else None,
            }
        )
    if unavailable and event.get("partial"):
        return {"currency": CURRENCY, "lines": quoted, "unavailable": unavailable}
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


handler = steps({"quote": quote, "registerSeller": register_seller, "forgetSeller": forget_seller})
