"""Reviews persistence: one DynamoDB table (``REVIEWS_TABLE``), pynamodb models.

Items (pk / sk):
- ``REVIEW#<id>`` / ``REVIEW``: a review. GSI1 (only while PUBLISHED) ``PRODUCT#<id>`` or
  ``SELLER#<id>`` / ``<createdAt>#<id>``: the public list; GSI2 (only while HELD)
  ``QUEUE#HELD`` / ``<createdAt>#<id>``: staff's queue.
- ``REVIEW#<id>`` / ``VOTE#<accountId>``: one account's helpful vote;
  ``REVIEW#<id>`` / ``REPORT#<accountId>``: one account's report.
- ``ORDER#<orderId>`` / ``LINE#<lineId>``, ``SELLER#<sellerId>``, or
  ``IMPORT#<sourceId>#...``: the claim that makes a review once per order line, once per
  package (seller), once per imported review.
- ``RATING#PRODUCT#<id>`` or ``RATING#SELLER#<id>`` / ``RATING``: the stars, one counter per
  score, changed only by ADD in the same transaction as the review.
- ``TEXT#<fingerprint>`` / ``ACCOUNTS``: who wrote a (long enough) text.
- ``BURST#<subject>#<hour>`` / ``COUNT``: reviews of a product or seller in one hour (expires).
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.models import Model

from reviews import domain
from titan.dynamo import index, table_meta

META = table_meta("REVIEWS_TABLE")

ByGsi1 = index("gsi1")
ByGsi2 = index("gsi2")

PRODUCT, SELLER = domain.PRODUCT, domain.SELLER


class _Item(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Review(_Item):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    by_subject = ByGsi1()
    by_queue = ByGsi2()
    review_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # PRODUCT or SELLER
    subject_id = UnicodeAttribute()  # the product's or the seller's id
    order_id = UnicodeAttribute()
    line_id = UnicodeAttribute(null=True)
    product_id = UnicodeAttribute(null=True)
    offer_id = UnicodeAttribute(null=True)
    seller_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    score = NumberAttribute()
    title = UnicodeAttribute(default="")
    text = UnicodeAttribute(default="")
    photos = ListAttribute(default=list)
    status = UnicodeAttribute()
    reasons = JSONAttribute(default=list)
    counted = BooleanAttribute(default=False)
    helpful = NumberAttribute(default=0)
    unhelpful = NumberAttribute(default=0)
    reports = NumberAttribute(default=0)
    reply = JSONAttribute(null=True)
    history = JSONAttribute(default=list)
    claim_sk = UnicodeAttribute()
    source = UnicodeAttribute(default="BUYER")  # BUYER or IMPORT
    source_id = UnicodeAttribute(null=True)
    fingerprint = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    revision = NumberAttribute(default=1)

    @staticmethod
    def key(review_id: str) -> tuple[str, str]:
        return f"REVIEW#{review_id}", "REVIEW"

    def subject_key(self) -> str:
        return f"{self.kind}#{self.subject_id}"

    def index_keys(self, status: str | None = None) -> dict[str, str | None]:
        """The sparse index keys for the review in ``status`` (its own by default): the
        public list while PUBLISHED, the staff queue while HELD, neither otherwise."""
        status = status or self.status
        sort = f"{self.created_at}#{self.review_id}"
        public, held = status == domain.PUBLISHED, status == domain.HELD
        return {
            "gsi1pk": self.subject_key() if public else None,
            "gsi1sk": sort if public else None,
            "gsi2pk": "QUEUE#HELD" if held else None,
            "gsi2sk": sort if held else None,
        }


class Claim(_Item):
    """The one review an order line, a package or an imported review may have."""

    review_id = UnicodeAttribute()
    author_id = UnicodeAttribute()


class Vote(_Item):
    helpful = BooleanAttribute()
    at = UnicodeAttribute()

    @staticmethod
    def key(review_id: str, account_id: str) -> tuple[str, str]:
        return f"REVIEW#{review_id}", f"VOTE#{account_id}"


class Report(_Item):
    reason = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    at = UnicodeAttribute()

    @staticmethod
    def key(review_id: str, account_id: str) -> tuple[str, str]:
        return f"REVIEW#{review_id}", f"REPORT#{account_id}"


class Rating(_Item):
    """Counters only ever changed by ADD; ``changes`` counts the writes (RatingChanged's
    sequence)."""

    s1 = NumberAttribute(default=0)
    s2 = NumberAttribute(default=0)
    s3 = NumberAttribute(default=0)
    s4 = NumberAttribute(default=0)
    s5 = NumberAttribute(default=0)
    changes = NumberAttribute(default=0)

    @staticmethod
    def key(kind: str, subject_id: str) -> tuple[str, str]:
        return f"RATING#{kind}#{subject_id}", "RATING"

    def value(self) -> domain.Rating:
        return domain.Rating((int(self.s1), int(self.s2), int(self.s3), int(self.s4), int(self.s5)))


class TextSeen(_Item):
    """The accounts that wrote one (long enough) text. A string set: an account id is about
    31 bytes, so the 400 KB item holds some 12,000 accounts, far past any honest echo."""

    accounts = UnicodeSetAttribute(default=set)

    @staticmethod
    def key(fingerprint: str) -> tuple[str, str]:
        return f"TEXT#{fingerprint}", "ACCOUNTS"


class BurstCount(_Item):
    count = NumberAttribute(default=0)
    expires = NumberAttribute()  # epoch seconds: the table's time-to-live attribute
