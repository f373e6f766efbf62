"""Flash sales: sales on sharded stock, purchases that reserve units, the expiry of unpaid
reservations and their claim by a checkout.

A purchase is one DynamoDB transaction: it takes units from one shard (or, when that shard
is short, from several) under ``remaining >= units``, raises the buyer's count under the
per-customer limit, and writes the reservation. So no unit is sold twice and no customer
exceeds the limit, however many purchases race. An expiry or a failed checkout gives the
units back in one transaction conditional on the reservation's status, so exactly once.
"""

from __future__ import annotations

import functools
import json
import random
import time
from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError, UpdateError

from flashsales import domain, settings
from flashsales.schemas import ReservationOut, SaleIn, SaleOut
from flashsales.store import HELD_PARTITIONS, Buyer, RateBucket, Reservation, Sale, Shard, Taken
from titan import clock
from titan.aws import client
from titan.calls import invoke
from titan.dynamo import condition_failed, failed_conditions, get_or_404, transaction
from titan.errors import Conflict, Problem, TooManyRequests, Unprocessable
from titan.events import DomainEvent, publish
from titan.ids import new_id
from titan.observability import count
from titan.saga import StepRefused
from titan.schemas import Money

#: A container re-reads a sale at most this often (seconds); the sale item is the one item
#: every purchase needs, so it is read from memory, not from its hot partition.
SALE_CACHE_SECONDS = 1.0
#: Transactions a purchase tries before it gives up (the first on one random shard).
ATTEMPTS = 4
#: Buyer counts and reservations are kept this long after the sale ends (seconds).
RETENTION_SECONDS = 30 * 86400
_sales: dict[str, tuple[float, Sale]] = {}


def create_sale(sale: Sale) -> Sale:
    """Store a new ``Sale`` (all attributes set but ``shards``) and its shards, sized by
    ``domain.shard_count`` from ``expected_rate``. The shards are written first: a sale is
    never visible without its stock. Returns the sale."""
    sale.shards = domain.shard_count(int(sale.expected_rate), int(sale.quantity))
    ttl = int(clock.parse(sale.ends_at).timestamp()) + RETENTION_SECONDS
    with Shard.batch_write() as batch:
        for k, units in enumerate(domain.split(int(sale.quantity), int(sale.shards))):
            batch.save(Shard(*Shard.key(sale.sale_id, k), remaining=units, ttl=ttl))
    sale.gsi1pk, sale.gsi1sk = "SALES", f"{sale.ends_at}#{sale.sale_id}"
    sale.ttl = ttl
    sale.save(condition=Sale.pk.does_not_exist())
    return sale


def get_sale(sale_id: str, *, cached: bool = False) -> Sale:
    """The sale; with ``cached`` it may be up to ``SALE_CACHE_SECONDS`` old. Raises NotFound
    ``SALE_NOT_FOUND``."""
    hit = _sales.get(sale_id)
    if cached and hit and time.monotonic() - hit[0] < SALE_CACHE_SECONDS:
        return hit[1]
    sale = get_or_404(
        Sale,
        *Sale.key(sale_id),
        code="SALE_NOT_FOUND",
        detail="No such flash sale.",
        consistent=not cached,
    )
    _sales[sale_id] = (time.monotonic(), sale)
    return sale


def open_sales() -> list[Sale]:
    """Sales that have not ended (upcoming and active), soonest end first."""
    return list(Sale.by_gsi1.query("SALES", Sale.gsi1sk >= clock.iso()))


def remaining(sale: Sale, *, consistent: bool = False) -> dict[int, int]:
    """Units left per shard: ``{shard: units}``. The sale's remaining stock is their sum."""
    keys = [Shard.key(sale.sale_id, k) for k in range(int(sale.shards))]
    shards = Shard.batch_get(keys, consistent_read=consistent)
    return {int(s.pk.rsplit("#", 1)[1]): int(s.remaining) for s in shards}


class _ShardShort(Exception):
    pass


class _OverLimit(Exception):
    pass


