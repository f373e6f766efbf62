"""Inventory rules: receiving stock, reservations and the movement ledger.

Every change is one DynamoDB transaction: the stock items change under conditions (available
never below zero, reserved never below zero), a ledger movement is appended for each, and the
reservation item changes state under a condition on its current state. So a retried or
concurrent call changes stock at most once, and two checkouts racing for the last unit end
with exactly one reservation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import PutError, TransactWriteError

from inventory import settings
from inventory.schemas import InventoryOut, MovementOut, StockOut
from inventory.store import (
    HeldLine,
    Location,
    Movement,
    Reservation,
    Restock,
    Stock,
    Warehouse,
)
from titan import clock
from titan.auth import Principal
from titan.dynamo import condition_failed, failed_conditions, transaction
from titan.errors import Conflict, NotFound, Unprocessable
from titan.events import DomainEvent
from titan.ids import new_id
from titan.saga import StepRefused

#: How long a checkout may hold units before the sweep gives them back (seconds).
DEFAULT_HOLD_SECONDS = 15 * 60
ATTEMPTS = 3


def warehouse_of(seller_id: str) -> str:
    """A seller's own warehouse (Olist sellers ship from their own address)."""
    return f"wh_{seller_id}"


def _move(
    write, stock: Stock, kind: str, on_hand: int, reserved: int, reference: str, actor: str, at: str
) -> None:
    movement_id = new_id("mov")
    write.save(
        Movement(
            *Movement.key(stock.offer_id, at, movement_id),
            movement_id=movement_id,
            offer_id=stock.offer_id,
            warehouse_id=stock.warehouse_id,
            kind=kind,
            on_hand_change=on_hand,
            reserved_change=reserved,
            reference=reference,
            actor=actor,
            at=at,
        ),
        condition=Movement.pk.does_not_exist(),
    )


def open_stocks(offers: list[dict], units: int | None = None) -> int:
    """Open the stock of new offers (OfferCreated ``data`` dicts: offerId, productId,
    sellerId, origin, plus ``occurredAt``) in their sellers' warehouses, ``units`` each, with
    the opening RECEIVE movement (an offer's ``openingUnits``, else ``units``, else
    ``seed_stock_units``). Idempotent: stock that
    exists is left alone. Returns how many were opened.

    The bulk import creates thousands of offers at once, so one batch read finds those still
    without stock and they are written 50 to a transaction (stock conditional on not
    existing, plus its movement); a transaction that loses a race falls back to one
    transaction per offer."""
    units = settings.SETTINGS.seed_stock_units if units is None else units
    keys = {Stock.key(o["offerId"], warehouse_of(o["sellerId"])): o for o in offers}
    existing = {(s.pk, s.sk) for s in Stock.batch_get(list(keys), consistent_read=True)}
    fresh = [o for key, o in keys.items() if key not in existing]
    opened = 0
    for start in range(0, len(fresh), 50):
        chunk = fresh[start : start + 50]
        try:
            _open(chunk, units)
            opened += len(chunk)
        except TransactWriteError as exc:
            if exc.cause_response_code != "TransactionCanceledException":
                raise
            for offer in chunk:
                try:
                    _open([offer], units)
                    opened += 1
                except TransactWriteError as single:
                    if 0 not in failed_conditions(single):
                        raise
    return opened


def _new_stock(
    offer_id: str,
    product_id: str,
    seller_id: str,
    warehouse_id: str,
    location: dict,
    units: int,
    at: str,
) -> Stock:
    """An offer's stock in a warehouse, ``units`` on hand and none reserved (not written)."""
    return Stock(
        *Stock.key(offer_id, warehouse_id),
        offer_id=offer_id,
        product_id=product_id,
        seller_id=seller_id,
        warehouse_id=warehouse_id,
        location=Location(**{k: location.get(k) for k in ("city", "state", "zipPrefix")}),
        on_hand=units,
        reserved=0,
        available=units,
        updated_at=at,
    )


def _open(offers: list[dict], units: int) -> None:
    with transaction() as write:
        for o in offers:
            opening = units if o.get("openingUnits") is None else int(o["openingUnits"])
            stock = _new_stock(
                o["offerId"],
                o["productId"],
                o["sellerId"],
                warehouse_of(o["sellerId"]),
                o.get("origin") or {},
                opening,
                o["occurredAt"],
            )
            write.save(stock, condition=Stock.pk.does_not_exist())
            _move(write, stock, "RECEIVE", opening, 0, "opening", "catalog", o["occurredAt"])


