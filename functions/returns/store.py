"""Returns persistence: one DynamoDB table (``RETURNS_TABLE``).

Items (pk / sk):
- ``RETURN#<returnId>`` / ``RETURN``: a return (or a paid order's cancellation): its lines,
  refund, status, history and, while the saga waits for a person, the task token. GSI1
  ``ORDER#<orderId>`` / ``<createdAt>#<returnId>`` lists an order's returns.
- ``ORDER#<orderId>`` / ``LINE#<lineId>``: units of the line returned so far, raised in the
  same transaction that records a return, conditional on staying within what was bought:
  two returns racing for the same units cannot both be recorded.
- ``SELLER#<sellerId>`` / ``RETURN#<createdAt>#<returnId>``: a seller's returns, newest
  last, written with the return.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from titan.dynamo import index, table_meta

META = table_meta("RETURNS_TABLE")
#: RETURN: REQUESTED → PENDING_DECISION → APPROVED (or REJECTED) → RECEIVED → REFUNDED;
#: EXPIRED when the goods never came; FAILED when the refund was refused.
#: CANCELLATION and LOST_PARCEL: REQUESTED → REFUNDED (or FAILED).
OPEN = ("REQUESTED", "PENDING_DECISION", "APPROVED", "RECEIVED")


ByOrder = index("gsi1")


class Return(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_order = ByOrder()
    return_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # RETURN, CANCELLATION, LOST_PARCEL
    order_id = UnicodeAttribute()
    checkout_id = UnicodeAttribute()
    reservation_id = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute()
    customer_email = UnicodeAttribute(null=True)
    seller_ids = JSONAttribute(default=list)
    status = UnicodeAttribute()
    refund_to = UnicodeAttribute()  # original, wallet
    lines = JSONAttribute()  # [{lineId, offerId, sellerId, quantity, reason}]
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    by_seller = JSONAttribute()
    discount = NumberAttribute(default=0)
    auto_approved = UnicodeAttribute(null=True)
    task_token = UnicodeAttribute(null=True)
    #: When a closed return's units were counted as not returned again (once).
    units_back = UnicodeAttribute(null=True)
    history = JSONAttribute(default=list)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(return_id: str) -> tuple[str, str]:
        return f"RETURN#{return_id}", "RETURN"


class ReturnedLine(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    returned = NumberAttribute(default=0)

    @staticmethod
    def key(order_id: str, line_id: str) -> tuple[str, str]:
        return f"ORDER#{order_id}", f"LINE#{line_id}"


class SellerReturn(Model):
    """A return of the seller's lines, listed for the seller (``SELLER#<id>``)."""

    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    return_id = UnicodeAttribute()

    @staticmethod
    def key(seller_id: str, created_at: str, return_id: str) -> tuple[str, str]:
        return f"SELLER#{seller_id}", f"RETURN#{created_at}#{return_id}"
