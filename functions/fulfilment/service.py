"""Fulfilment use cases: packages opened from placed orders, moved by their seller (pack,
buy the label), by their carrier's signed tracking events, or by staff; the order status
their packages add up to is published with each move (``domain.order_status``)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from pynamodb.exceptions import PutError, UpdateError

from contracts.orders import OrderPlaced
from contracts.returns import ReturnApproved
from fulfilment import carriers, domain, labels, settings
from fulfilment.store import OrderShipments, Shipment
from titan import clock, webhooks
from titan.auth import Principal
from titan.dynamo import condition_failed, get_or_404
from titan.errors import Conflict, NotFound, Problem, Unprocessable
from titan.events import DomainEvent
from titan.ids import derived_id


def get(package_id: str) -> Shipment:
    """The package. Raises NotFound SHIPMENT_NOT_FOUND."""
    return get_or_404(
        Shipment, *Shipment.key(package_id), code="SHIPMENT_NOT_FOUND", detail="No such shipment."
    )


def open_packages(placed: OrderPlaced) -> int:
    """A shipment per package of a placed order, AWAITING_PACKING when it is paid
    (CONFIRMED) and AWAITING_PAYMENT otherwise; how many were new. Idempotent."""
    now = clock.iso()
    status = domain.AWAITING_PACKING if placed.status == "CONFIRMED" else domain.AWAITING_PAYMENT
    made = 0
    for package in placed.packages:
        shipment = Shipment(
            *Shipment.key(package.packageId),
            package_id=package.packageId,
            order_id=placed.orderId,
            customer_id=placed.customerId,
            customer_email=placed.customerEmail,
            seller_id=package.sellerId,
            line_ids=package.lineIds,
            service=package.service,
            carrier=carriers.carrier_of(package.service).code,
            promised_by=package.promisedBy,
            parcel=package.parcel,
            origin_zip=package.originZip,
            declared_value=package.itemsValue,
            ship_to=placed.shipTo,
            status=status,
            timeline=[{"status": status, "at": now, "source": "SYSTEM"}],
            handover_by=_handover_by() if status == domain.AWAITING_PACKING else None,
            created_at=now,
            updated_at=now,
        )
        shipment.index_keys()
        try:
            shipment.save(condition=Shipment.pk.does_not_exist())
            made += 1
        except PutError as exc:
            if not condition_failed(exc):
                raise
    record = OrderShipments(
        *OrderShipments.key(placed.orderId),
        order_id=placed.orderId,
        package_ids=[p.packageId for p in placed.packages],
    )
    try:
        record.save(condition=OrderShipments.pk.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
    return made


def _handover_by() -> str:
    return clock.iso(clock.now() + timedelta(days=settings.SETTINGS.handover_days))


def _scan_due() -> str:
    """When a parcel the carrier reports now is lost if the carrier says nothing more: the
    silence counts from when the platform heard (a carrier's late batch of old scans does
    not make a parcel lost at once)."""
    return clock.iso(clock.now() + timedelta(days=settings.SETTINGS.lost_after_days))


def of_order(order_id: str, returns: bool = False) -> list[Shipment]:
    """The order's packages, and with ``returns`` its return parcels after them, read
    consistently (none for an order without packages)."""
    try:
        record = OrderShipments.get(*OrderShipments.key(order_id), consistent_read=True)
    except OrderShipments.DoesNotExist:
        return []
    ids = [*record.package_ids, *((record.return_package_ids or []) if returns else [])]
    return sorted(
        Shipment.batch_get([Shipment.key(p) for p in ids], consistent_read=True),
        key=lambda s: (s.direction != "OUTBOUND", s.created_at, s.package_id),
    )


def move(
    shipment: Shipment, target: str, source: str, at: str | None = None, **entry
) -> list[DomainEvent]:
    """Move ``shipment`` to ``target`` (``domain.NEXT``), adding ``entry`` (code, location,
    eventId) to its timeline; the ShipmentStatusChanged event, with the order status its
    packages now add up to when that changed. Re-reads and retries when another writer
    changed it. Raises Conflict INVALID_STATUS_CHANGE."""
    at = at or clock.iso()
    for _ in range(5):
        previous = shipment.status
        try:
            domain.check_move(previous, target)
        except domain.InvalidMove as exc:
            raise Conflict(str(exc), code="INVALID_STATUS_CHANGE") from exc
        shipment.status = target
        shipment.timeline = [
            *shipment.timeline,
            {"status": target, "at": at, "source": source, **{k: v for k, v in entry.items() if v}},
        ]
        if entry.get("eventId"):
            shipment.carrier_event_ids = {*(shipment.carrier_event_ids or set()), entry["eventId"]}
        if target == domain.AWAITING_PACKING:
            shipment.handover_by = _handover_by()
        if source == "CARRIER":
            shipment.last_scan_at = at
        if target == domain.LOST:
            shipment.liability = {
                "carrier": shipment.carrier,
                "amount": int(shipment.declared_value or 0),
                "currency": "BRL",
                "recordedAt": at,
            }
        shipment.updated_at = clock.iso()
        shipment.index_keys(scan_due=_scan_due())
        try:
            shipment.save()
            break
        except PutError as exc:
            if not condition_failed(exc):
                raise
            shipment.refresh(consistent_read=True)
            if entry.get("eventId") in (shipment.carrier_event_ids or set()):
                return []
    else:
        raise Conflict("The shipment changed too often; try again.", code="CONCURRENT_UPDATE")
    # Moves within the carrier's hands (in transit, out for delivery, failed) leave the
    # order's status as it was: only look it up when the package left or reached its end.
    within = previous in domain.WITH_CARRIER and target in domain.WITH_CARRIER
    outbound = shipment.direction == "OUTBOUND"
    told = _order_status(shipment.order_id) if outbound and not within else None
    return [_event(shipment, previous, source, at, told)]


def _order_status(order_id: str) -> str | None:
    """The order status its packages add up to, when it differs from the one last told
    (recorded with a conditional write, so it is told once)."""
    status = domain.order_status([s.status for s in of_order(order_id)])
    if status is None:
        return None
    try:
        OrderShipments(*OrderShipments.key(order_id)).update(
            actions=[OrderShipments.told.set(status)],
            condition=OrderShipments.told.does_not_exist() | (OrderShipments.told != status),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return None
        raise
    return status


def _event(
    shipment: Shipment, previous: str | None, source: str, at: str, order_status: str | None
) -> DomainEvent:
    data = {
        "packageId": shipment.package_id,
        "direction": shipment.direction,
        "returnId": shipment.return_id,
        "customerEmail": shipment.customer_email,
        "orderId": shipment.order_id,
        "customerId": shipment.customer_id,
        "sellerId": shipment.seller_id,
        "status": shipment.status,
        "previousStatus": previous,
        "movedBy": source,
        "carrier": shipment.carrier,
        "trackingNumber": shipment.tracking_number,
        "at": at,
    }
    if order_status:
        data["orderStatus"] = order_status
    return DomainEvent.of("ShipmentStatusChanged", data)


def order_paid(order_id: str) -> list[DomainEvent]:
    """The order was paid: its packages waiting for payment wait for packing."""
    return [
        event
        for s in of_order(order_id)
        if s.status == domain.AWAITING_PAYMENT
        for event in move(s, domain.AWAITING_PACKING, "SYSTEM")
    ]


def order_cancelled(order_id: str) -> list[DomainEvent]:
    """The order was cancelled: packages not yet with the carrier are cancelled."""
    return [
        event
        for s in of_order(order_id)
        if domain.CANCELLED in domain.NEXT[s.status]
        for event in move(s, domain.CANCELLED, "SYSTEM")
    ]


# ------------------------------------------------------------------ who sees what


def _acts_for(caller: Principal, shipment: Shipment) -> bool:
    """Staff, or the shipment's seller."""
    return caller.acts_for(shipment.seller_id)


