"""Shops: every approved seller's public page, its profile the seller edits, and vacation.

A shop is made with its seller: by the approval's last step (in the same transaction that
approves the application, under the slug the application claimed) or by the import of the
Olist sellers (``import_olist``: a name and slug made from the seller id, with a slug claim
of its own so no applicant takes it). The page shows the catalog's counts and stars (the
catalog's ``sellerSummary`` step) and the chat response rate (``stats``).

**Vacation**: the catalog stops selling the shop's offers first (``setVacation``: search
drops them, the cart shows them unavailable, checkout refuses ``SHOP_ON_VACATION``), then the
shop records it, conditioned on the version read; if that write loses to a concurrent edit,
the catalog is set back to what the shop says and the caller gets 409 SHOP_CHANGED.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from sellers import settings, stats
from sellers.store import Claim, Shop
from titan import clock
from titan.auth import Principal
from titan.aws import signing_s3
from titan.calls import invoke
from titan.dynamo import condition_failed
from titan.errors import Conflict, NotFound
from titan.uploads import IMAGE_TYPES, check_uploads, upload_form

MAX_LOGO_BYTES = 2 * 1024 * 1024
LINK_SECONDS = 3600


def new_shop(
    slug: str, seller_id: str, name: str, city: str, state: str, origin: str, at: str
) -> Shop:
    """A shop as approval or import makes it (not yet written)."""
    return Shop(
        *Shop.key(slug),
        gsi1pk=Shop.seller_key(seller_id),
        slug=slug,
        seller_id=seller_id,
        name=name,
        city=city,
        state=state,
        member_since=at,
        on_vacation=False,
        origin=origin,
        updated_at=at,
    )


def get(slug: str) -> Shop:
    """Raises NotFound SHOP_NOT_FOUND."""
    try:
        return Shop.get(*Shop.key(slug))
    except Shop.DoesNotExist as exc:
        raise NotFound("No such shop.", code="SHOP_NOT_FOUND") from exc


def of_seller(seller_id: str) -> Shop:
    """The seller's shop. Raises NotFound SHOP_NOT_FOUND."""
    found = next(iter(Shop.by_seller.query(Shop.seller_key(seller_id), limit=1)), None)
    if found is None:
        raise NotFound("This seller has no shop.", code="SHOP_NOT_FOUND")
    return found


def own(caller: Principal, slug: str) -> Shop:
    """The shop, if the caller acts for its seller (or is staff). Raises NotFound
    SHOP_NOT_FOUND otherwise (another seller's shop is not theirs to change)."""
    shop = get(slug)
    if not caller.acts_for(shop.seller_id):
        raise NotFound("No such shop.", code="SHOP_NOT_FOUND")
    return shop


def logo_form(shop: Shop, content_type: str) -> dict:
    """A presigned S3 POST for the shop's logo (JPEG, PNG or WebP, 2 MB)."""
    return upload_form(
        settings.SETTINGS.needed("shop_media_bucket"),
        shop.seller_id,
        "logo",
        content_type,
        IMAGE_TYPES[content_type],
        MAX_LOGO_BYTES,
    )


def _vacation(seller_id: str, away: bool) -> None:
    invoke("CATALOG_STEPS_FUNCTION", "setVacation", {"sellerId": seller_id, "onVacation": away})