def reserve(sale_id: str, customer_id: str, quantity: int, reservation_id: str) -> Reservation:
    """Reserve ``quantity`` units of an active sale for ``customer_id`` until the sale's hold
    time has passed. Returns the HELD reservation (``Reservation``).

    Raises Conflict (409) ``SALE_NOT_ACTIVE`` (with ``phase``), ``LIMIT_REACHED`` (with
    ``perCustomerLimit``) or ``SOLD_OUT`` (with ``remaining`` when a few units are left, fewer
    than asked); NotFound ``SALE_NOT_FOUND``.

    The first attempt takes all units from one random shard. If it is short, the shards are
    read (consistently) and the units taken from those that have some, in random order. A
    sale marked sold out (``sold_out_event``) is refused without any write.
    """
    sale = get_sale(sale_id, cached=True)
    now = clock.now()
    current = domain.phase(clock.parse(sale.starts_at), clock.parse(sale.ends_at), now)
    if current != "ACTIVE":
        raise Conflict(
            "This flash sale is not on now.",
            code="SALE_NOT_ACTIVE",
            phase=current,
            startsAt=sale.starts_at,
            endsAt=sale.ends_at,
        )
    limit = int(sale.per_customer_limit)
    if quantity > limit:
        raise _limit_reached(limit)
    if sale.sold_out_at is not None:
        # Refused from memory: after a sell-out most attempts end here, without touching
        # the shards (a sale that gets units back is reopened within SALE_CACHE_SECONDS).
        raise _sold_out(0)
    shards = list(range(int(sale.shards)))
    for attempt in range(ATTEMPTS):
        if attempt == 0:
            taking = {random.choice(shards): quantity}
        else:
            left = remaining(sale, consistent=True)
            random.shuffle(shards)
            taking = domain.allocate(left, quantity, shards)
            if taking is None:
                raise _sold_out(sum(left.values()))
        try:
            return _take(sale, customer_id, quantity, taking, reservation_id, now)
        except _OverLimit:
            raise _limit_reached(limit) from None
        except _ShardShort:
            continue
    raise _sold_out(sum(remaining(sale, consistent=True).values()))


def _take(
    sale: Sale,
    customer_id: str,
    quantity: int,
    taking: dict[int, int],
    reservation_id: str,
    now: datetime,
) -> Reservation:
    at = clock.iso(now)
    expires = clock.iso(now + timedelta(seconds=int(sale.hold_seconds)))
    reservation = Reservation(
        *Reservation.key(reservation_id),
        reservation_id=reservation_id,
        sale_id=sale.sale_id,
        customer_id=customer_id,
        quantity=quantity,
        taken=[Taken(shard=k, units=u) for k, u in sorted(taking.items())],
        status="HELD",
        expires_at=expires,
        gsi1pk=Reservation.held_partition(reservation_id),
        gsi1sk=expires,
        created_at=at,
        updated_at=at,
        ttl=sale.ttl,
    )
    limit = int(sale.per_customer_limit)
    try:
        with transaction() as write:
            write.save(reservation, condition=Reservation.pk.does_not_exist())
            for k, units in sorted(taking.items()):
                write.update(
                    Shard(*Shard.key(sale.sale_id, k)),
                    actions=[Shard.remaining.add(-units)],
                    condition=Shard.remaining >= units,
                )
            write.update(
                Buyer(*Buyer.key(sale.sale_id, customer_id)),
                actions=[Buyer.units.add(quantity), Buyer.ttl.set(sale.ttl)],
                condition=Buyer.units.does_not_exist() | (Buyer.units <= limit - quantity),
            )
    except TransactWriteError as exc:
        failed = failed_conditions(exc)  # 0: the reservation, 1..n: the shards, n + 1: the buyer
        if len(taking) + 1 in failed:
            raise _OverLimit from exc
        if failed and min(failed) >= 1:
            raise _ShardShort from exc
        raise
    return reservation


def _limit_reached(limit: int) -> Conflict:
    count("ReservationsRefused", code="LIMIT_REACHED")
    return Conflict(
        f"At most {limit} units of this sale per customer.",
        code="LIMIT_REACHED",
        perCustomerLimit=limit,
    )