def _allowed(package_id: str, allowed) -> Shipment:
    """The shipment if ``allowed(shipment)``; else NotFound SHIPMENT_NOT_FOUND, as for one
    that does not exist."""
    shipment = get(package_id)
    if not allowed(shipment):
        raise NotFound("No such shipment.", code="SHIPMENT_NOT_FOUND")
    return shipment


def visible(package_id: str, caller: Principal) -> Shipment:
    """The shipment, for its buyer, its seller or staff."""
    return _allowed(package_id, lambda s: caller.id == s.customer_id or _acts_for(caller, s))


def label_holder(package_id: str, caller: Principal) -> Shipment:
    """The shipment, for who hands it to the carrier: its seller or staff, and for a
    RETURN shipment its buyer too."""
    return _allowed(
        package_id,
        lambda s: _acts_for(caller, s) or (s.direction == "RETURN" and caller.id == s.customer_id),
    )


def sellers_own(package_id: str, caller: Principal) -> Shipment:
    """The shipment, for its seller or staff to act on."""
    return _allowed(package_id, lambda s: _acts_for(caller, s))


#: What a timeline entry shows its buyer, seller and staff; public tracking shows less.
TIMELINE_KEYS = ("status", "at", "source", "code", "location", "reason")


def view(shipment: Shipment, caller: Principal | None = None) -> dict:
    """The API shape; the address only for the buyer, staff, and the seller while the
    package is theirs to ship. ``caller`` None: public tracking (no personal data, no ids
    but the tracking number)."""
    shown = ("status", "at", "location") if caller is None else TIMELINE_KEYS
    public = {
        "trackingNumber": shipment.tracking_number,
        "carrier": carriers.CARRIERS[shipment.carrier].name,
        "service": shipment.service,
        "status": shipment.status,
        "promisedBy": shipment.promised_by,
        "timeline": [{k: e[k] for k in shown if e.get(k)} for e in shipment.timeline],
    }
    if caller is None:
        return public
    shows_address = (
        caller.id == shipment.customer_id
        or caller.has_any("staff", "admin")
        or shipment.status in domain.TO_SHIP
    )
    return public | {
        "packageId": shipment.package_id,
        "direction": shipment.direction,
        "returnId": shipment.return_id,
        "orderId": shipment.order_id,
        "sellerId": shipment.seller_id,
        "lineIds": list(shipment.line_ids),
        "parcel": shipment.parcel,
        "handoverBy": shipment.handover_by,
        "shipTo": shipment.ship_to if shows_address else None,
        "hasLabel": shipment.label_key is not None,
        "carrierLiability": shipment.liability if caller.has_any("staff", "admin") else None,
    }