def open_stock(
    offer_id: str, product_id: str, seller_id: str, origin: dict, units: int | None = None
) -> bool:
    """One offer's opening stock (see ``open_stocks``); False if it exists already."""
    offer = {"offerId": offer_id, "productId": product_id, "sellerId": seller_id, "origin": origin}
    return open_stocks([{**offer, "occurredAt": clock.iso()}], units) == 1


def receive(offer_id: str, warehouse_id: str, units: int, actor: str, reference: str) -> Stock:
    """Add ``units`` (> 0) to existing stock. Raises ``LookupError`` for unknown stock."""
    now = clock.iso()
    stock = Stock(*Stock.key(offer_id, warehouse_id))
    try:
        current = Stock.get(*Stock.key(offer_id, warehouse_id), consistent_read=True)
    except Stock.DoesNotExist as exc:
        raise LookupError(offer_id) from exc
    with transaction() as write:
        write.update(
            stock,
            actions=[
                Stock.on_hand.add(units),
                Stock.available.add(units),
                Stock.updated_at.set(now),
            ],
            condition=Stock.pk.exists(),
        )
        _move(write, current, "RECEIVE", units, 0, reference, actor, now)
    current.refresh(consistent_read=True)
    return current


@dataclass
class Reserved:
    reservation: Reservation
    events: list[DomainEvent]


def reserve(
    reservation_id: str,
    lines: list[dict],
    hold_seconds: int = DEFAULT_HOLD_SECONDS,
    *,
    pool: bool = False,
) -> Reserved:
    """Hold units for ``lines`` (``[{offerId, quantity, poolId?}]``), all or nothing, until
    ``hold_seconds`` from now. Idempotent per ``reservation_id``: a retry returns the existing
    reservation with no events.

    With ``pool``, the reservation is a pool for a flash sale (one line) that the sale's
    checkouts draw from. Lines that name a ``poolId`` draw their units from that pool instead
    of from stock (see ``draw``).

    Refuses 409 ``OUT_OF_STOCK`` (``offerIds``: those short of units) and 409
    ``RESERVATION_RELEASED`` when this reservation was already given back (a late retry)."""
    pooled = [line for line in lines if line.get("poolId")]
    if pooled:
        if len(pooled) != len(lines) or len(lines) != 1:
            raise ValueError("a reservation draws one line from one pool")
        return draw(reservation_id, pooled[0], hold_seconds)
    if pool and len(lines) != 1:
        raise ValueError("a pool holds one offer")
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[line["offerId"]] = wanted.get(line["offerId"], 0) + int(line["quantity"])
    for _ in range(ATTEMPTS):
        existing = _get(reservation_id)
        if existing is not None:
            return Reserved(_still_held(existing), [])
        picks, short = _pick(wanted)
        if short:
            raise StepRefused(
                "OUT_OF_STOCK", 409, "Not enough stock for some items.", offerIds=short
            )
        reservation = _held(
            reservation_id,
            [
                HeldLine(offerId=s.offer_id, warehouseId=s.warehouse_id, quantity=q)
                for s, q in picks
            ],
            hold_seconds,
            pool_units=sum(wanted.values()) if pool else None,
        )
        at = reservation.created_at
        try:
            with transaction() as write:
                write.save(reservation, condition=Reservation.pk.does_not_exist())
                for stock, quantity in picks:
                    write.update(
                        stock,
                        actions=[
                            Stock.available.add(-quantity),
                            Stock.reserved.add(quantity),
                            Stock.updated_at.set(at),
                        ],
                        condition=Stock.available >= quantity,
                    )
                    _move(write, stock, "RESERVE", 0, quantity, reservation_id, "checkout", at)
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                continue  # the reservation appeared, or stock moved: look again
            raise
        events = [DomainEvent.of("StockReserved", _data(reservation))]
        events += _low_stock(picks)
        return Reserved(reservation, events)
    raise StepRefused(
        "OUT_OF_STOCK",
        409,
        "Stock kept changing; not enough for some items.",
        offerIds=sorted(wanted),
    )


def _held(reservation_id: str, lines: list[HeldLine], hold_seconds: int, **extra) -> Reservation:
    """A new RESERVED reservation of ``lines`` until ``hold_seconds`` from now, listed in the
    expiry index (not yet written)."""
    now = clock.now()
    at, expires = clock.iso(now), clock.iso(now + timedelta(seconds=hold_seconds))
    return Reservation(
        *Reservation.key(reservation_id),
        reservation_id=reservation_id,
        status="RESERVED",
        lines=lines,
        expires_at=expires,
        gsi1pk="HELD",
        gsi1sk=expires,
        created_at=at,
        updated_at=at,
        **extra,
    )


