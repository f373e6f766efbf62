"""The hourly sweep's rules: sellers late to hand a package over, and parcels lost.

Both read the sparse due index (GSI3), so the sweep touches only what is due."""

from __future__ import annotations

from pynamodb.exceptions import PutError

from fulfilment import domain, service
from fulfilment.store import Shipment
from titan import clock
from titan.dynamo import condition_failed
from titan.events import DomainEvent

#: At most this many of each kind per run; the next run takes the rest.
BATCH = 200


def _due(kind: str) -> list[Shipment]:
    now = clock.iso()
    return list(Shipment.by_due.query(f"DUE#{kind}", Shipment.gsi3sk <= f"{now}~", limit=BATCH))


def report_late() -> list[DomainEvent]:
    """ShipmentLate, once, for each package still with its seller after its deadline."""
    events = []
    for found in _due("HANDOVER"):
        shipment = service.get(found.package_id)
        if shipment.status not in domain.TO_SHIP or shipment.late_reported_at:
            continue
        shipment.late_reported_at = clock.iso()
        shipment.index_keys()
        try:
            shipment.save()
        except PutError as exc:
            if condition_failed(exc):
                continue  # moved meanwhile: the next run looks again
            raise
        events.append(
            DomainEvent.of(
                "ShipmentLate",
                {
                    "packageId": shipment.package_id,
                    "orderId": shipment.order_id,
                    "sellerId": shipment.seller_id,
                    "status": shipment.status,
                    "handoverBy": shipment.handover_by,
                },
            )
        )
    return events


def declare_lost() -> list[DomainEvent]:
    """Parcels with the carrier that it has not scanned for ``lost_after_days``: LOST."""
    events = []
    for found in _due("SCAN"):
        shipment = service.get(found.package_id)
        if shipment.status not in domain.WITH_CARRIER:
            continue
        try:
            events += service.move(shipment, domain.LOST, "SYSTEM", code="NO_SCAN")
        except service.Conflict:
            continue
    return events
