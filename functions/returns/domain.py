"""Return rules, pure: the return window, what a return refunds and whose money it is, and
which returns are approved without a person.

A refund is the difference of what the returned units are worth before and after this
return (``worth``), so partial returns add up exactly to the order's total when everything
comes back, and rounding never refunds a centavo more than was paid:

- items: unit price x quantity returned;
- freight: the line's freight in proportion to the units returned (rounded down);
- the coupon discount: in proportion to the items' value returned (rounded down); it goes
  back to the platform, which paid for it, not to the buyer;
- every unit of the order returned: exactly the order's total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Line:
    """An order line: ``freight`` is the whole line's (minor units), as orders keep it."""

    line_id: str
    seller_id: str
    offer_id: str
    quantity: int
    unit_price: int
    freight: int


@dataclass(frozen=True)
class Worth:
    """``amount`` refunded to the buyer; ``by_seller`` {sellerId: {items, freight}} the
    sellers' part; ``discount``: the coupon's part (to the platform). amount = sum - discount."""

    amount: int
    by_seller: dict[str, dict[str, int]] = field(default_factory=dict)
    discount: int = 0


def worth(lines: list[Line], discount: int, returned: dict[str, int]) -> Worth:
    """What ``returned`` {lineId: units} of the order are worth (see the module docstring)."""
    everything = all(returned.get(line.line_id, 0) >= line.quantity for line in lines)
    by_seller: dict[str, dict[str, int]] = {}
    items_total = 0
    for line in lines:
        units = line.quantity if everything else min(returned.get(line.line_id, 0), line.quantity)
        if not units:
            continue
        part = by_seller.setdefault(line.seller_id, {"items": 0, "freight": 0})
        part["items"] += units * line.unit_price
        part["freight"] += line.freight * units // line.quantity
        items_total += units * line.unit_price
    subtotal = sum(line.quantity * line.unit_price for line in lines)
    off = discount if everything or not subtotal else discount * items_total // subtotal
    amount = sum(p["items"] + p["freight"] for p in by_seller.values()) - off
    return Worth(amount, by_seller, off)


def refund_for(
    lines: list[Line], discount: int, before: dict[str, int], now: dict[str, int]
) -> Worth:
    """The refund of returning ``now`` {lineId: units} after ``before`` were returned."""
    after = {k: before.get(k, 0) + now.get(k, 0) for k in set(before) | set(now)}
    a, b = worth(lines, discount, after), worth(lines, discount, before)
    by_seller = {}
    for seller, part in a.by_seller.items():
        was = b.by_seller.get(seller, {"items": 0, "freight": 0})
        diff = {k: part[k] - was[k] for k in ("items", "freight")}
        if diff["items"] or diff["freight"]:
            by_seller[seller] = diff
    return Worth(a.amount - b.amount, by_seller, a.discount - b.discount)


def window_closes(delivered_at: datetime, days: int) -> datetime:
    """The end of the return window: ``days`` after delivery."""
    return delivered_at + timedelta(days=days)


def auto_approved(amount: int, limit: int) -> bool:
    """Small returns are approved by rule, without waiting for the seller (``limit`` in minor
    units; 0 turns it off)."""
    return 0 < amount <= limit
