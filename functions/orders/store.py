"""Orders persistence: one DynamoDB table (``ORDERS_TABLE``).

Items (pk / sk):
- ``ORDER#<orderId>`` / ``ORDER``: the order: lines, totals (ints, minor units), payments,
  contact and address copied at checkout, status and status history. GSI1
  ``CUSTOMER#<customerId>`` / ``<createdAt>#<orderId>`` lists a customer's orders. Every write
  is conditional on ``version`` (optimistic locking), status moves also on the status.
- ``SELLER#<sellerId>`` / ``ORDER#<createdAt>#<orderId>``: the orders a seller has lines in.
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from titan.dynamo import index, table_meta

META = table_meta("ORDERS_TABLE")

PENDING_PAYMENT, CONFIRMED, PARTIALLY_SHIPPED, SHIPPED, DELIVERED, CANCELLED = (
    "PENDING_PAYMENT",
    "CONFIRMED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "DELIVERED",
    "CANCELLED",
)
#: The lifecycle: which status may follow which. Past CONFIRMED the order follows its
#: packages (fulfilment's ShipmentStatusChanged), whose events may arrive out of order: a
#: later status may come first, so any forward step is allowed.
NEXT = {
    PENDING_PAYMENT: {CONFIRMED, CANCELLED},
    CONFIRMED: {PARTIALLY_SHIPPED, SHIPPED, DELIVERED, CANCELLED},
    PARTIALLY_SHIPPED: {SHIPPED, DELIVERED},
    SHIPPED: {DELIVERED},
    DELIVERED: set(),
    CANCELLED: set(),
}


ByCustomer = index("gsi1")


class Order(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_customer = ByCustomer()
    order_id = UnicodeAttribute()
    checkout_id = UnicodeAttribute(null=True)
    reservation_id = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    currency = UnicodeAttribute(default="BRL")
    subtotal = NumberAttribute(default=0)
    freight = NumberAttribute(default=0)
    discount = NumberAttribute(default=0)
    #: a shop voucher's seller, who funds the discount (None: the platform)
    discount_funded_by = UnicodeAttribute(null=True)
    total = NumberAttribute(default=0)
    coupon_code = UnicodeAttribute(null=True)
    lines = JSONAttribute(default=list)
    payments = JSONAttribute(default=list)
    contact = JSONAttribute(null=True)
    history = JSONAttribute(default=list)
    seller_ids = UnicodeSetAttribute(default=set)
    #: One per seller, as the checkout chose to ship it: [{packageId, sellerId, lineIds,
    #: service, carrier, freight, subsidy, fundedBy, promisedBy, parcel, originZip,
    #: destinationZip}] (amounts in minor units); empty for orders placed before shipping.
    packages = JSONAttribute(default=list)
    #: Refunds of returns and of the cancellation: [{returnId, amount, lines, at}]
    refunds = JSONAttribute(default=list)
    receipt_confirmed_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()

    @staticmethod
    def key(order_id: str) -> tuple[str, str]:
        return f"ORDER#{order_id}", "ORDER"


class SellerOrder(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    order_id = UnicodeAttribute()

    @staticmethod
    def key(seller_id: str, created_at: str, order_id: str) -> tuple[str, str]:
        return f"SELLER#{seller_id}", f"ORDER#{created_at}#{order_id}"