def _pick(wanted: dict[str, int]) -> tuple[list[tuple[Stock, int]], list[str]]:
    """For each offer, the warehouse with the most available units, if it has enough."""
    picks, short = [], []
    for offer_id, quantity in wanted.items():
        stocks = sorted(Stock.of(offer_id), key=lambda s: -int(s.available))
        if not stocks or stocks[0].available < quantity:
            short.append(offer_id)
        else:
            picks.append((stocks[0], quantity))
    return picks, short


def draw(reservation_id: str, line: dict, hold_seconds: int) -> Reserved:
    """Reserve ``line`` (``{offerId, quantity, poolId}``) out of the pool ``poolId``: the
    pool's units go down under the condition that it is still held and has enough, and a
    reservation for them is written, in one transaction. The stock itself does not change
    (the units were reserved when the pool was made). Idempotent per ``reservation_id``.

    Refuses 409 ``OUT_OF_STOCK`` when the pool is gone, released or short."""
    quantity = int(line["quantity"])
    for _ in range(ATTEMPTS):
        existing = _get(reservation_id)
        if existing is not None:
            return Reserved(_still_held(existing), [])
        pool = _get(line["poolId"])
        if (
            pool is None
            or pool.pool_units is None
            or pool.status != "RESERVED"
            or pool.lines[0].offerId != line["offerId"]
            or pool.pool_units < quantity
        ):
            raise StepRefused(
                "OUT_OF_STOCK", 409, "The sale has no units left.", offerIds=[line["offerId"]]
            )
        held = HeldLine(
            offerId=line["offerId"], warehouseId=pool.lines[0].warehouseId, quantity=quantity
        )
        reservation = _held(reservation_id, [held], hold_seconds, pool_id=pool.reservation_id)
        at = reservation.created_at
        try:
            with transaction() as write:
                write.save(reservation, condition=Reservation.pk.does_not_exist())
                write.update(
                    pool,
                    actions=[Reservation.pool_units.add(-quantity), Reservation.updated_at.set(at)],
                    condition=(Reservation.status == "RESERVED")
                    & (Reservation.pool_units >= quantity),
                )
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                continue
            raise
        return Reserved(reservation, [DomainEvent.of("StockReserved", _data(reservation))])
    raise StepRefused(
        "OUT_OF_STOCK", 409, "The sale's units kept changing.", offerIds=[line["offerId"]]
    )


def _still_held(reservation: Reservation) -> Reservation:
    if reservation.status in ("RELEASED", "RESTOCKED"):
        raise StepRefused(
            "RESERVATION_RELEASED", 409, "This checkout's stock was already given back."
        )
    return reservation


def _get(reservation_id: str) -> Reservation | None:
    try:
        return Reservation.get(*Reservation.key(reservation_id), consistent_read=True)
    except Reservation.DoesNotExist:
        return None


def commit(reservation_id: str) -> list[DomainEvent]:
    """The held units are sold: on_hand and reserved go down. Idempotent (a COMMITTED
    reservation is left alone). Raises ``ValueError`` for a released or unknown one."""
    reservation = _get(reservation_id)
    if reservation is None or reservation.status in ("RELEASED", "RESTOCKED"):
        raise ValueError(f"reservation {reservation_id} cannot be committed")
    if reservation.status == "COMMITTED":
        return []
    _transition(reservation, "COMMITTED", "COMMIT", lambda q: (-q, -q, 0))
    return [DomainEvent.of("StockCommitted", _data(reservation))]


def release(reservation_id: str, reason: str) -> list[DomainEvent]:
    """Give a reservation's units back: held units become available again (RELEASED), sold
    units go back on hand (RESTOCKED, for a cancelled order). Idempotent. An unknown
    reservation is recorded as RELEASED, so a late ``reserve`` for it is refused."""
    for _ in range(ATTEMPTS):
        reservation = _get(reservation_id)
        if reservation is None:
            now = clock.iso()
            try:
                Reservation(
                    *Reservation.key(reservation_id),
                    reservation_id=reservation_id,
                    status="RELEASED",
                    reason=reason,
                    created_at=now,
                    updated_at=now,
                ).save(condition=Reservation.pk.does_not_exist())
                return []
            except PutError:
                continue
        if reservation.status in ("RELEASED", "RESTOCKED"):
            return []
        try:
            returned = reservation.pool_id and _back_to_pool(reservation, reason)
            if not returned and reservation.status == "RESERVED":
                _transition(reservation, "RELEASED", "RELEASE", lambda q: (0, -q, q), reason)
            elif not returned:
                _transition(reservation, "RESTOCKED", "RESTOCK", lambda q: (q, 0, q), reason)
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                continue
            raise
        return [DomainEvent.of("StockReleased", {**_data(reservation), "reason": reason})]
    raise RuntimeError(f"reservation {reservation_id} kept changing")


