"""Cart persistence: one DynamoDB table (``CART_TABLE``).

Items: ``CART#<customerId>`` / ``LINE#<lineId>``, one per offer in the cart. ``expires_at``
(epoch seconds, the table's TTL attribute) moves 30 days ahead on every change of the line,
so abandoned lines disappear without a job.
"""

from __future__ import annotations

import hashlib

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from titan.dynamo import table_meta

#: Seconds an untouched cart line is kept (DynamoDB TTL deletes it, usually within days after).
LINE_TTL_SECONDS = 30 * 24 * 3600
MAX_QUANTITY = 99
MAX_LINES = 40


class CartLine(Model):
    Meta = table_meta("CART_TABLE")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    line_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    quantity = NumberAttribute()
    added_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    expires_at = NumberAttribute()

    @staticmethod
    def key(customer_id: str, line_id: str) -> tuple[str, str]:
        return f"CART#{customer_id}", f"LINE#{line_id}"

    @staticmethod
    def id_for(product_id: str, seller_id: str) -> str:
        """One line per offer: the id is derived from the product and seller."""
        return "ln_" + hashlib.sha256(f"{product_id}|{seller_id}".encode()).hexdigest()[:20]

    @classmethod
    def of(cls, customer_id: str) -> list[CartLine]:
        """The customer's lines, oldest first (consistent read)."""
        lines = cls.query(f"CART#{customer_id}", consistent_read=True)
        return sorted(lines, key=lambda line: line.added_at)
