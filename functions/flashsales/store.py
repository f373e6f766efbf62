"""Flash-sale persistence: one DynamoDB table (``FLASHSALES_TABLE``), TTL on ``ttl``.

Items (pk / sk; GSI1 = gsi1pk / gsi1sk). The hot writes of a sale are spread over many
partitions: each shard and each buyer is its own partition key.
- ``SALE#<saleId>`` / ``SALE``: the sale (offer, sale price, quantity, per-customer limit,
  window, shard count). Written once, read often (cached a second per container). GSI1
  ``SALES`` / ``<endsAt>#<saleId>`` lists the sales that have not ended.
- ``SALE#<saleId>#SHARD#<k>`` / ``SHARD``: ``remaining`` units of shard k; a purchase takes
  units under the condition ``remaining >= quantity``. Remaining stock = sum of the shards.
- ``SALE#<saleId>#BUYER#<customerId>`` / ``BUYER``: ``units`` the customer holds or bought in
  the sale; raised under the condition that it stays within the limit.
- ``RESERVATION#<reservationId>`` / ``RESERVATION``: a purchase's reservation, ``HELD`` →
  ``CLAIMED`` (by a checkout, final once the order is placed; a failed checkout gives it
  back) or ``EXPIRED`` (units back to their shards, once). While HELD, GSI1 ``HELD#<n>`` /
  ``<expiresAt>`` (n of ``HELD_PARTITIONS``, by reservation id) lists it for the expiry sweep.
- ``RATE#<scope>#<key>`` / ``RATE``: a token bucket of the purchase route's rate limits.
"""

from __future__ import annotations

import hashlib

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from titan.dynamo import index, table_meta

META = table_meta("FLASHSALES_TABLE")
#: The expiry index is spread over this many partition keys, so thousands of reservations a
#: second don't all write one GSI partition.
HELD_PARTITIONS = 16


ByGsi1 = index("gsi1")


class _Item(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    ttl = NumberAttribute(null=True)


class Sale(_Item):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_gsi1 = ByGsi1()
    sale_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    sku_id = UnicodeAttribute(null=True)  # a variant of the seller's listing
    offer_id = UnicodeAttribute()
    title = UnicodeAttribute()
    list_price = NumberAttribute()
    sale_price = NumberAttribute()
    currency = UnicodeAttribute()
    quantity = NumberAttribute()
    per_customer_limit = NumberAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    hold_seconds = NumberAttribute()
    expected_rate = NumberAttribute()
    shards = NumberAttribute()
    pool_id = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    sold_out_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(sale_id: str) -> tuple[str, str]:
        return f"SALE#{sale_id}", "SALE"


class Shard(_Item):
    remaining = NumberAttribute()

    @staticmethod
    def key(sale_id: str, shard: int) -> tuple[str, str]:
        return f"SALE#{sale_id}#SHARD#{shard}", "SHARD"


class Buyer(_Item):
    units = NumberAttribute(default=0)

    @staticmethod
    def key(sale_id: str, customer_id: str) -> tuple[str, str]:
        return f"SALE#{sale_id}#BUYER#{customer_id}", "BUYER"


class Taken(MapAttribute):
    shard = NumberAttribute()
    units = NumberAttribute()


class Reservation(_Item):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_gsi1 = ByGsi1()
    reservation_id = UnicodeAttribute()
    sale_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    quantity = NumberAttribute()
    taken = ListAttribute(of=Taken, default=list)
    status = UnicodeAttribute()  # HELD, CLAIMED, EXPIRED
    expires_at = UnicodeAttribute()
    checkout_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(reservation_id: str) -> tuple[str, str]:
        return f"RESERVATION#{reservation_id}", "RESERVATION"

    @staticmethod
    def held_partition(reservation_id: str) -> str:
        digest = hashlib.sha256(reservation_id.encode()).digest()
        return f"HELD#{digest[0] % HELD_PARTITIONS}"


class RateBucket(_Item):
    #: The theoretical arrival time, epoch seconds (see ``domain.Bucket``).
    tat = NumberAttribute(null=True)

    @staticmethod
    def key(scope: str, subject: str) -> tuple[str, str]:
        return f"RATE#{scope}#{subject}", "RATE"