def _back_to_pool(reservation: Reservation, reason: str) -> bool:
    """A drawn reservation's units go back to its pool, if the pool is still held: a RESERVED
    one becomes RELEASED (the stock does not change: the units stay reserved, now by the
    pool); a COMMITTED one (its order cancelled) becomes RESTOCKED, its units back on hand
    and reserved by the pool. False if the pool is not held (the units then go to stock)."""
    now = clock.iso()
    quantity = int(reservation.lines[0].quantity)
    sold = reservation.status == "COMMITTED"
    pool = Reservation(*Reservation.key(reservation.pool_id))
    try:
        with transaction() as write:
            write.update(
                reservation,
                actions=_leaving("RESTOCKED" if sold else "RELEASED", now, reason),
                condition=Reservation.status == reservation.status,
            )
            write.update(
                pool,
                actions=[Reservation.pool_units.add(quantity), Reservation.updated_at.set(now)],
                condition=Reservation.status == "RESERVED",
            )
            if sold:  # back on hand, reserved by the pool
                _shift(
                    write,
                    reservation.lines[0],
                    (quantity, quantity, 0),
                    "RESTOCK",
                    reservation.pool_id,
                    now,
                )
    except TransactWriteError as exc:
        # Request order: the movement (a put) first, then the updates in the order above.
        if failed_conditions(exc) == {2 if sold else 1}:
            return False
        raise
    reservation.status = "RESTOCKED" if sold else "RELEASED"
    return True


def _leaving(status: str, now: str, reason: str | None) -> list:
    """Update actions of a reservation that stops holding: its new status, and out of the
    expiry index."""
    return [
        Reservation.status.set(status),
        Reservation.updated_at.set(now),
        Reservation.gsi1pk.remove(),
        Reservation.gsi1sk.remove(),
        *([Reservation.reason.set(reason)] if reason else []),
    ]


def _transition(
    reservation: Reservation, status: str, kind: str, change, reason: str | None = None
) -> None:
    """Move ``reservation`` to ``status`` (conditional on its current status) and apply
    ``change(quantity) -> (on_hand, reserved, available)`` to each held line's stock. A
    pool moves the units it still holds (conditional on that count too)."""
    now = clock.iso()
    before = reservation.status
    condition = Reservation.status == before
    if reservation.pool_units is not None:
        condition &= Reservation.pool_units == reservation.pool_units
    with transaction() as write:
        write.update(reservation, actions=_leaving(status, now, reason), condition=condition)
        for line in reservation.lines:
            units = line.quantity if reservation.pool_units is None else reservation.pool_units
            _shift(write, line, change(int(units)), kind, reservation.reservation_id, now)
    reservation.status = status


def _shift(
    write, line: HeldLine, change: tuple[int, int, int], kind: str, reference: str, now: str
) -> None:
    """Add ``change`` = (on_hand, reserved, available) to ``line``'s stock in ``write``
    (reserved never below zero) and append its movement."""
    on_hand, reserved, available = change
    stock = Stock(*Stock.key(line.offerId, line.warehouseId))
    stock.offer_id, stock.warehouse_id = line.offerId, line.warehouseId
    write.update(
        stock,
        actions=[
            Stock.on_hand.add(on_hand),
            Stock.reserved.add(reserved),
            Stock.available.add(available),
            Stock.updated_at.set(now),
        ],
        condition=Stock.reserved >= -reserved if reserved < 0 else Stock.pk.exists(),
    )
    _move(write, stock, kind, on_hand, reserved, reference, "checkout", now)


