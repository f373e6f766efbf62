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
    sku_id = UnicodeAttribute(null=True)  # a variant of a seller's listing
    quantity = NumberAttribute()
    added_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    expires_at = NumberAttribute()

    @staticmethod
    def key(customer_id: str, line_id: str) -> tuple[str, str]:
        return f"CART#{customer_id}", f"LINE#{line_id}"

    @staticmethod
    def id_for(product_id: str, seller_id: str, sku_id: str | None = None) -> str:
        """One line per offer: the id is derived from the product, seller and variant."""
        name = f"{product_id}|{seller_id}" + (f"|{sku_id}" if sku_id else "")
        return "ln_" + hashlib.sha256(name.encode()).hexdigest()[:20]

    def asked(self) -> dict:
        """The line as the catalog's ``quote`` and the checkout take it: ``{lineId,
        productId, sellerId, skuId (a variant's only), quantity}``."""
        line = {
            "lineId": self.line_id,
            "productId": self.product_id,
            "sellerId": self.seller_id,
            "quantity": int(self.quantity),
        }
        return line | ({"skuId": self.sku_id} if self.sku_id else {})

    @classmethod
    def of(cls, customer_id: str) -> list[CartLine]:
        """The customer's lines, oldest first (consistent read)."""
        lines = cls.query(f"CART#{customer_id}", consistent_read=True)
        return sorted(lines, key=lambda line: line.added_at)
