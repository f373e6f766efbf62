"""Fulfilment API: routes only (shapes in ``schemas``, use cases in ``service``).

- ``GET /sellers/{sellerId}/shipments?status=``: the seller's queue (that seller or staff).
- ``GET /shipments/{packageId}``: a package and its timeline (its buyer, seller or staff).
- ``POST /shipments/{packageId}/pack``, ``/label``, ``GET .../label``: the seller's moves.
- ``POST /shipments/{packageId}/status``: staff move a package by hand, with a reason.
- ``GET /tracking/{trackingNumber}``: public tracking, no personal data.
- ``POST /carriers/{carrier}/events``: the carriers' signed tracking webhooks.
- ``POST /sandbox/carriers/{carrier}/parcels/{trackingNumber}/events``: staff make a sandbox
  carrier report a parcel, signed and applied exactly as a real webhook.
"""

from __future__ import annotations

import json
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from fulfilment import carriers, domain, labels, service
from fulfilment.schemas import (
    CarrierEventIn,
    CarrierEventOut,
    LabelOut,
    PackIn,
    ShipmentOut,
    ShipmentPage,
    StaffMoveIn,
    TrackingOut,
)
from titan import clock, ids, webhooks
from titan.api import create_app, lambda_handler
from titan.auth import bearer, require
from titan.errors import NotFound, Unprocessable
from titan.events import publish
from titan.ids import new_id

app = create_app()
PackageId = Annotated[str, Path(pattern=r"^pkg_[0-9A-HJKMNP-TV-Z]{26}$")]
SellerId = Annotated[str, Path(pattern=ids.SOURCE_ID)]
CarrierCode = Annotated[str, Path(pattern=r"^[a-z]{2,20}$")]
TrackingNumber = Annotated[str, Path(pattern=r"^[A-Z]{2}[0-9]{9}[A-Z]{2}$")]
Status = Annotated[
    str | None, Query(pattern="^(" + "|".join(domain.NEXT) + ")$", description="Default: to ship")
]


def _shown(shipment, caller, **extra) -> ShipmentOut:
    return ShipmentOut(**service.view(shipment, caller), **extra)


@app.get(
    "/sellers/<sellerId>/shipments",
    tags=["fulfilment"],
    summary="A seller's packages by status",
    security=bearer("seller", "staff", "admin"),
)
def seller_queue(
    sellerId: SellerId, status: Status = None, limit: Annotated[int, Query(ge=1, le=100)] = 50
) -> ShipmentPage:
    """Oldest first; without ``status``, those still to ship (awaiting packing, packed,
    label bought). Another seller's queue: 404 SELLER_NOT_FOUND."""
    caller = require(app, "seller", "staff", "admin")
    if not caller.acts_for(sellerId):
        raise NotFound("No such seller.", code="SELLER_NOT_FOUND")
    found = service.queue(sellerId, status, limit)
    return ShipmentPage(shipments=[_shown(s, caller) for s in found])


@app.get(
    "/orders/<orderId>/shipments",
    tags=["fulfilment"],
    summary="An order's packages and return parcels",
    security=bearer(),
)
def order_shipments(
    orderId: Annotated[str, Path(pattern=r"^ord_[0-9A-HJKMNP-TV-Z]{26}$")],
) -> ShipmentPage:
    """All of them for the buyer and staff, a seller's own for a seller; anyone else 404
    ORDER_NOT_FOUND."""
    caller = require(app)
    return ShipmentPage(shipments=[_shown(s, caller) for s in service.listed(orderId, caller)])


@app.get("/shipments/<packageId>", tags=["fulfilment"], summary="A package", security=bearer())
def get_shipment(packageId: PackageId) -> ShipmentOut:
    """Its buyer, its seller or staff; anyone else 404 SHIPMENT_NOT_FOUND."""
    caller = require(app)
    return _shown(service.visible(packageId, caller), caller)


@app.post(
    "/shipments/<packageId>/pack",
    tags=["fulfilment"],
    summary="Packed: the box as measured",
    security=bearer("seller", "staff", "admin"),
)
def pack(packageId: PackageId, body: PackIn) -> ShipmentOut:
    """The seller or staff, while awaiting packing or packed (409 INVALID_STATUS_CHANGE)."""
    caller = require(app, "seller", "staff", "admin")
    shipment = service.sellers_own(packageId, caller)
    publish(service.pack(shipment, body.model_dump()))
    return _shown(shipment, caller)