def restock(return_id: str, reservation_id: str, lines: list[dict]) -> list[DomainEvent]:
    """Returned goods go back on hand and on sale: ``lines`` [{offerId, quantity}] of the
    order whose stock ``reservation_id`` committed (it says which warehouse each came from).
    Once per return. Raises ``LookupError`` for an unknown reservation or offer."""
    reservation = _get(reservation_id)
    if reservation is None:
        raise LookupError(reservation_id)
    where = {line.offerId: line.warehouseId for line in reservation.lines}
    held = []
    for line in lines:
        if line["offerId"] not in where:
            raise LookupError(line["offerId"])
        held.append(
            HeldLine(
                offerId=line["offerId"],
                warehouseId=where[line["offerId"]],
                quantity=int(line["quantity"]),
            )
        )
    now = clock.iso()
    try:
        with transaction() as write:
            write.save(
                Restock(*Restock.key(return_id), return_id=return_id, lines=held, created_at=now),
                condition=Restock.pk.does_not_exist(),
            )
            for line in held:
                q = int(line.quantity)
                _shift(write, line, (q, 0, q), "RETURN", return_id, now)
    except TransactWriteError as exc:
        if 0 in failed_conditions(exc):
            return []  # restocked before
        raise
    return [
        DomainEvent.of(
            "StockRestocked",
            {
                "returnId": return_id,
                "reservationId": reservation_id,
                "lines": [
                    {
                        "offerId": h.offerId,
                        "warehouseId": h.warehouseId,
                        "quantity": int(h.quantity),
                    }
                    for h in held
                ],
            },
        )
    ]


def expired(limit: int = 100) -> list[str]:
    """Ids of RESERVED reservations whose hold has ended (GSI1 ``HELD``, oldest first)."""
    items = Reservation.by_gsi1.query("HELD", Reservation.gsi1sk <= clock.iso(), limit=limit)
    return [item.reservation_id for item in items]


def _data(reservation: Reservation) -> dict:
    return {
        "reservationId": reservation.reservation_id,
        "status": reservation.status,
        "lines": [
            {
                "offerId": line.offerId,
                "warehouseId": line.warehouseId,
                "quantity": int(line.quantity),
            }
            for line in reservation.lines
        ],
    }


def _low_stock(picks: list[tuple[Stock, int]]) -> list[DomainEvent]:
    """LowStock for each stock this reservation took below the threshold (once per crossing)."""
    events = []
    for stock, quantity in picks:
        stock.refresh(consistent_read=True)
        if stock.available < settings.SETTINGS.low_stock_threshold <= stock.available + quantity:
            events.append(
                DomainEvent.of(
                    "LowStock",
                    {
                        "offerId": stock.offer_id,
                        "productId": stock.product_id,
                        "sellerId": stock.seller_id,
                        "warehouseId": stock.warehouse_id,
                        "available": int(stock.available),
                        "threshold": settings.SETTINGS.low_stock_threshold,
                    },
                )
            )
    return events


# ------------------------------------------------------------------ the API's use cases


def stocks_for(offer_id: str, caller: Principal) -> list[Stock]:
    """The offer's stock in each warehouse, for its seller and staff. Raises NotFound
    STOCK_NOT_FOUND for anyone else, as for an offer without stock."""
    stocks = Stock.of(offer_id)
    if not stocks or not caller.acts_for(stocks[0].seller_id):
        raise NotFound("No stock for this offer.", code="STOCK_NOT_FOUND")
    return stocks


def inventory_view(offer_id: str, stocks: list[Stock] | None = None) -> InventoryOut:
    """The offer's stock per warehouse (read again unless given) and its latest movements."""
    stocks = Stock.of(offer_id) if stocks is None else stocks
    moves = Movement.query(
        f"OFFER#{offer_id}", Movement.sk.startswith("MOVE#"), scan_index_forward=False, limit=50
    )
    return InventoryOut(
        offerId=offer_id,
        sellerId=stocks[0].seller_id,
        available=sum(int(s.available) for s in stocks),
        warehouses=[
            StockOut(
                warehouseId=s.warehouse_id,
                onHand=int(s.on_hand),
                reserved=int(s.reserved),
                available=int(s.available),
                location=s.location.as_dict() if s.location else None,
            )
            for s in stocks
        ],
        movements=[
            MovementOut(
                movementId=m.movement_id,
                warehouseId=m.warehouse_id,
                kind=m.kind,
                onHandChange=int(m.on_hand_change),
                reservedChange=int(m.reserved_change),
                reference=m.reference,
                at=m.at,
            )
            for m in moves
        ],
    )


#: Why a seller corrects stock by hand (a movement ADJUST carries one).
ADJUSTMENT_REASONS = ("COUNT_CORRECTION", "DAMAGED", "LOST", "FOUND", "RETURNED_TO_SUPPLIER")


