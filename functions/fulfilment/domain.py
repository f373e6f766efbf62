"""Fulfilment rules, pure (no I/O): a package's lifecycle, the carriers' tracking events,
tracking numbers, and the order status its packages add up to.

A package (one per seller in an order) moves::

    AWAITING_PAYMENT → AWAITING_PACKING → PACKED → LABEL_PURCHASED → HANDED_OVER
      → IN_TRANSIT → OUT_FOR_DELIVERY → DELIVERED
    with DELIVERY_FAILED (then OUT_FOR_DELIVERY again or RETURNED_TO_SENDER), LOST, and
    CANCELLED before it is handed over.

The seller moves it up to LABEL_PURCHASED; from HANDED_OVER on only the carrier's events
move it (and staff, by hand), so DELIVERED never rests on the seller's word.
"""

from __future__ import annotations

AWAITING_PAYMENT = "AWAITING_PAYMENT"
AWAITING_PACKING = "AWAITING_PACKING"
PACKED = "PACKED"
LABEL_PURCHASED = "LABEL_PURCHASED"
HANDED_OVER = "HANDED_OVER"
IN_TRANSIT = "IN_TRANSIT"
OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
DELIVERED = "DELIVERED"
DELIVERY_FAILED = "DELIVERY_FAILED"
RETURNED_TO_SENDER = "RETURNED_TO_SENDER"
LOST = "LOST"
CANCELLED = "CANCELLED"

#: Where each status may go next.
NEXT: dict[str, frozenset[str]] = {
    AWAITING_PAYMENT: frozenset({AWAITING_PACKING, CANCELLED}),
    AWAITING_PACKING: frozenset({PACKED, CANCELLED}),
    PACKED: frozenset({PACKED, LABEL_PURCHASED, CANCELLED}),
    LABEL_PURCHASED: frozenset({HANDED_OVER, CANCELLED}),
    HANDED_OVER: frozenset({IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED, LOST}),
    IN_TRANSIT: frozenset({IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED, DELIVERY_FAILED, LOST}),
    OUT_FOR_DELIVERY: frozenset({DELIVERED, DELIVERY_FAILED, LOST}),
    DELIVERY_FAILED: frozenset({OUT_FOR_DELIVERY, RETURNED_TO_SENDER, LOST}),
    DELIVERED: frozenset(),
    RETURNED_TO_SENDER: frozenset(),
    LOST: frozenset(),
    CANCELLED: frozenset(),
}
#: Statuses the seller's queue lists as to do.
TO_SHIP = (AWAITING_PACKING, PACKED, LABEL_PURCHASED)
#: With the carrier: the package has left the seller.
WITH_CARRIER = frozenset({HANDED_OVER, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERY_FAILED})
#: A carrier's tracking event codes and the status each one means.
CARRIER_EVENTS = {
    "PICKED_UP": HANDED_OVER,
    "IN_TRANSIT": IN_TRANSIT,
    "OUT_FOR_DELIVERY": OUT_FOR_DELIVERY,
    "DELIVERED": DELIVERED,
    "DELIVERY_FAILED": DELIVERY_FAILED,
    "RETURNED_TO_SENDER": RETURNED_TO_SENDER,
}


class InvalidMove(ValueError):
    """A package cannot go from its status to the one asked."""


def check_move(current: str, target: str) -> None:
    """Raises InvalidMove unless ``target`` may follow ``current`` (``NEXT``)."""
    if target not in NEXT.get(current, frozenset()):
        raise InvalidMove(f"A package that is {current} cannot become {target}.")


def order_status(statuses: list[str]) -> str | None:
    """The order status its live packages add up to: DELIVERED when each one has reached
    its end and at least one was delivered (a lost or returned package is refunded, the
    rest of the order is done); SHIPPED when every one has left its seller; PARTIALLY_SHIPPED
    when some have; else None (nothing to change). Cancelled packages do not count."""
    live = [s for s in statuses if s != CANCELLED]
    if not live:
        return None
    ended = [s for s in live if s in (DELIVERED, LOST, RETURNED_TO_SENDER)]
    left = [s for s in live if s in WITH_CARRIER or s in ended]
    if len(ended) == len(live) and DELIVERED in ended:
        return "DELIVERED"
    if len(left) == len(live):
        return "SHIPPED"
    return "PARTIALLY_SHIPPED" if left else None


# ------------------------------------------------------------------ tracking numbers

#: UPU S10 weights for the eight serial digits of an item identifier.
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """The check digit of an 8-digit serial by the UPU S10 standard (the scheme of postal
    tracking numbers such as ``AA123456785BR``): 11 minus the weighted sum modulo 11, where
    10 becomes 0 and 11 becomes 5. Source: UPU standard S10, "Identification of postal
    items". Raises ValueError unless ``serial`` is 8 digits."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("an S10 serial is 8 digits")
    check = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def tracking_number(service_prefix: str, number: int, country: str = "BR") -> str:
    """An S10 tracking number: a 2-letter service code, 8 digits of ``number`` (mod 10^8),
    the check digit and the country (``"SX12345678" + check + "BR"``)."""
    serial = f"{number % 100_000_000:08d}"
    return f"{service_prefix}{serial}{s10_check_digit(serial)}{country}"


def valid_tracking_number(value: str) -> bool:
    """True for a well-formed S10 number with a correct check digit."""
    if len(value) != 13 or not value[:2].isalpha() or not value[11:].isalpha():
        return False
    serial, check = value[2:10], value[10]
    return serial.isdigit() and check.isdigit() and s10_check_digit(serial) == int(check)
