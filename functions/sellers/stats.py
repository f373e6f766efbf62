"""The seller dashboard: figures kept from events, read per day, week or month, and
recounted from the records.

Every figure belongs to the day its order was placed (America/Sao_Paulo, Brazil's business
day): an order placed on the 3rd and cancelled on the 5th counts as a cancellation of the
3rd's orders, so each rate is a share of the same orders (cancelled / orders, returned /
orders, late / handed over).

- OrderPlaced: per seller of its lines, GMV (unit price x quantity, minor units, freight and
  discounts aside), one order, its units; per product, units and GMV. The order's part per
  seller is kept (``OrderStats``) for its later events.
- OrderCancelled: each of its sellers' ``cancelled`` (once per order).
- ReturnRequested (a RETURN): each seller of the returned lines' ``returned`` (once per order
  and seller, however many returns).
- ShipmentStatusChanged to HANDED_OVER: ``handed_over``; ShipmentLate: ``late`` (once per
  order and seller).
- RatingChanged of a seller: its stars (the newest ``sequence`` kept).
- ChatMessageSent: a buyer's message that starts a wait for the seller counts a chat (on its
  day); the seller's next message ends the wait, answered in time within 12 hours. The
  response rate is answered / chats (the shop page shows the last 90 days').

Each event is applied in one transaction with an ``EVENT#<eventId>`` item conditioned on not
existing, so a redelivery, a replay or a retry after a crash counts nothing twice, and the
figures equal a recount from the records (``recount``: orders, units, GMV and cancellations
from the orders context's records; returns and hand-overs from the per-order facts).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pynamodb.exceptions import PutError, TransactWriteError

from sellers.store import Applied, ChatWait, OrderStats, ProductDay, SellerDay, SellerRating
from titan import clock
from titan.calls import invoke
from titan.dynamo import condition_failed, failed_conditions, transaction
from titan.errors import BadRequest

ZONE = ZoneInfo("America/Sao_Paulo")
MAX_DAYS = 366
TOP_PRODUCTS = 5
COUNTERS = (
    "gmv",
    "orders",
    "units",
    "cancelled",
    "returned",
    "handed_over",
    "late",
    "chats",
    "chats_answered",
)
#: A buyer's chat counts as answered when the seller answers within this (Shopee's rule for
#: its response rate: new chats answered within 12 hours).
ANSWER_SECONDS = 12 * 3600
#: The shop page's response rate covers the chats of the last this many days.
RESPONSE_DAYS = 90


class NotYetPlaced(RuntimeError):
    """An order's later event arrived before its OrderPlaced was applied: retried (SQS)."""


def day_of(instant: str) -> str:
    """The Brazilian business day (``YYYY-MM-DD``, America/Sao_Paulo) of an ISO instant."""
    return clock.parse(instant).astimezone(ZONE).date().isoformat()


APPLIED, SEEN, STALE = "APPLIED", "SEEN", "STALE"


def _apply(event_id: str, build) -> str:
    """Run ``build(write)`` in a transaction with the event's Applied item. APPLIED; SEEN
    when the event was applied before; STALE when a condition of ``build`` failed (what it
    read changed, or there is nothing left to count)."""
    applied = Applied(*Applied.key(event_id))
    try:
        with transaction() as write:
            write.save(applied, condition=Applied.pk.does_not_exist())
            build(write)
    except TransactWriteError as exc:
        if not failed_conditions(exc):
            raise
        try:
            applied.refresh(consistent_read=True)
        except Applied.DoesNotExist:
            return STALE
        return SEEN
    return APPLIED


def placed(event_id: str, order: dict, occurred_at: str) -> str:
    """OrderPlaced ``data``: the order's figures per seller and product, on the day it was
    made (``createdAt``, else when the event occurred)."""
    day = day_of(order.get("createdAt") or occurred_at)
    sellers: dict[str, dict[str, int]] = defaultdict(lambda: {"gmv": 0, "units": 0})
    products: dict[tuple[str, str], dict[str, Any]] = {}
    for line in order["lines"]:
        amount = int(line["unitPrice"]["amount"]) * int(line["quantity"])
        part = sellers[line["sellerId"]]
        part["gmv"] += amount
        part["units"] += int(line["quantity"])
        product = products.setdefault(
            (line["sellerId"], line["productId"]), {"gmv": 0, "units": 0, "title": line["title"]}
        )
        product["gmv"] += amount
        product["units"] += int(line["quantity"])

    def build(write) -> None:
        write.save(
            OrderStats(*OrderStats.key(order["orderId"]), day=day, sellers=dict(sellers)),
            condition=OrderStats.pk.does_not_exist(),
        )
        for seller_id, part in sellers.items():
            write.update(
                SellerDay(*SellerDay.key(seller_id, day)),
                actions=[
                    SellerDay.day.set(day),
                    SellerDay.gmv.add(part["gmv"]),
                    SellerDay.orders.add(1),
                    SellerDay.units.add(part["units"]),
                ],
            )
        for (seller_id, product_id), part in products.items():
            write.update(
                ProductDay(*ProductDay.key(seller_id, day, product_id)),
                actions=[
                    ProductDay.product_id.set(product_id),
                    ProductDay.title.set(part["title"] or product_id),
                    ProductDay.gmv.add(part["gmv"]),
                    ProductDay.units.add(part["units"]),
                ],
            )

    return _apply(event_id, build)


