"""Ledger persistence: one DynamoDB table (``LEDGER_TABLE``).

Items (pk / sk):
- ``ACCOUNT#<account>`` / ``ACCOUNT``: the account's ``balance`` (minor units), the sum of
  its entries, kept by the same transaction that writes them (``ADD``, conditional on not
  going below zero for bounded accounts). GSI1 ``OWNER#<owner>`` / ``<account>``.
- ``ACCOUNT#<account>`` / ``ENTRY#<postedAt>#<txnId>``: one entry (``amount``, signed).
- ``TXN#<txnId>`` / ``TXN``: a transaction: its kind, references and entries. Its id
  follows from what it records (``capture:<paymentId>``, ``refund:<returnId>``...), and it
  is written with ``attribute_not_exists``: posting it twice records it once.
- ``ESCROW#<orderId>`` / ``ESCROW``: how an order's escrow splits between its sellers, the
  open disputes (returns) that keep it held, and when it is released. GSI1 ``RELEASE`` /
  ``<releaseAt>#<orderId>`` (sparse: only delivered, unreleased orders) for the sweep.
- ``PAYOUT#<payoutId>`` / ``PAYOUT``: a seller's payout. GSI1 ``SELLER#<sellerId>`` /
  ``PAYOUT#<requestedAt>#<payoutId>``; ``PAYING`` / ``<requestedAt>`` while unpaid.
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.models import Model

from titan.dynamo import index, table_meta

META = table_meta("LEDGER_TABLE")


ByGsi1 = index("gsi1")


class _Item(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Account(_Item):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_gsi1 = ByGsi1()
    account = UnicodeAttribute()
    balance = NumberAttribute(default=0)
    currency = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(account: str) -> tuple[str, str]:
        return f"ACCOUNT#{account}", "ACCOUNT"


class Entry(_Item):
    txn_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    posted_at = UnicodeAttribute()
    memo = UnicodeAttribute(null=True)

    @staticmethod
    def key(account: str, posted_at: str, txn_id: str) -> tuple[str, str]:
        return f"ACCOUNT#{account}", f"ENTRY#{posted_at}#{txn_id}"


class Txn(_Item):
    txn_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    currency = UnicodeAttribute()
    entries = JSONAttribute()  # [[account, amount], ...]
    refs = JSONAttribute(default=dict)
    posted_at = UnicodeAttribute()

    @staticmethod
    def key(txn_id: str) -> tuple[str, str]:
        return f"TXN#{txn_id}", "TXN"


class Escrow(_Item):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_gsi1 = ByGsi1()
    order_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    #: {sellerId: {items, freight, refundedItems, refundedFreight}} (minor units)
    shares = JSONAttribute()
    discount = NumberAttribute(default=0)
    discount_refunded = NumberAttribute(default=0)
    #: who funds the discount: a shop voucher's seller id, None for the platform's coupons
    discount_funder = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # HELD, RELEASED
    disputes = UnicodeSetAttribute(null=True)  # returns in progress: no release meanwhile
    delivered_at = UnicodeAttribute(null=True)
    release_at = UnicodeAttribute(null=True)
    released_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()

    @staticmethod
    def key(order_id: str) -> tuple[str, str]:
        return f"ESCROW#{order_id}", "ESCROW"


class Payout(_Item):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_gsi1 = ByGsi1()
    payout_id = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute()  # REQUESTED, PAID
    requested_at = UnicodeAttribute()
    paid_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(payout_id: str) -> tuple[str, str]:
        return f"PAYOUT#{payout_id}", "PAYOUT"

    def view(self) -> dict:
        return {
            "payoutId": self.payout_id,
            "sellerId": self.seller_id,
            "amount": {"amount": int(self.amount), "currency": self.currency},
            "status": self.status,
            "requestedAt": self.requested_at,
            "paidAt": self.paid_at,
        }


class Voucher(_Item):
    """A gift voucher: a bearer code whose balance is the ledger account ``voucher:<code>``
    (redeemed only through conditional ledger postings, never below zero)."""

    code = UnicodeAttribute()
    currency = UnicodeAttribute()
    issued = NumberAttribute()  # minor units
    expires_at = UnicodeAttribute()  # ISO 8601 UTC
    issued_by = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()

    @staticmethod
    def key(code: str) -> tuple[str, str]:
        return f"VOUCHER#{code}", "VOUCHER"