def _sold_out(left: int) -> Conflict:
    count("ReservationsRefused", code="SOLD_OUT")
    extra = {"remaining": left} if left else {}
    return Conflict(
        f"Only {left} units are left." if left else "This flash sale is sold out.",
        code="SOLD_OUT",
        **extra,
    )


def sold_out_event(sale: Sale) -> DomainEvent | None:
    """FlashSaleSoldOut, once per selling out: marks the sale sold out if its shards are all
    empty (read consistently) and it is not marked yet. None otherwise."""
    if sale.sold_out_at is not None or any(remaining(sale, consistent=True).values()):
        return None
    at = clock.iso()
    try:
        sale.update(actions=[Sale.sold_out_at.set(at)], condition=Sale.sold_out_at.does_not_exist())
    except UpdateError as exc:
        if condition_failed(exc):
            return None
        raise
    _sales.pop(sale.sale_id, None)
    return DomainEvent.of(
        "FlashSaleSoldOut",
        {
            "saleId": sale.sale_id,
            "offerId": sale.offer_id,
            "productId": sale.product_id,
            "sellerId": sale.seller_id,
            "quantity": int(sale.quantity),
            "soldOutAt": at,
        },
    )


def get_reservation(reservation_id: str) -> Reservation | None:
    try:
        return Reservation.get(*Reservation.key(reservation_id), consistent_read=True)
    except Reservation.DoesNotExist:
        return None