def warehouses(seller_id: str) -> list[dict]:
    """The seller's warehouses: its own address (``wh_<sellerId>``) first, then those it
    added, oldest first. ``[{warehouseId, name, location}]``."""
    added = sorted(Warehouse.of(seller_id), key=lambda w: w.created_at)
    own = {"warehouseId": warehouse_of(seller_id), "name": "Own address", "location": None}
    return [own] + [
        {"warehouseId": w.warehouse_id, "name": w.name, "location": w.location.as_dict()}
        for w in added
    ]


def add_warehouse(seller_id: str, name: str, location: dict) -> dict:
    """A new warehouse of the seller's (``location``: city, state, zipPrefix)."""
    warehouse_id = new_id("wh")
    Warehouse(
        *Warehouse.key(seller_id, warehouse_id),
        warehouse_id=warehouse_id,
        seller_id=seller_id,
        name=" ".join(name.split()),
        location=Location(**location),
        created_at=clock.iso(),
    ).save(condition=Warehouse.pk.does_not_exist())
    return {"warehouseId": warehouse_id, "name": name, "location": location}


def _warehouse(seller_id: str, warehouse_id: str | None) -> tuple[str, dict | None]:
    """The warehouse id (default: the seller's own) and its location, if it is the seller's.
    Raises Unprocessable UNKNOWN_WAREHOUSE."""
    if warehouse_id is None or warehouse_id == warehouse_of(seller_id):
        return warehouse_of(seller_id), None
    try:
        found = Warehouse.get(*Warehouse.key(seller_id, warehouse_id))
    except Warehouse.DoesNotExist as exc:
        raise Unprocessable("The seller has no such warehouse.", code="UNKNOWN_WAREHOUSE") from exc
    return warehouse_id, found.location.as_dict()


def receive_units(offer_id: str, caller: Principal, warehouse: str | None, units: int) -> dict:
    """Add ``units`` to the offer's stock in ``warehouse`` (default: the seller's own; any
    warehouse of the seller's, its first receipt opening the offer's stock there), with a
    RECEIVE movement; the inventory view. Raises NotFound STOCK_NOT_FOUND, Unprocessable
    UNKNOWN_WAREHOUSE for a warehouse that is not the seller's."""
    stocks = stocks_for(offer_id, caller)
    first = stocks[0]
    warehouse, location = _warehouse(first.seller_id, warehouse)
    if warehouse not in {s.warehouse_id for s in stocks}:
        stock = _new_stock(
            offer_id, first.product_id, first.seller_id, warehouse, location or {}, 0, clock.iso()
        )
        try:
            stock.save(condition=Stock.pk.does_not_exist())
        except PutError as exc:
            if not condition_failed(exc):
                raise
    receive(offer_id, warehouse, units, caller.id, "receipt")
    return inventory_view(offer_id).model_dump()


def adjust(
    offer_id: str, caller: Principal, warehouse: str | None, change: int, reason: str
) -> tuple[dict, list[DomainEvent]]:
    """Correct the offer's stock in ``warehouse`` (default: the seller's own) by ``change``
    units (negative: fewer) for ``reason`` (``ADJUSTMENT_REASONS``), with an ADJUST movement;
    on hand and available never go below zero (units held for checkouts stay held). Returns
    the inventory view and LowStock when it crossed the threshold. Raises NotFound
    STOCK_NOT_FOUND, Unprocessable UNKNOWN_WAREHOUSE, Conflict STOCK_TOO_LOW."""
    stocks = stocks_for(offer_id, caller)
    warehouse = warehouse or warehouse_of(stocks[0].seller_id)
    current = next((s for s in stocks if s.warehouse_id == warehouse), None)
    if current is None:
        raise Unprocessable("This offer has no stock in that warehouse.", code="UNKNOWN_WAREHOUSE")
    now = clock.iso()
    condition = Stock.pk.exists()
    if change < 0:
        condition &= Stock.available >= -change
    try:
        with transaction() as write:
            write.update(
                current,
                actions=[
                    Stock.on_hand.add(change),
                    Stock.available.add(change),
                    Stock.updated_at.set(now),
                ],
                condition=condition,
            )
            _move(write, current, "ADJUST", change, 0, reason, caller.id, now)
    except TransactWriteError as exc:
        if failed_conditions(exc):  # the stock's (the movement's key is new)
            raise Conflict(
                "Fewer units are available than the adjustment takes away.",
                code="STOCK_TOO_LOW",
                available=int(current.available),
            ) from exc
        raise
    events = _low_stock([(current, -change)]) if change < 0 else []
    return inventory_view(offer_id).model_dump(), events
