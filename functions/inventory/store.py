"""Inventory persistence: one DynamoDB table (``INVENTORY_TABLE``).

Items (pk / sk; GSI1 = gsi1pk / gsi1sk):
- ``OFFER#<offerId>`` / ``WH#<warehouseId>``: stock of an offer in a warehouse. ``on_hand``
  units are in the warehouse, ``reserved`` of them are held for checkouts, ``available`` =
  on_hand - reserved is what can still be sold; every write keeps ``available >= 0`` by a
  condition.
- ``OFFER#<offerId>`` / ``MOVE#<timestamp>#<movementId>``: the movement ledger, append-only
  (written with attribute_not_exists, never updated): each change of on_hand or reserved.
- ``RESERVATION#<id>`` / ``RESERVATION``: units held for one checkout, RESERVED → COMMITTED
  (sold) or RELEASED; a COMMITTED one becomes RESTOCKED when the order is cancelled. While
  RESERVED, GSI1 ``HELD`` / ``<expiresAt>`` lists it for the expiry sweep. A *pool* is a
  reservation that sets units aside for a flash sale; the sale's checkouts draw their own
  reservations from it, and what is left goes back to stock when the pool's hold ends.
- ``SELLER#<sellerId>`` / ``WH#<warehouseId>``: a warehouse the seller added (its own
  address, ``wh_<sellerId>``, is every seller's first and has no item).
"""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from titan.dynamo import index, table_meta

META = table_meta("INVENTORY_TABLE")


ByGsi1 = index("gsi1")


class _Item(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Location(MapAttribute):
    city = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    zipPrefix = UnicodeAttribute(null=True)


class Stock(_Item):
    offer_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    warehouse_id = UnicodeAttribute()
    location = Location(null=True)
    on_hand = NumberAttribute(default=0)
    reserved = NumberAttribute(default=0)
    available = NumberAttribute(default=0)
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(offer_id: str, warehouse_id: str) -> tuple[str, str]:
        return f"OFFER#{offer_id}", f"WH#{warehouse_id}"

    @classmethod
    def of(cls, offer_id: str) -> list[Stock]:
        return list(cls.query(f"OFFER#{offer_id}", cls.sk.startswith("WH#"), consistent_read=True))


class Warehouse(_Item):
    warehouse_id = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    name = UnicodeAttribute()
    location = Location()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(seller_id: str, warehouse_id: str) -> tuple[str, str]:
        return f"SELLER#{seller_id}", f"WH#{warehouse_id}"

    @classmethod
    def of(cls, seller_id: str) -> list[Warehouse]:
        return list(cls.query(f"SELLER#{seller_id}", cls.sk.startswith("WH#")))


class Movement(_Item):
    movement_id = UnicodeAttribute()
    offer_id = UnicodeAttribute()
    warehouse_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # RECEIVE, RESERVE, RELEASE, COMMIT, RESTOCK, ADJUST
    on_hand_change = NumberAttribute()
    reserved_change = NumberAttribute()
    reference = UnicodeAttribute()
    actor = UnicodeAttribute()
    at = UnicodeAttribute()

    @staticmethod
    def key(offer_id: str, at: str, movement_id: str) -> tuple[str, str]:
        return f"OFFER#{offer_id}", f"MOVE#{at}#{movement_id}"


class HeldLine(MapAttribute):
    offerId = UnicodeAttribute()
    warehouseId = UnicodeAttribute()
    quantity = NumberAttribute()


class Reservation(_Item):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_gsi1 = ByGsi1()
    reservation_id = UnicodeAttribute()
    status = UnicodeAttribute()  # RESERVED, COMMITTED, RELEASED, RESTOCKED
    lines = ListAttribute(of=HeldLine, default=list)
    expires_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    #: A pool (units set aside for a flash sale): units it still holds, drawn down by the
    #: sale's checkouts; its one line's quantity is what it started with.
    pool_units = NumberAttribute(null=True)
    #: A reservation drawn from a pool: the pool, which gets the units back if it is released.
    pool_id = UnicodeAttribute(null=True)

    @staticmethod
    def key(reservation_id: str) -> tuple[str, str]:
        return f"RESERVATION#{reservation_id}", "RESERVATION"


class Restock(_Item):
    """``RESTOCK#<returnId>`` / ``RESTOCK``: the returned units of one return went back on
    hand (written in the same transaction, so a retried restock adds nothing twice)."""

    return_id = UnicodeAttribute()
    lines = ListAttribute(of=HeldLine, default=list)
    created_at = UnicodeAttribute()

    @staticmethod
    def key(return_id: str) -> tuple[str, str]:
        return f"RESTOCK#{return_id}", "RESTOCK"
