"""Catalog persistence: one DynamoDB table (``CATALOG_TABLE``), pynamodb models.

Items (pk / sk; GSI1 = gsi1pk / gsi1sk):
- ``PRODUCT#<id>`` / ``PRODUCT``: a product; GSI1 ``CATEGORY#<slug>`` / ``PRODUCT#<id>``
- ``PRODUCT#<productId>`` / ``OFFER#<sellerId>``: an offer;
  GSI1 ``SELLER#<id>`` / ``OFFER#<productId>``; GSI2 ``OFFER#<offerId>`` finds it by offer id
- ``PRODUCT#<productId>`` / ``OFFER#<sellerId>#<skuId>``: one variant (SKU) of a seller's
  listing, an offer like the others; GSI1 ``SELLER#<id>`` / ``OFFER#<productId>#<skuId>``
- ``MODERATION#SUBMITTED`` / ``<submittedAt>#<productId>``: the staff's review queue
- ``SELLER#<id>`` / ``SELLER``: a seller
- ``OFFER#<offerId>`` / ``PRICE#<timestamp>``: the offer's price history
- ``CATEGORY#<slug>`` / ``COUNT``: how many products the category has
- ``CATEGORY#<slug>`` / ``META``: a staff-created category; GSI1 ``CATEGORIES`` / ``<slug>``
- ``IMPORT#<id>`` / ``IMPORT``: a bulk import and its report
- ``PRODUCT#<id>`` / ``RATING``, ``SELLER#<id>`` / ``RATING``: the stars the reviews context
  last reported (RatingChanged), kept only when newer (its ``sequence``)
- ``SEARCH#INDEX`` / ``POINTER#<schema>``: the current search index version of that index
  schema (SearchIndexPointer)
Imported items keep ``content_hash`` (domain.content_hash of their imported fields): a
re-import that would change nothing writes nothing.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from titan.dynamo import index, table_meta

META = table_meta("CATALOG_TABLE")


ByGsi1 = index("gsi1")


ByOfferId = index("gsi2", range_key=False)


class _Item(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Product(_Item):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_gsi1 = ByGsi1()
    product_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    category = UnicodeAttribute()
    status = UnicodeAttribute(default="ACTIVE")
    weight_g = NumberAttribute(null=True)
    length_cm = NumberAttribute(null=True)
    height_cm = NumberAttribute(null=True)
    width_cm = NumberAttribute(null=True)
    photo_count = NumberAttribute(null=True)
    #: a seller's listing: its owner, moderation state (listing.DRAFT ... ; None: staff's or
    #: imported, published as they are), options, category attributes and image keys
    owner_id = UnicodeAttribute(null=True)
    moderation = UnicodeAttribute(null=True)
    rejection = JSONAttribute(null=True)  # {"reasons": [...], "note": str | None, "by": id}
    options = JSONAttribute(null=True)  # [{"name", "values"}]
    category_attributes = JSONAttribute(null=True)
    images = ListAttribute(of=UnicodeAttribute, null=True)
    submitted_at = UnicodeAttribute(null=True)
    source_name_length = NumberAttribute(null=True)
    source_description_length = NumberAttribute(null=True)
    content_hash = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(product_id: str) -> tuple[str, str]:
        return f"PRODUCT#{product_id}", "PRODUCT"

    @staticmethod
    def index_keys(product_id: str, category: str) -> dict[str, str]:
        """GSI1: the product under its category."""
        return {"gsi1pk": f"CATEGORY#{category}", "gsi1sk": f"PRODUCT#{product_id}"}


class Seller(_Item):
    seller_id = UnicodeAttribute()
    city = UnicodeAttribute()
    state = UnicodeAttribute()
    zip_prefix = UnicodeAttribute()
    #: the shop is on vacation: its offers leave search, the cart and checkout
    on_vacation = BooleanAttribute(null=True)
    content_hash = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(seller_id: str) -> tuple[str, str]:
        return f"SELLER#{seller_id}", "SELLER"


class Offer(_Item):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_gsi1 = ByGsi1()
    gsi2pk = UnicodeAttribute()
    by_offer_id = ByOfferId()
    offer_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    price = NumberAttribute()
    freight = NumberAttribute()
    currency = UnicodeAttribute(default="BRL")
    times_sold = NumberAttribute(default=0)
    status = UnicodeAttribute(default="ACTIVE")
    #: a variant of a seller's listing (one SKU): its id, option values, the seller's own
    #: SKU code, barcode (GTIN) and image keys; None for a product's only, imported offer
    sku_id = UnicodeAttribute(null=True)
    choice = JSONAttribute(null=True)  # {"Size": "M", "Colour": "Red"}
    seller_sku = UnicodeAttribute(null=True)
    gtin = UnicodeAttribute(null=True)
    images = ListAttribute(of=UnicodeAttribute, null=True)
    content_hash = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(product_id: str, seller_id: str, sku_id: str | None = None) -> tuple[str, str]:
        """A seller's offer of a product; with ``sku_id``, that variant's."""
        return f"PRODUCT#{product_id}", f"OFFER#{Offer.slot_of(seller_id, sku_id)}"

    @staticmethod
    def slot_of(seller_id: str, sku_id: str | None) -> str:
        """Where the offer sits among its product's: the seller id, then the SKU's."""
        return f"{seller_id}#{sku_id}" if sku_id else seller_id

    @property
    def slot(self) -> str:
        return self.slot_of(self.seller_id, self.sku_id)

    @classmethod
    def of_product(cls, product_id: str) -> list[Offer]:
        """Every offer of the product (a listing's variants among them)."""
        return list(cls.query(f"PRODUCT#{product_id}", cls.sk.startswith("OFFER#")))

    @staticmethod
    def index_keys(
        product_id: str, seller_id: str, offer_id: str, sku_id: str | None = None
    ) -> dict[str, str]:
        """GSI1: the offer under its seller; GSI2: the offer by its id."""
        return {
            "gsi1pk": f"SELLER#{seller_id}",
            "gsi1sk": f"OFFER#{product_id}" + (f"#{sku_id}" if sku_id else ""),
            "gsi2pk": f"OFFER#{offer_id}",
        }


class ModerationEntry(_Item):
    """A seller's product waiting for staff: ``MODERATION#SUBMITTED`` / ``<submitted at>#<id>``
    (the queue, oldest first); written and removed in the product's own transactions."""

    product_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    title = UnicodeAttribute()

    @staticmethod
    def key(submitted_at: str, product_id: str) -> tuple[str, str]:
        return "MODERATION#SUBMITTED", f"{submitted_at}#{product_id}"


class PriceChange(_Item):
    offer_id = UnicodeAttribute()
    price = NumberAttribute()
    freight = NumberAttribute()
    previous_price = NumberAttribute(null=True)
    previous_freight = NumberAttribute(null=True)
    changed_by = UnicodeAttribute()
    changed_at = UnicodeAttribute()

    @classmethod
    def entry(
        cls,
        offer_id: str,
        price: int,
        freight: int,
        previous: tuple[int, int] | None,
        changed_by: str,
        changed_at: str,
        tag: str,
    ) -> PriceChange:
        """A history entry (centavos); ``previous``: (price, freight) before, None for the
        first; ``tag`` keeps entries written in the same millisecond apart."""
        return cls(
            f"OFFER#{offer_id}",
            f"PRICE#{changed_at}#{tag[-6:]}",
            offer_id=offer_id,
            price=price,
            freight=freight,
            previous_price=previous[0] if previous else None,
            previous_freight=previous[1] if previous else None,
            changed_by=changed_by,
            changed_at=changed_at,
        )


class CategoryCount(_Item):
    """Products per category, kept with atomic ADDs as products are created or re-categorised."""

    category = UnicodeAttribute()
    products = NumberAttribute(default=0)

    @staticmethod
    def key(category: str) -> tuple[str, str]:
        return f"CATEGORY#{category}", "COUNT"


class RowErrorEntry(MapAttribute):
    row = NumberAttribute()
    reason = UnicodeAttribute()
    key = UnicodeAttribute(null=True)


class Import(_Item):
    import_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute()  # AWAITING_UPLOAD, RUNNING, COMPLETED, FAILED
    object_key = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    rows = NumberAttribute(default=0)
    created = NumberAttribute(default=0)
    updated = NumberAttribute(default=0)
    unchanged = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    errors = ListAttribute(of=RowErrorEntry, default=list)
    failure = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    completed_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(import_id: str) -> tuple[str, str]:
        return f"IMPORT#{import_id}", "IMPORT"


class Rating(_Item):
    """A product's or seller's stars, as the reviews context last reported them."""

    average = NumberAttribute(null=True)  # mean stars, 2 decimals
    count = NumberAttribute(default=0)
    distribution = JSONAttribute(default=dict)  # {"1": n, ..., "5": n}
    sequence = NumberAttribute()

    @staticmethod
    def key(subject: str, subject_id: str) -> tuple[str, str]:
        """``subject``: PRODUCT or SELLER."""
        return f"{subject}#{subject_id}", "RATING"

    def summary(self) -> dict:
        """``{average, count, distribution}`` for the API."""
        return {
            "average": float(self.average) if self.average is not None else None,
            "count": int(self.count),
            "distribution": {k: int(v) for k, v in sorted(self.distribution.items())},
        }


class SearchIndexPointer(_Item):
    """The search index version readers should use: ``object_key`` in
    ``CATALOG_SEARCH_BUCKET``; ``previous_keys``: the versions before it, newest first.
    Moved forward only with a condition on the version read."""

    version = NumberAttribute()
    object_key = UnicodeAttribute()
    previous_keys = ListAttribute(of=UnicodeAttribute, default=list)
    documents = NumberAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(schema: str) -> tuple[str, str]:
        """One pointer per index ``schema`` (``search.SCHEMA_TAG``): an index built with
        another schema cannot be opened with this one, so a new schema starts its own
        versions."""
        return "SEARCH#INDEX", f"POINTER#{schema}"


class CategoryItem(_Item):
    """A staff-created category (the built-in Olist ones live in domain.py);
    GSI1 ``CATEGORIES`` / ``<slug>`` lists them all."""

    gsi1pk = UnicodeAttribute(default="CATEGORIES")
    gsi1sk = UnicodeAttribute()
    by_gsi1 = ByGsi1()
    slug = UnicodeAttribute()
    name = UnicodeAttribute()
    department = UnicodeAttribute()
    source_name = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(slug: str) -> tuple[str, str]:
        return f"CATEGORY#{slug}", "META"
