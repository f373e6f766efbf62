"""Fulfilment persistence: one DynamoDB table (``FULFILMENT_TABLE``).

Items (pk / sk):
- ``SHIPMENT#<packageId>`` / ``SHIPMENT``: a package: what it holds, where it goes, how it
  ships, its status and timeline, its tracking number and label. GSI1 ``SELLER#<sellerId>``
  / ``<status>#<createdAt>#<packageId>`` is the seller's queue by status; GSI2
  ``TRACKING#<number>`` / ``SHIPMENT`` finds it by tracking number; GSI3 (sparse)
  ``DUE#HANDOVER`` or ``DUE#SCAN`` / ``<when>#<packageId>`` holds what the hourly sweep
  must look at: a package its seller must hand over by then, a parcel the carrier must scan
  again by then. Every write is conditional on ``version``.
- ``ORDER#<orderId>`` / ``SHIPMENTS``: the packages of an order, so its status is computed
  from consistent reads of all of them.
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from fulfilment.domain import TO_SHIP, WITH_CARRIER
from titan.dynamo import index, table_meta

META = table_meta("FULFILMENT_TABLE")
BySeller = index("gsi1")
ByTracking = index("gsi2")
ByDue = index("gsi3")


class Shipment(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_seller = BySeller()
    by_tracking = ByTracking()
    by_due = ByDue()
    package_id = UnicodeAttribute()
    #: OUTBOUND (seller to buyer) or RETURN (buyer to seller, on an approved return's
    #: prepaid label; ``return_id`` names the return)
    direction = UnicodeAttribute(default="OUTBOUND")
    return_id = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    #: For the buyer's shipping e-mails (notifications)
    customer_email = UnicodeAttribute(null=True)
    seller_id = UnicodeAttribute()
    line_ids = ListAttribute(default=list)
    service = UnicodeAttribute()
    carrier = UnicodeAttribute()
    promised_by = UnicodeAttribute(null=True)
    #: The checkout's packed estimate, then the seller's measured box: {weightGrams, ...}
    parcel = JSONAttribute(null=True)
    origin_zip = UnicodeAttribute(null=True)
    #: The items' value the carrier insures (minor units)
    declared_value = NumberAttribute(null=True)
    #: What the carrier owes for a parcel it lost: {carrier, amount, currency, recordedAt}
    liability = JSONAttribute(null=True)
    #: The buyer's address, for the label (personal data: shown to the seller only while
    #: the package is theirs to ship, never on public tracking)
    ship_to = JSONAttribute(null=True)
    status = UnicodeAttribute()
    #: [{status, at, source (SELLER, CARRIER, STAFF, SYSTEM), code?, location?, eventId?}]
    timeline = JSONAttribute(default=list)
    #: Carrier event ids already applied: a webhook delivered twice changes nothing
    carrier_event_ids = UnicodeSetAttribute(default=set)
    tracking_number = UnicodeAttribute(null=True)
    label_key = UnicodeAttribute(null=True)
    handover_by = UnicodeAttribute(null=True)
    late_reported_at = UnicodeAttribute(null=True)
    #: When the carrier last told anything of the parcel
    last_scan_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()

    @staticmethod
    def key(package_id: str) -> tuple[str, str]:
        return f"SHIPMENT#{package_id}", "SHIPMENT"

    def index_keys(self, scan_due: str | None = None) -> None:
        """Set the GSI keys from the status, tracking number and deadlines; ``scan_due``:
        when the carrier must have scanned the parcel again (for a parcel with it)."""
        self.gsi1pk = f"SELLER#{self.seller_id}"
        self.gsi1sk = f"{self.status}#{self.created_at}#{self.package_id}"
        if self.tracking_number:
            self.gsi2pk, self.gsi2sk = f"TRACKING#{self.tracking_number}", "SHIPMENT"
        if self.status in TO_SHIP and self.handover_by and not self.late_reported_at:
            self.gsi3pk, self.gsi3sk = "DUE#HANDOVER", f"{self.handover_by}#{self.package_id}"
        elif self.status in WITH_CARRIER and scan_due:
            self.gsi3pk, self.gsi3sk = "DUE#SCAN", f"{scan_due}#{self.package_id}"
        elif self.status not in WITH_CARRIER:
            self.gsi3pk = self.gsi3sk = None


class OrderShipments(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    order_id = UnicodeAttribute()
    package_ids = ListAttribute(default=list)
    #: The RETURN shipments of the order's approved returns
    return_package_ids = ListAttribute(default=list)
    #: The order status last told to orders (so it is told once per change; written
    #: conditionally on it)
    told = UnicodeAttribute(null=True)

    @staticmethod
    def key(order_id: str) -> tuple[str, str]:
        return f"ORDER#{order_id}", "SHIPMENTS"