class NotYetExpired(Exception):
    """The reservation is held for ``seconds`` more."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def expire(reservation_id: str) -> list[DomainEvent]:
    """Give back the units of a HELD reservation whose hold has ended: the reservation
    becomes EXPIRED, its shards get their units back and the buyer's count goes down, in one
    transaction conditional on the status, so it happens once however often it is retried.
    Returns ``[ReservationExpired]``, or ``[]`` when there is nothing to do (unknown, claimed,
    already expired). Raises ``NotYetExpired`` before the hold ends."""
    reservation = get_reservation(reservation_id)
    if reservation is None or reservation.status != "HELD":
        return []
    left = (clock.parse(reservation.expires_at) - clock.now()).total_seconds()
    if left > 0:
        raise NotYetExpired(max(1, int(left + 0.999)))
    return _give_back(reservation, "HELD")


def _give_back(reservation: Reservation, status: str) -> list[DomainEvent]:
    at = clock.iso()
    try:
        with transaction() as write:
            write.update(
                reservation, actions=_unheld("EXPIRED", at), condition=Reservation.status == status
            )
            for taken in reservation.taken:
                write.update(
                    Shard(*Shard.key(reservation.sale_id, int(taken.shard))),
                    actions=[Shard.remaining.add(int(taken.units))],
                    condition=Shard.pk.exists(),
                )
            write.update(
                Buyer(*Buyer.key(reservation.sale_id, reservation.customer_id)),
                actions=[Buyer.units.add(-int(reservation.quantity))],
                condition=Buyer.units >= int(reservation.quantity),
            )
            # the units and the sale's reopening land together: no reader sees units in a
            # sale still marked sold out
            write.update(
                Sale(*Sale.key(reservation.sale_id)),
                actions=[Sale.sold_out_at.remove()],
                condition=Sale.pk.exists(),
            )
    except TransactWriteError as exc:
        if 0 in failed_conditions(exc):
            return []  # another expiry or a claim got there first
        raise
    _sales.pop(reservation.sale_id, None)
    return [
        DomainEvent.of(
            "ReservationExpired",
            {
                "reservationId": reservation.reservation_id,
                "saleId": reservation.sale_id,
                "customerId": reservation.customer_id,
                "quantity": int(reservation.quantity),
                "expiresAt": reservation.expires_at,
            },
        )
    ]


def _unheld(status: str, at: str) -> list:
    """Update actions of a reservation that stops being HELD: its status, and out of the
    expiry index."""
    return [
        Reservation.status.set(status),
        Reservation.updated_at.set(at),
        Reservation.gsi1pk.remove(),
        Reservation.gsi1sk.remove(),
    ]


def due(limit: int = 100) -> list[str]:
    """Ids of HELD reservations whose hold has ended (every GSI1 ``HELD#n`` partition)."""
    ids: list[str] = []
    now = clock.iso()
    for n in range(HELD_PARTITIONS):
        query = Reservation.by_gsi1.query(f"HELD#{n}", Reservation.gsi1sk <= now, limit=limit)
        ids += [reservation.reservation_id for reservation in query]
    return ids


def started_events() -> list[DomainEvent]:
    """FlashSaleStarted for each sale that has started and not been announced (once each:
    ``started_at`` is set under a condition)."""
    events = []
    now = clock.now()
    for sale in open_sales():
        if sale.started_at is not None or clock.parse(sale.starts_at) > now:
            continue
        try:
            sale.update(
                actions=[Sale.started_at.set(clock.iso(now))],
                condition=Sale.started_at.does_not_exist(),
            )
        except UpdateError as exc:
            if condition_failed(exc):
                continue
            raise
        events.append(DomainEvent.of("FlashSaleStarted", sale_data(sale)))
    return events


def sale_data(sale: Sale) -> dict:
    """The sale as events carry it."""
    return {
        "saleId": sale.sale_id,
        "productId": sale.product_id,
        "sellerId": sale.seller_id,
        "offerId": sale.offer_id,
        "title": sale.title,
        "salePrice": int(sale.sale_price),
        "listPrice": int(sale.list_price),
        "currency": sale.currency,
        "quantity": int(sale.quantity),
        "perCustomerLimit": int(sale.per_customer_limit),
        "startsAt": sale.starts_at,
        "endsAt": sale.ends_at,
    }


def claim(reservation_id: str, customer_id: str, checkout_id: str) -> dict:
    """A checkout takes a HELD reservation (once: HELD → CLAIMED under a condition; the same
    checkout may claim again). Returns the line to order at the sale price:
    ``{"lines": [{lineId, productId, sellerId, quantity, salePrice, poolId, flashSaleId}]}``.

    Refuses (``StepRefused``) 404 ``RESERVATION_NOT_FOUND`` (unknown or another customer's),
    409 ``RESERVATION_USED`` (claimed by another checkout), 409 ``RESERVATION_EXPIRED``."""
    reservation = get_reservation(reservation_id)
    if reservation is None or reservation.customer_id != customer_id:
        raise StepRefused("RESERVATION_NOT_FOUND", 404, "No such flash-sale reservation.")
    if reservation.status == "HELD":
        now = clock.iso()
        try:
            reservation.update(
                actions=[*_unheld("CLAIMED", now), Reservation.checkout_id.set(checkout_id)],
                condition=(Reservation.status == "HELD") & (Reservation.expires_at > now),
            )
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
            reservation.refresh(consistent_read=True)
    if reservation.status == "CLAIMED" and reservation.checkout_id != checkout_id:
        raise StepRefused("RESERVATION_USED", 409, "This reservation was used by another checkout.")
    if reservation.status != "CLAIMED":
        raise StepRefused("RESERVATION_EXPIRED", 409, "This reservation has expired.")
    sale = get_sale(reservation.sale_id)
    return {
        "lines": [
            {
                "lineId": "fl_" + reservation_id.split("_", 1)[1],
                "productId": sale.product_id,
                "sellerId": sale.seller_id,
                **({"skuId": sale.sku_id} if sale.sku_id else {}),
                "quantity": int(reservation.quantity),
                "salePrice": int(sale.sale_price),
                "poolId": sale.pool_id,
                "flashSaleId": sale.sale_id,
            }
        ]
    }


def unclaim(reservation_id: str, checkout_id: str) -> list[DomainEvent]:
    """Compensation of ``claim``: the failed checkout gives the reservation back, HELD again
    until its hold ends, or EXPIRED (units back) if it has ended. Idempotent; a reservation
    this checkout does not hold is left alone."""
    reservation = get_reservation(reservation_id)
    if (
        reservation is None
        or reservation.status != "CLAIMED"
        or reservation.checkout_id != checkout_id
    ):
        return []
    if clock.parse(reservation.expires_at) <= clock.now():
        return _give_back(reservation, "CLAIMED")
    try:
        reservation.update(
            actions=[
                Reservation.status.set("HELD"),
                Reservation.checkout_id.remove(),
                Reservation.updated_at.set(clock.iso()),
                Reservation.gsi1pk.set(Reservation.held_partition(reservation_id)),
                Reservation.gsi1sk.set(reservation.expires_at),
            ],
            condition=(Reservation.status == "CLAIMED") & (Reservation.checkout_id == checkout_id),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
    return []


def limit(scope: str, subject: str, bucket: domain.Bucket, attempts: int = 3) -> None:
    """Take a token from ``subject``'s bucket in ``scope``. One conditional UpdateItem in the
    common cases: a busy bucket (``tat`` within the tolerance ahead of now) moves ``tat`` on
    by one interval; an idle one (no ``tat``, or in the past) sets it to now + interval. When
    both conditions fail the bucket is read: empty, or changed in between (tried again).

    Raises TooManyRequests ``RATE_LIMITED`` with ``Retry-After`` (seconds) when the bucket is
    empty, or when it keeps changing for ``attempts`` tries."""
    item = RateBucket(*RateBucket.key(scope, subject))
    for _ in range(attempts):
        now = clock.now().timestamp()
        ttl = int(now + bucket.tolerance) + 3600
        busy = (RateBucket.tat >= now) & (RateBucket.tat <= now + bucket.tolerance)
        idle = RateBucket.tat.does_not_exist() | (RateBucket.tat < now)
        for actions, condition in (
            ([RateBucket.tat.add(bucket.interval)], busy),
            ([RateBucket.tat.set(now + bucket.interval)], idle),
        ):
            try:
                item.update(actions=[*actions, RateBucket.ttl.set(ttl)], condition=condition)
                return
            except UpdateError as exc:
                if not condition_failed(exc):
                    raise
        item.refresh(consistent_read=True)
        allowed, _, wait = bucket.take(float(item.tat), now)
        if not allowed:
            raise _rate_limited(wait)
    raise _rate_limited(1)


def _rate_limited(seconds: int) -> TooManyRequests:
    return TooManyRequests(
        f"Too many purchase attempts; retry in {seconds} s.",
        headers={"Retry-After": str(seconds)},
        retryAfter=seconds,
    )


#: SQS delays a message by at most 15 minutes.
MAX_DELAY_SECONDS = 900


def schedule_expiry(reservation_id: str, delay_seconds: int) -> None:
    """Queue the expiry of ``reservation_id`` in ``delay_seconds`` (capped at 15 minutes; a
    longer hold is re-queued when the message arrives)."""
    client("sqs").send_message(
        QueueUrl=settings.SETTINGS.needed("expiry_queue_url"),
        MessageBody=json.dumps({"reservationId": reservation_id}),
        DelaySeconds=max(0, min(MAX_DELAY_SECONDS, delay_seconds)),
    )


# ------------------------------------------------------------------ the API's use cases

#: Rate limits of the purchase route: a customer may try 5 times at once and then once a
#: second; all the customers behind one IP address (a NAT) ``flash_ip_rate`` times a second
#: (the deployment's FlashSaleIpRate), with a burst of three seconds' worth.
CUSTOMER_LIMIT = domain.Bucket(rate=1, burst=5)


def ip_limit() -> domain.Bucket:
    rate = settings.SETTINGS.flash_ip_rate
    return domain.Bucket(rate=rate, burst=max(1, int(3 * rate)))


def sale_view(sale: Sale, left: int | None = None) -> SaleOut:
    """The sale as the API shows it; ``left``: the units remaining, if known already."""
    now = clock.now()
    starts, ends = clock.parse(sale.starts_at), clock.parse(sale.ends_at)
    money = functools.partial(Money.of, currency=sale.currency)
    return SaleOut(
        saleId=sale.sale_id,
        productId=sale.product_id,
        sellerId=sale.seller_id,
        skuId=sale.sku_id,
        offerId=sale.offer_id,
        title=sale.title,
        salePrice=money(sale.sale_price),
        listPrice=money(sale.list_price),
        quantity=int(sale.quantity),
        remaining=sum(remaining(sale).values()) if left is None else left,
        perCustomerLimit=int(sale.per_customer_limit),
        startsAt=starts,
        endsAt=ends,
        phase=domain.phase(starts, ends, now),
        secondsToStart=max(0, int((starts - now).total_seconds())),
        secondsToEnd=max(0, int((ends - now).total_seconds())),
        holdSeconds=int(sale.hold_seconds),
        shards=int(sale.shards),
    )


def create(body: SaleIn, actor: str) -> dict:
    """Set the units aside in inventory, then store the sale; the pool is given back if the
    sale can't be stored. ``{"status": 201, "body": SaleOut}``; Problems as the route says."""
    if body.endsAt <= clock.now():
        raise Unprocessable("The sale would be over already.", code="SALE_WINDOW_INVALID")
    line = {"productId": body.productId, "sellerId": body.sellerId, "quantity": body.quantity}
    if body.skuId:
        line["skuId"] = body.skuId
    quoted = invoke("CATALOG_STEPS_FUNCTION", "quote", {"lines": [line]})
    offer = quoted["lines"][0]
    if body.salePrice >= offer["unitPrice"]:
        raise Unprocessable(
            "The sale price must be below the offer's price.",
            code="SALE_PRICE_NOT_LOWER",
            listPrice=offer["unitPrice"],
        )
    sale_id = new_id("fs")
    pool_id = "fsp_" + sale_id.split("_", 1)[1]
    # The pool outlives the sale by the longest a reservation and its checkout can take.
    reservation = int((body.endsAt - clock.now()).total_seconds()) + body.holdSeconds + 3600
    invoke(
        "INVENTORY_STEPS_FUNCTION",
        "reserve",
        {
            "reservationId": pool_id,
            "lines": [{"offerId": offer["offerId"], "quantity": body.quantity}],
            "holdSeconds": reservation,
            "pool": True,
        },
    )
    sale = Sale(
        *Sale.key(sale_id),
        sale_id=sale_id,
        product_id=body.productId,
        seller_id=body.sellerId,
        sku_id=body.skuId,
        offer_id=offer["offerId"],
        title=offer["title"],
        list_price=offer["unitPrice"],
        sale_price=body.salePrice,
        currency=quoted["currency"],
        quantity=body.quantity,
        per_customer_limit=body.perCustomerLimit,
        starts_at=clock.iso(body.startsAt),
        ends_at=clock.iso(body.endsAt),
        hold_seconds=body.holdSeconds,
        expected_rate=body.expectedRate,
        pool_id=pool_id,
        created_by=actor,
        created_at=clock.iso(),
    )
    try:
        create_sale(sale)
    except Exception:
        invoke(
            "INVENTORY_STEPS_FUNCTION",
            "release",
            {"reservationId": pool_id, "reason": "SALE_NOT_CREATED"},
        )
        raise
    return {"status": 201, "body": sale_view(sale, body.quantity).model_dump(mode="json")}


def purchase(sale_id: str, customer_id: str, quantity: int) -> dict:
    """Reserve, then queue the expiry; ``{"status": 201, "body": ReservationOut}``. A refusal
    is kept as the key's answer too: ``{"status": 409, "body": problem}``."""
    try:
        reservation = reserve(sale_id, customer_id, quantity, new_id("fsr"))
    except Problem as refused:
        if refused.code == "SOLD_OUT":
            sale = get_sale(sale_id, cached=True)
            event = sold_out_event(sale)
            publish([event] if event else [])
        if refused.status >= 500:
            raise
        return {"status": refused.status, "body": refused.body()}
    sale = get_sale(sale_id, cached=True)
    schedule_expiry(reservation.reservation_id, int(sale.hold_seconds))
    out = ReservationOut(
        reservationId=reservation.reservation_id,
        saleId=sale_id,
        quantity=int(reservation.quantity),
        unitPrice=Money.of(sale.sale_price, sale.currency),
        status=reservation.status,
        expiresAt=clock.parse(reservation.expires_at),
    )
    return {"status": 201, "body": out.model_dump(mode="json")}