def _facts(order_id: str) -> OrderStats:
    try:
        return OrderStats.get(*OrderStats.key(order_id), consistent_read=True)
    except OrderStats.DoesNotExist as exc:
        raise NotYetPlaced(order_id) from exc


def cancelled(event_id: str, order_id: str) -> str:
    """OrderCancelled: a cancellation for each of the order's sellers, once (STALE: it was
    counted already)."""
    facts = _facts(order_id)

    def build(write) -> None:
        write.update(
            facts,
            actions=[OrderStats.cancelled.set(True)],
            condition=OrderStats.cancelled == False,  # noqa: E712 (a condition, not a test)
        )
        for seller_id in facts.sellers:
            write.update(
                SellerDay(*SellerDay.key(seller_id, facts.day)),
                actions=[SellerDay.cancelled.add(1)],
            )

    return _apply(event_id, build)


def _flagged(event_id: str, order_id: str, seller_ids: set[str], flag: str) -> str:
    """Count ``flag`` (returned, handed_over, late) once per order and seller, conditioned
    on the sellers not counted yet as read (read again if that changed meanwhile)."""
    attribute = getattr(OrderStats, flag)
    for _ in range(5):
        facts = _facts(order_id)
        done = getattr(facts, flag) or set()
        fresh = sorted(s for s in seller_ids if s in facts.sellers and s not in done)
        if not fresh:
            return SEEN

        def build(write, facts=facts, fresh=fresh) -> None:
            condition = OrderStats.pk.exists()
            for seller_id in fresh:
                condition &= ~attribute.contains(seller_id)
            write.update(facts, actions=[attribute.add(set(fresh))], condition=condition)
            for seller_id in fresh:
                write.update(
                    SellerDay(*SellerDay.key(seller_id, facts.day)),
                    actions=[getattr(SellerDay, flag).add(1)],
                )

        outcome = _apply(event_id, build)
        if outcome != STALE:
            return outcome
    raise RuntimeError(f"the facts of {order_id} kept changing")


def returned(event_id: str, order_id: str, seller_ids: set[str]) -> str:
    """ReturnRequested (a RETURN): the order returned, for the sellers of its lines."""
    return _flagged(event_id, order_id, seller_ids, "returned")


def handed_over(event_id: str, order_id: str, seller_id: str) -> str:
    return _flagged(event_id, order_id, {seller_id}, "handed_over")


def late(event_id: str, order_id: str, seller_id: str) -> str:
    return _flagged(event_id, order_id, {seller_id}, "late")


def rated(seller_id: str, average: float | None, count: int, sequence: int) -> bool:
    """RatingChanged of a seller: kept unless a newer one is."""
    item = SellerRating(
        *SellerRating.key(seller_id), average=average, count=count, sequence=sequence
    )
    try:
        item.save(
            condition=SellerRating.sequence.does_not_exist() | (SellerRating.sequence < sequence)
        )
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def chatted(event_id: str, conversation_id: str, seller_id: str, side: str, at: str) -> str:
    """ChatMessageSent: a buyer's message starts a wait (and counts a chat) unless one is
    on; the seller's ends it, answered in time if within ANSWER_SECONDS."""
    if side == "BUYER":

        def wait(write) -> None:
            write.save(
                ChatWait(*ChatWait.key(conversation_id), seller_id=seller_id, since=at),
                condition=ChatWait.pk.does_not_exist(),
            )
            write.update(
                SellerDay(*SellerDay.key(seller_id, day_of(at))),
                actions=[SellerDay.day.set(day_of(at)), SellerDay.chats.add(1)],
            )

        return _apply(event_id, wait)
    try:
        waiting = ChatWait.get(*ChatWait.key(conversation_id), consistent_read=True)
    except ChatWait.DoesNotExist:
        return SEEN
    in_time = (clock.parse(at) - clock.parse(waiting.since)).total_seconds() <= ANSWER_SECONDS

    def answer(write) -> None:
        write.delete(waiting, condition=ChatWait.since == waiting.since)
        if in_time:
            write.update(
                SellerDay(*SellerDay.key(seller_id, day_of(waiting.since))),
                actions=[SellerDay.chats_answered.add(1)],
            )

    return _apply(event_id, answer)


def response_rate(seller_id: str, today: date | None = None) -> float | None:
    """Chats answered in time / chats of the last RESPONSE_DAYS days; None without chats."""
    end = today or datetime.now(ZONE).date()
    start = end - timedelta(days=RESPONSE_DAYS - 1)
    chats = answered = 0
    for item in SellerDay.between(seller_id, start.isoformat(), end.isoformat()):
        chats += int(item.chats or 0)
        answered += int(item.chats_answered or 0)
    return round(answered / chats, 4) if chats else None