def queue(seller_id: str, status: str | None, limit: int) -> list[Shipment]:
    """A seller's shipments, by status (every status of ``domain.TO_SHIP`` when None)."""
    statuses = [status] if status else list(domain.TO_SHIP)
    found: list[Shipment] = []
    for wanted in statuses:
        found += list(
            Shipment.by_seller.query(
                f"SELLER#{seller_id}", Shipment.gsi1sk.startswith(f"{wanted}#"), limit=limit
            )
        )
    return sorted(found, key=lambda s: s.created_at)[:limit]


# ------------------------------------------------------------------ the seller's moves


def pack(shipment: Shipment, parcel: dict) -> list[DomainEvent]:
    """The seller packed it: the box's weight (g) and dimensions (cm) as measured."""
    shipment.parcel = parcel
    return move(shipment, domain.PACKED, "SELLER")


def buy_label(shipment: Shipment) -> list[DomainEvent]:
    """Buy the carrier's label for a PACKED package (``_issue_label``). Raises Conflict
    INVALID_STATUS_CHANGE unless PACKED."""
    if shipment.status != domain.PACKED:
        raise Conflict(
            f"Pack the package before buying its label (it is {shipment.status}).",
            code="INVALID_STATUS_CHANGE",
        )
    _issue_label(shipment, f"Titan Commerce seller, CEP {shipment.origin_zip or '-'}")
    return move(shipment, domain.LABEL_PURCHASED, "SELLER")


def _issue_label(shipment: Shipment, sender: str) -> None:
    """An S10 tracking number that follows from the package id (issuing again gets the same
    one) and the PDF label, stored in S3; both set on ``shipment`` (not saved)."""
    carrier = carriers.CARRIERS[shipment.carrier]
    serial = int(hashlib.sha256(shipment.package_id.encode()).hexdigest(), 16)
    shipment.tracking_number = domain.tracking_number(carrier.prefixes[shipment.service], serial)
    pdf = labels.draw(
        carrier=carrier.name,
        service=shipment.service,
        tracking_number=shipment.tracking_number,
        package_id=shipment.package_id,
        order_id=shipment.order_id,
        sender=sender,
        ship_to=shipment.ship_to or {},
        parcel=shipment.parcel,
        promised_by=shipment.promised_by,
    )
    shipment.label_key = labels.store(shipment.package_id, pdf)


#: Approved returns travel back by the national post's standard service, prepaid.
RETURN_SERVICE = "POST_STANDARD"