def edit(shop: Shop, changes: dict[str, Any]) -> Shop:
    """Change the shop's ``description``, ``logo`` (an upload's key) or ``vacation``
    (``{onVacation, message}``); only the keys given. Raises Unprocessable LOGO_NOT_FOUND,
    LOGO_INVALID; Conflict SHOP_CHANGED."""
    actions = []
    if "description" in changes:
        actions.append(Shop.description.set(changes["description"] or None))
    if changes.get("logo"):
        bucket = settings.SETTINGS.needed("shop_media_bucket")
        check_uploads(
            bucket, shop.seller_id, [changes["logo"]], IMAGE_TYPES, MAX_LOGO_BYTES, "logo"
        )
        actions.append(Shop.logo.set(changes["logo"]))
    vacation = changes.get("vacation")
    away = None
    if vacation is not None:
        away = bool(vacation["onVacation"])
        message = (vacation.get("message") or None) if away else None
        actions += [Shop.on_vacation.set(away), Shop.vacation_message.set(message)]
    if not actions:
        return shop
    if away is not None and away != shop.on_vacation:
        _vacation(shop.seller_id, away)
    try:
        shop.update(
            actions=[*actions, Shop.updated_at.set(clock.iso()), Shop.version.add(1)],
            condition=Shop.version == shop.version,
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        if away is not None:
            _vacation(shop.seller_id, bool(get(shop.slug).on_vacation))
        raise Conflict(
            "The shop changed meanwhile; read it and try again.", code="SHOP_CHANGED"
        ) from exc
    shop.refresh(consistent_read=True)
    return shop


def view(shop: Shop) -> dict[str, Any]:
    """The public page: the shop with the catalog's counts and stars."""
    summary = invoke("CATALOG_STEPS_FUNCTION", "sellerSummary", {"sellerId": shop.seller_id})
    logo = None
    bucket = settings.SETTINGS.shop_media_bucket
    if shop.logo and bucket:
        logo = signing_s3().generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": shop.logo}, ExpiresIn=LINK_SECONDS
        )
    return {
        "slug": shop.slug,
        "sellerId": shop.seller_id,
        "name": shop.name,
        "description": shop.description,
        "logoUrl": logo,
        "city": shop.city,
        "state": shop.state,
        "memberSince": shop.member_since,
        "onVacation": bool(shop.on_vacation),
        "vacationMessage": shop.vacation_message,
        "responseRate": stats.response_rate(shop.seller_id),
        "productCount": summary["productCount"],
        "offerCount": summary["offerCount"],
        "rating": summary["rating"],
    }


# ------------------------------------------------------------------ the Olist sellers


def olist_name(seller_id: str, city: str) -> tuple[str, str]:
    """(name, slug) of an imported Olist seller, which came without a name: ``"Loja 3442F895
    (Campinas)"``, ``loja-3442f895``."""
    code = seller_id[:8]
    return f"Loja {code.upper()} ({city.title()})", f"loja-{code}"


def import_olist(rows: list[dict[str, str]]) -> dict[str, int]:
    """Approved shops for imported sellers (``[{sellerId, city, state}]``), each with its slug
    claim. Both are fixed by the seller id, so they are written in batches and a re-run
    writes the same items again; a shop that exists is left as it is (its seller may have
    edited it), and a slug an applicant claimed first is left to them (``taken``).
    ``{"created": n, "existing": n, "taken": n}``."""
    now = clock.iso()
    wanted, clashes = {}, 0
    for row in rows:
        name, slug = olist_name(row["sellerId"], row["city"])
        if slug in wanted and wanted[slug][0]["sellerId"] != row["sellerId"]:
            clashes += 1  # two sellers whose ids start alike: the first keeps the slug
            continue
        wanted[slug] = (row, name)
    shops = {s.slug for s in Shop.batch_get([Shop.key(slug) for slug in wanted])}
    claims = {
        c.pk.removeprefix("SLUG#"): c.application_id
        for c in Claim.batch_get([Claim.slug_key(slug) for slug in wanted if slug not in shops])
    }
    counts = {"created": 0, "existing": len(shops), "taken": clashes}
    with Shop.batch_write() as batch:
        for slug, (row, name) in wanted.items():
            if slug in shops:
                continue
            owner = f"olist:{row['sellerId']}"
            if claims.get(slug, owner) != owner:
                counts["taken"] += 1
                continue
            city = row["city"].title()
            batch.save(new_shop(slug, row["sellerId"], name, city, row["state"], "OLIST", now))
            batch.save(Claim(*Claim.slug_key(slug), application_id=owner))
            counts["created"] += 1
    return counts
