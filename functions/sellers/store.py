"""Sellers persistence: one DynamoDB table (``SELLERS_TABLE``), pynamodb models.

Items (pk / sk):
- ``APP#<applicationId>`` / ``APP``: a seller application. GSI1 ``STATUS#<status>`` /
  ``<updatedAt>#<id>``: staff's queue per state, oldest first. GSI2 ``ACCOUNT#<accountId>`` /
  ``<createdAt>#<id>``: an applicant's applications.
- Claims held while an application is open or approved, written in the transactions that move
  it: ``OPEN#<accountId>`` (one open application per account), ``DOCUMENT#<digits>`` (one
  seller per CPF or CNPJ), ``SLUG#<slug>`` (one shop per name). A rejection releases them.
- The seller dashboard's figures (``stats.py``), kept from events, each event applied once
  (``EVENT#<eventId>`` written in the same transaction): ``STATS#<sellerId>`` / ``DAY#<date>``
  the day's counters, ``STATS#<sellerId>#PRODUCTS`` / ``DAY#<date>#<productId>`` a
  product's, ``STATSORDER#<orderId>`` / ``ORDER`` what an order brought each seller (so later
  events of the order count on the day it was placed), ``STATS#<sellerId>`` / ``RATING``,
  ``CHATWAIT#<conversationId>`` / ``WAIT`` a buyer waiting for the seller's answer.
- ``SHOP#<slug>`` / ``SHOP``: a seller's shop (its public page). GSI1 ``SELLER#<sellerId>`` /
  ``SHOP`` finds it by seller. Made by the approval (with the application's slug claim) or by
  the import of the Olist sellers (with a slug claim of its own).
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

from titan.dynamo import index, table_meta

META = table_meta("SELLERS_TABLE")
ByGsi1 = index("gsi1")
ByGsi2 = index("gsi2")


class _Item(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Application(_Item):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    by_status = ByGsi1()
    by_account = ByGsi2()
    application_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    status = UnicodeAttribute()
    legal_type = UnicodeAttribute()
    document = UnicodeAttribute()
    legal_name = UnicodeAttribute()
    shop_name = UnicodeAttribute()
    slug = UnicodeAttribute()
    address = JSONAttribute()
    bank = JSONAttribute()
    documents = ListAttribute(of=UnicodeAttribute, default=list)
    #: What staff asked for (NEEDS_INFO) or why they rejected (REJECTED).
    reasons = ListAttribute(of=UnicodeAttribute, default=list)
    note = UnicodeAttribute(null=True)
    #: [{status, at, by, note}], oldest first.
    history = JSONAttribute(default=list)
    reviewer_id = UnicodeAttribute(null=True)
    seller_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute(default=1)

    @staticmethod
    def key(application_id: str) -> tuple[str, str]:
        return f"APP#{application_id}", "APP"


class Claim(_Item):
    """What an open or approved application holds: an account, a document, a slug."""

    application_id = UnicodeAttribute()

    @staticmethod
    def open_key(account_id: str) -> tuple[str, str]:
        return f"OPEN#{account_id}", "CLAIM"

    @staticmethod
    def document_key(digits: str) -> tuple[str, str]:
        return f"DOCUMENT#{digits}", "CLAIM"

    @staticmethod
    def slug_key(slug: str) -> tuple[str, str]:
        return f"SLUG#{slug}", "CLAIM"


class Shop(_Item):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute(default="SHOP")
    by_seller = ByGsi1()
    slug = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    logo = UnicodeAttribute(null=True)  # key in the shop media bucket
    city = UnicodeAttribute()
    state = UnicodeAttribute()
    member_since = UnicodeAttribute()
    on_vacation = BooleanAttribute(default=False)
    vacation_message = UnicodeAttribute(null=True)
    #: APPLICATION (approved here) or OLIST (imported)
    origin = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute(default=1)

    @staticmethod
    def key(slug: str) -> tuple[str, str]:
        return f"SHOP#{slug}", "SHOP"

    @staticmethod
    def seller_key(seller_id: str) -> str:
        """GSI1's partition of the seller's shop."""
        return f"SELLER#{seller_id}"


class SellerDay(_Item):
    """A seller's figures for orders placed on one day (America/Sao_Paulo): ``gmv`` (items,
    minor units), ``orders``, ``units``, and of those orders how many were ``cancelled``,
    ``returned`` (a return asked), ``handed_over`` and handed over ``late``."""

    day = UnicodeAttribute()
    gmv = NumberAttribute(default=0)
    orders = NumberAttribute(default=0)
    units = NumberAttribute(default=0)
    cancelled = NumberAttribute(default=0)
    returned = NumberAttribute(default=0)
    handed_over = NumberAttribute(default=0)
    late = NumberAttribute(default=0)
    #: buyers' chats that started a wait for the seller that day, and those answered in time
    chats = NumberAttribute(default=0)
    chats_answered = NumberAttribute(default=0)

    @staticmethod
    def key(seller_id: str, day: str) -> tuple[str, str]:
        return f"STATS#{seller_id}", f"DAY#{day}"

    @classmethod
    def between(cls, seller_id: str, first: str, last: str) -> list[SellerDay]:
        """The seller's days from ``first`` to ``last`` (``YYYY-MM-DD``, inclusive)."""
        return list(cls.query(f"STATS#{seller_id}", cls.sk.between(f"DAY#{first}", f"DAY#{last}")))


class ProductDay(_Item):
    product_id = UnicodeAttribute()
    title = UnicodeAttribute(null=True)
    gmv = NumberAttribute(default=0)
    units = NumberAttribute(default=0)

    @staticmethod
    def key(seller_id: str, day: str, product_id: str) -> tuple[str, str]:
        return f"STATS#{seller_id}#PRODUCTS", f"DAY#{day}#{product_id}"


class OrderStats(_Item):
    """What one order brought each seller and which of its sellers it was cancelled,
    returned, handed over or late for (each counted once)."""

    day = UnicodeAttribute()
    sellers = JSONAttribute()  # {sellerId: {"gmv", "units"}}
    cancelled = BooleanAttribute(default=False)
    returned = UnicodeSetAttribute(null=True)
    handed_over = UnicodeSetAttribute(null=True)
    late = UnicodeSetAttribute(null=True)

    @staticmethod
    def key(order_id: str) -> tuple[str, str]:
        return f"STATSORDER#{order_id}", "ORDER"


class ChatWait(_Item):
    """A buyer waiting for the seller's answer in a conversation, since the first message
    not answered yet."""

    seller_id = UnicodeAttribute()
    since = UnicodeAttribute()

    @staticmethod
    def key(conversation_id: str) -> tuple[str, str]:
        return f"CHATWAIT#{conversation_id}", "WAIT"


class SellerRating(_Item):
    average = NumberAttribute(null=True)
    count = NumberAttribute(default=0)
    sequence = NumberAttribute()

    @staticmethod
    def key(seller_id: str) -> tuple[str, str]:
        return f"STATS#{seller_id}", "RATING"


class Applied(_Item):
    """An event the stats applied (written in the transaction that applied it)."""

    @staticmethod
    def key(event_id: str) -> tuple[str, str]:
        return f"EVENT#{event_id}", "APPLIED"