def open_return(approved: ReturnApproved) -> list[DomainEvent]:
    """A prepaid return label per seller of an approved return: a RETURN shipment from the
    buyer to the seller, its tracking number and PDF issued at once (LABEL_PURCHASED). The
    buyer fetches the label and hands the parcel over; the carrier's delivery to the seller
    tells the returns context the goods are back. Idempotent (ids follow from the return and
    the seller); returns of orders without packages get none."""
    outbound = {s.seller_id: s for s in of_order(approved.orderId)}
    events = []
    now = clock.iso()
    for seller_id in sorted({line.sellerId for line in approved.lines}):
        original = outbound.get(seller_id)
        if original is None:
            continue
        package_id = derived_id("pkg", approved.returnId, seller_id)
        buyer = original.ship_to or {}
        shipment = Shipment(
            *Shipment.key(package_id),
            package_id=package_id,
            direction="RETURN",
            return_id=approved.returnId,
            order_id=approved.orderId,
            customer_id=approved.customerId,
            customer_email=original.customer_email,
            seller_id=seller_id,
            line_ids=[line.lineId for line in approved.lines if line.sellerId == seller_id],
            service=RETURN_SERVICE,
            carrier=carriers.carrier_of(RETURN_SERVICE).code,
            origin_zip=buyer.get("postalCode"),
            ship_to={
                "recipientName": f"Titan Commerce seller {seller_id[:8]} (returns)",
                "postalCode": original.origin_zip,
            },
            status=domain.LABEL_PURCHASED,
            timeline=[{"status": domain.LABEL_PURCHASED, "at": now, "source": "SYSTEM"}],
            created_at=now,
            updated_at=now,
        )
        _issue_label(
            shipment, f"{buyer.get('recipientName', 'Buyer')}, CEP {buyer.get('postalCode', '-')}"
        )
        shipment.index_keys()
        try:
            shipment.save(condition=Shipment.pk.does_not_exist())
        except PutError as exc:
            if not condition_failed(exc):
                raise
            continue
        OrderShipments(*OrderShipments.key(approved.orderId)).update(
            actions=[
                OrderShipments.return_package_ids.set(
                    OrderShipments.return_package_ids.append([package_id])
                )
            ],
            condition=OrderShipments.pk.exists(),
        )
        events.append(_event(shipment, None, "SYSTEM", now, None))
    return events


def listed(order_id: str, caller: Principal) -> list[Shipment]:
    """An order's shipments, its returns' included, as ``caller`` may see them: all for the
    buyer and staff, a seller's own for a seller. Raises NotFound ORDER_NOT_FOUND for anyone
    else (or an order without shipments)."""
    found = of_order(order_id, returns=True)
    mine = (
        found
        if found and caller.id == found[0].customer_id
        else [s for s in found if _acts_for(caller, s)]
    )
    if not mine:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    return mine


def label_url(shipment: Shipment) -> str:
    """A presigned URL of the label. Raises Conflict LABEL_NOT_BOUGHT before it is bought."""
    if not shipment.label_key:
        raise Conflict("No label was bought for this package yet.", code="LABEL_NOT_BOUGHT")
    return labels.url(shipment.label_key)


# ------------------------------------------------------------------ carriers' events


def carrier_event(carrier: str, body: bytes, signature: str | None) -> list[DomainEvent]:
    """A carrier's tracking event ``{"eventId", "trackingNumber", "code", "at",
    "location"?}`` (``code`` one of ``domain.CARRIER_EVENTS``), signed as ``titan.webhooks``
    says with the carrier's key. A repeat of an event already
    applied changes nothing. Raises Problem 401 SIGNATURE_INVALID (forged, altered or stale),
    NotFound UNKNOWN_CARRIER / SHIPMENT_NOT_FOUND (another carrier's parcel is not found
    either), Unprocessable EVENT_INVALID, Conflict INVALID_STATUS_CHANGE."""
    if carrier not in carriers.CARRIERS:
        raise NotFound(f"No carrier {carrier!r}.", code="UNKNOWN_CARRIER")
    if not webhooks.verify(carriers.signing_key(carrier), body, signature, clock.epoch_seconds()):
        raise Problem(
            "The event's signature is missing, wrong or too old.",
            status=401,
            code="SIGNATURE_INVALID",
            title="Signature invalid",
        )
    try:
        event = json.loads(body)
        event_id, number, code, at = (
            str(event["eventId"]),
            str(event["trackingNumber"]),
            str(event["code"]),
            clock.iso(clock.parse(str(event["at"]))),
        )
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise Unprocessable(
            "The event needs eventId, trackingNumber, code and at (ISO 8601).",
            code="EVENT_INVALID",
        ) from exc
    if code not in domain.CARRIER_EVENTS:
        raise Unprocessable(
            f"Unknown event code {code!r}; known: {', '.join(domain.CARRIER_EVENTS)}.",
            code="EVENT_INVALID",
        )
    shipment = by_tracking_number(number)
    if shipment is None or shipment.carrier != carrier:
        raise NotFound("No such parcel with this carrier.", code="SHIPMENT_NOT_FOUND")
    if event_id in (shipment.carrier_event_ids or set()):
        return []
    return move(
        shipment,
        domain.CARRIER_EVENTS[code],
        "CARRIER",
        at,
        code=code,
        location=str(event.get("location") or "")[:120],
        eventId=event_id,
    )


def by_tracking_number(number: str) -> Shipment | None:
    """The shipment with this tracking number, read consistently (None when unknown)."""
    if not domain.valid_tracking_number(number):
        return None
    found = next(iter(Shipment.by_tracking.query(f"TRACKING#{number}", limit=1)), None)
    if found is None:
        return None
    found.refresh(consistent_read=True)
    return found