@app.post(
    "/shipments/<packageId>/label",
    tags=["fulfilment"],
    summary="Buy the carrier's label",
    security=bearer("seller", "staff", "admin"),
)
def buy_label(packageId: PackageId) -> ShipmentOut:
    """A PACKED package (409 INVALID_STATUS_CHANGE otherwise): its tracking number and a
    PDF label, returned as a presigned URL. Hand the parcel over by ``handoverBy``."""
    caller = require(app, "seller", "staff", "admin")
    shipment = service.sellers_own(packageId, caller)
    publish(service.buy_label(shipment))
    return _shown(shipment, caller, labelUrl=service.label_url(shipment))


@app.get(
    "/shipments/<packageId>/label",
    tags=["fulfilment"],
    summary="The label's PDF",
    security=bearer(),
)
def get_label(packageId: PackageId) -> LabelOut:
    """A presigned URL of the PDF, for its seller and staff, and for a return's prepaid
    label its buyer; 409 LABEL_NOT_BOUGHT before it is bought."""
    caller = require(app)
    shipment = service.label_holder(packageId, caller)
    return LabelOut(url=service.label_url(shipment), expiresIn=labels.URL_SECONDS)


@app.post(
    "/shipments/<packageId>/status",
    tags=["fulfilment"],
    summary="Move a package by hand",
    security=bearer("staff", "admin"),
)
def staff_move(packageId: PackageId, body: StaffMoveIn) -> ShipmentOut:
    """Staff, with a reason, along the package's lifecycle (409 INVALID_STATUS_CHANGE)."""
    caller = require(app, "staff", "admin")
    shipment = service.get(packageId)
    publish(service.move(shipment, body.status, "STAFF", reason=body.reason))
    return _shown(shipment, caller)


@app.get("/tracking/<trackingNumber>", tags=["fulfilment"], summary="Track a parcel (public)")
def track(trackingNumber: TrackingNumber) -> TrackingOut:
    """Status, promised date and timeline; no names, addresses or ids. 404
    SHIPMENT_NOT_FOUND for a number that is not one of ours."""
    shipment = service.by_tracking_number(trackingNumber)
    if shipment is None:
        raise NotFound("No parcel with this tracking number.", code="SHIPMENT_NOT_FOUND")
    return TrackingOut(**service.view(shipment))


@app.post(
    "/carriers/<carrier>/events", tags=["fulfilment"], summary="Carrier tracking webhook (signed)"
)
def carrier_webhook(carrier: CarrierCode) -> CarrierEventOut:
    """The body ``{eventId, trackingNumber, code, at, location?}`` is verified against the
    ``X-Titan-Signature`` header (HMAC-SHA256 with the carrier's key, at most 5 minutes
    old): 401 SIGNATURE_INVALID otherwise. A repeat of an event changes nothing. 404
    UNKNOWN_CARRIER, SHIPMENT_NOT_FOUND (also for another carrier's parcel); 422
    EVENT_INVALID; 409 INVALID_STATUS_CHANGE."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    raw = (event.decoded_body or "").encode()
    events = service.carrier_event(carrier, raw, headers.get(webhooks.SIGNATURE_HEADER))
    publish(events)
    return CarrierEventOut(received=True, events=len(events))


@app.post(
    "/sandbox/carriers/<carrier>/parcels/<trackingNumber>/events",
    tags=["fulfilment"],
    summary="Make a sandbox carrier report a parcel",
    security=bearer("staff", "admin"),
)
def sandbox_event(
    carrier: CarrierCode, trackingNumber: TrackingNumber, body: CarrierEventIn
) -> CarrierEventOut:
    """Staff (tests, demos, the replay): the sandbox carrier signs the event with its key
    and it is applied as its webhook is. 404 UNKNOWN_CARRIER."""
    require(app, "staff", "admin")
    if carrier not in carriers.CARRIERS:
        raise NotFound(f"No carrier {carrier!r}.", code="UNKNOWN_CARRIER")
    try:
        at = clock.iso(body.at) if body.at else clock.iso()
    except (OverflowError, ValueError) as exc:  # a year UTC cannot hold
        raise Unprocessable("at is out of range.", code="EVENT_INVALID") from exc
    raw = json.dumps(
        {
            "eventId": new_id("cev"),
            "trackingNumber": trackingNumber,
            "code": body.code,
            "at": at,
            "location": body.location,
        }
    ).encode()
    events = service.carrier_event(carrier, raw, webhooks.sign(carriers.signing_key(carrier), raw))
    publish(events)
    return CarrierEventOut(received=True, events=len(events))


handler = lambda_handler(app)