# ------------------------------------------------------------------ reading


def window(start: date, end: date) -> None:
    """Raises BadRequest INVALID_RANGE unless ``start`` <= ``end`` within MAX_DAYS."""
    if end < start or (end - start).days >= MAX_DAYS:
        raise BadRequest(
            f"from must not be after to, at most {MAX_DAYS} days apart.", code="INVALID_RANGE"
        )


def _period(day: str, interval: str) -> str:
    moment = date.fromisoformat(day)
    if interval == "week":  # ISO weeks start on Monday
        return (moment - timedelta(days=moment.weekday())).isoformat()
    if interval == "month":
        return moment.replace(day=1).isoformat()
    return day


def _rates(total: dict[str, int]) -> dict[str, Any]:
    share = lambda part, whole: round(part / whole, 4) if whole else None  # noqa: E731
    return {
        "gmv": total["gmv"],
        "orders": total["orders"],
        "units": total["units"],
        "averageOrderValue": total["gmv"] // total["orders"] if total["orders"] else None,
        "cancelled": total["cancelled"],
        "cancellationRate": share(total["cancelled"], total["orders"]),
        "returned": total["returned"],
        "returnRate": share(total["returned"], total["orders"]),
        "handedOver": total["handed_over"],
        "late": total["late"],
        "lateHandoverRate": share(total["late"], total["handed_over"]),
        "chats": total["chats"],
        "chatsAnswered": total["chats_answered"],
        "responseRate": share(total["chats_answered"], total["chats"]),
    }


def dashboard(seller_id: str, start: date, end: date, interval: str) -> dict[str, Any]:
    """The seller's figures for orders placed from ``start`` to ``end`` (days, inclusive):
    totals with their rates, a series per ``interval`` (day, week, month), the top products
    by GMV and the seller's stars. Money in BRL minor units."""
    window(start, end)
    days = SellerDay.between(seller_id, start.isoformat(), end.isoformat())
    total = dict.fromkeys(COUNTERS, 0)
    series: dict[str, dict[str, int]] = {}
    for item in days:
        bucket = series.setdefault(_period(item.day, interval), dict.fromkeys(COUNTERS, 0))
        for name in COUNTERS:
            total[name] += int(getattr(item, name) or 0)
            bucket[name] += int(getattr(item, name) or 0)
    products: dict[str, dict[str, Any]] = {}
    for item in ProductDay.query(
        f"STATS#{seller_id}#PRODUCTS",
        ProductDay.sk.between(f"DAY#{start.isoformat()}#", f"DAY#{end.isoformat()}#~"),
    ):
        kept = products.setdefault(
            item.product_id, {"productId": item.product_id, "title": item.title, "gmv": 0,
                              "units": 0},
        )  # fmt: skip
        kept["gmv"] += int(item.gmv)
        kept["units"] += int(item.units)
    top = sorted(products.values(), key=lambda p: (-p["gmv"], -p["units"], p["productId"]))
    try:
        stars = SellerRating.get(*SellerRating.key(seller_id))
        rating = {"average": stars.average, "count": int(stars.count)}
    except SellerRating.DoesNotExist:
        rating = {"average": None, "count": 0}
    return {
        "sellerId": seller_id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "interval": interval,
        "currency": "BRL",
        "totals": _rates(total),
        "series": [
            {"period": period, **_rates(values)} for period, values in sorted(series.items())
        ],
        "topProducts": top[:TOP_PRODUCTS],
        "rating": rating,
    }


def _instant(day: date) -> str:
    return clock.iso(datetime.combine(day, time(0), ZONE))


def recount(seller_id: str, start: date, end: date) -> dict[str, int]:
    """The dashboard's totals counted again from the records: orders, units, GMV and
    cancellations from the orders context's orders (``sellerOrders``), returns and
    hand-overs from the per-order facts. ``{gmv, orders, units, cancelled, returned,
    handed_over, late}``."""
    window(start, end)
    found = invoke(
        "ORDERS_STEPS_FUNCTION",
        "sellerOrders",
        {"sellerId": seller_id, "from": _instant(start), "to": _instant(end + timedelta(days=1))},
    )["orders"]
    total = dict.fromkeys(COUNTERS, 0)
    facts = {
        f.pk.removeprefix("STATSORDER#"): f
        for f in OrderStats.batch_get([OrderStats.key(o["orderId"]) for o in found])
    }
    for order in found:
        total["orders"] += 1
        total["units"] += sum(line["quantity"] for line in order["lines"])
        total["gmv"] += sum(line["quantity"] * line["unitPrice"] for line in order["lines"])
        total["cancelled"] += order["status"] == "CANCELLED"
        kept = facts.get(order["orderId"])
        for flag in ("returned", "handed_over", "late"):
            total[flag] += bool(kept and seller_id in (getattr(kept, flag) or set()))
    return total
