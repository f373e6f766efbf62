"""Checkout persistence: one DynamoDB table (``CHECKOUT_TABLE``).

Items (pk / sk):
- ``COUPON#<code>`` / ``COUPON``: a coupon and ``used`` (redemptions counted atomically)
- ``COUPON#<code>`` / ``CUSTOMER#<customerId>``: one customer's uses of it
- ``REDEMPTION#<checkoutId>`` / ``REDEMPTION``: the coupon use of one checkout, REDEEMED or
  RELEASED (given back when the checkout fails or the order is cancelled)
- ``ATTEMPT#<id from the customer and Idempotency-Key>`` / ``ATTEMPT``: the saga run of a
  key: RUNNING while one may be running, so a retry whose answer was lost never starts a
  second one; ENDED once it answered (a fault's retry starts run ``run + 1``); TTL
  ``expires_at``
- ``VELOCITY#<customerId>`` / ``<hour>``: the checkouts a customer started in that hour
  (a string set, so a retried step counts once); TTL ``expires_at``
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from titan.dynamo import table_meta


class _Item(Model):
    Meta = table_meta("CHECKOUT_TABLE")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class CouponItem(_Item):
    code = UnicodeAttribute()
    type = UnicodeAttribute()
    value = NumberAttribute()
    currency = UnicodeAttribute()
    min_order = NumberAttribute(null=True)
    max_discount = NumberAttribute(null=True)
    valid_from = UnicodeAttribute(null=True)
    valid_until = UnicodeAttribute(null=True)
    usage_limit = NumberAttribute(null=True)
    per_customer_limit = NumberAttribute(null=True)
    used = NumberAttribute(default=0)
    active = BooleanAttribute(default=True)
    #: a shop voucher: the seller whose lines it discounts and who funds the discount
    seller_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(code: str) -> tuple[str, str]:
        return f"COUPON#{code}", "COUPON"


class SellerVoucher(_Item):
    """``SELLER#<sellerId>`` / ``VOUCHER#<code>``: a shop voucher listed for its seller,
    written with the coupon."""

    code = UnicodeAttribute()

    @staticmethod
    def key(seller_id: str, code: str) -> tuple[str, str]:
        return f"SELLER#{seller_id}", f"VOUCHER#{code}"


class CouponUse(_Item):
    used = NumberAttribute(default=0)

    @staticmethod
    def key(code: str, customer_id: str) -> tuple[str, str]:
        return f"COUPON#{code}", f"CUSTOMER#{customer_id}"


class Redemption(_Item):
    checkout_id = UnicodeAttribute()
    code = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    discount = NumberAttribute(default=0)
    status = UnicodeAttribute()  # REDEEMED, RELEASED
    at = UnicodeAttribute()

    @staticmethod
    def key(checkout_id: str) -> tuple[str, str]:
        return f"REDEMPTION#{checkout_id}", "REDEMPTION"


class Velocity(_Item):
    checkouts = UnicodeSetAttribute(default=set)
    expires_at = NumberAttribute()

    @staticmethod
    def key(customer_id: str, hour: str) -> tuple[str, str]:
        return f"VELOCITY#{customer_id}", hour


class Attempt(_Item):
    """The saga runs of one Idempotency-Key (see the module docstring)."""

    run = NumberAttribute()
    checkout_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    status = UnicodeAttribute()  # RUNNING, ENDED
    started_at = NumberAttribute()  # epoch seconds
    expires_at = NumberAttribute()
    version = VersionAttribute()

    @staticmethod
    def key(attempt_id: str) -> tuple[str, str]:
        return f"ATTEMPT#{attempt_id}", "ATTEMPT"
