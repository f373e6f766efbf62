"""Order rules: creation by the checkout saga, the lifecycle and its events.

Status moves are conditional writes (``version`` and the current status), so two concurrent
moves cannot both win. Each move is appended to ``history`` with its time and reason.
"""

from __future__ import annotations

import functools

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from orders.store import (
    CANCELLED,
    CONFIRMED,
    DELIVERED,
    NEXT,
    PARTIALLY_SHIPPED,
    PENDING_PAYMENT,
    SHIPPED,
    Order,
    SellerOrder,
)
from titan import clock
from titan.auth import Principal
from titan.dynamo import condition_failed, get_or_404, transaction
from titan.errors import Conflict, Forbidden, NotFound
from titan.events import DomainEvent, publish
from titan.ids import derived_id
from titan.paging import page_start
from titan.saga import StepRefused


class StatusConflict(Exception):
    """The order is not in a status that allows the move."""


def get(order_id: str) -> Order:
    """The order. Raises NotFound ORDER_NOT_FOUND."""
    return get_or_404(Order, *Order.key(order_id), code="ORDER_NOT_FOUND", detail="No such order.")


def create(event: dict) -> Order:
    """A PENDING_PAYMENT order from the saga's state (``orderId``, ``checkoutId``,
    ``customerId``, ``contact``, ``lines`` quoted with the freight each bears
    (``lineFreight``), ``packages`` as shipping's ``ship`` step chose them, ``pricing``,
    ``payments``). Idempotent; refuses
    409 CHECKOUT_ALREADY_FAILED when the saga already cancelled this order id."""
    now = clock.iso()
    pricing = event["pricing"]
    lines = [
        {
            "lineId": f"{event['orderId']}-{i + 1}",
            "cartLineId": line.get("lineId"),
            "productId": line["productId"],
            "sellerId": line["sellerId"],
            "offerId": line["offerId"],
            "title": line.get("title"),
            "quantity": int(line["quantity"]),
            "unitPrice": int(line["unitPrice"]),
            "freight": (
                int(line["lineFreight"])
                if line.get("lineFreight") is not None
                else int(line["freight"]) * int(line["quantity"])
            ),
        }
        for i, line in enumerate(event["lines"])
    ]
    line_ids = {
        line.get("lineId"): f"{event['orderId']}-{i + 1}" for i, line in enumerate(event["lines"])
    }
    packages = [
        {
            **package,
            "packageId": derived_id("pkg", event["orderId"], package["sellerId"]),
            "lineIds": [line_ids[line_id] for line_id in package["lineIds"]],
        }
        for package in event.get("packages") or []
    ]
    order = Order(
        *Order.key(event["orderId"]),
        gsi1pk=f"CUSTOMER#{event['customerId']}",
        gsi1sk=f"{now}#{event['orderId']}",
        order_id=event["orderId"],
        checkout_id=event["checkoutId"],
        reservation_id=event["checkoutId"],
        customer_id=event["customerId"],
        status=PENDING_PAYMENT,
        currency=pricing["currency"],
        subtotal=int(pricing["subtotal"]),
        freight=int(pricing["freight"]),
        discount=int(pricing["discount"]),
        discount_funded_by=pricing.get("discountFundedBy"),
        total=int(pricing["total"]),
        coupon_code=pricing.get("couponCode"),
        lines=lines,
        packages=packages,
        payments=event["payments"],
        contact=event.get("contact"),
        history=[{"status": PENDING_PAYMENT, "at": now}],
        seller_ids={line["sellerId"] for line in lines},
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction() as write:
            write.save(order, condition=Order.pk.does_not_exist())
            for seller in order.seller_ids:
                write.save(
                    SellerOrder(
                        *SellerOrder.key(seller, now, order.order_id), order_id=order.order_id
                    )
                )
    except TransactWriteError as exc:
        existing = Order.get(*Order.key(event["orderId"]), consistent_read=True)
        if existing.checkout_id is None or existing.status == CANCELLED:
            raise StepRefused(
                "CHECKOUT_ALREADY_FAILED", 409, "This checkout was already given up."
            ) from exc
        return existing
    order.version = 1
    return order


def move(order: Order, status: str, reason: str | None = None, **changes) -> bool:
    """Move ``order`` to ``status`` (lifecycle ``NEXT``), recording ``reason``. False if it is
    already there; raises ``StatusConflict`` if the lifecycle does not allow it. Re-reads and
    retries when another writer changed the order meanwhile."""
    for _ in range(5):
        if order.status == status:
            return False
        if status not in NEXT[order.status]:
            raise StatusConflict(f"{order.status} -> {status}")
        now = clock.iso()
        entry = {"status": status, "at": now, **({"reason": reason} if reason else {})}
        before = order.status
        try:
            order.update(
                actions=[
                    Order.status.set(status),
                    Order.updated_at.set(now),
                    Order.history.set([*order.history, entry]),
                    *[getattr(Order, k).set(v) for k, v in changes.items()],
                ],
                condition=Order.status == before,
            )
            return True
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
            order.refresh(consistent_read=True)
    raise RuntimeError(f"order {order.order_id} kept changing")


def set_payment(order: Order, payment: dict) -> None:
    """Record a payment's new state (``payment``: the payments context's view) in the order."""
    for _ in range(5):
        payments = [
            payment if p["paymentId"] == payment["paymentId"] else p for p in order.payments
        ]
        if payments == order.payments:
            return
        try:
            order.update(actions=[Order.payments.set(payments), Order.updated_at.set(clock.iso())])
            return
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
            order.refresh(consistent_read=True)


def compensate(order_id: str, reason: str) -> None:
    """The saga's compensation: the order is CANCELLED (or, if it was never written, a
    CANCELLED tombstone keeps a late create from making it). Publishes nothing: the saga
    undoes the rest itself."""
    try:
        order = Order.get(*Order.key(order_id), consistent_read=True)
    except Order.DoesNotExist:
        now = clock.iso()
        try:
            Order(
                *Order.key(order_id),
                order_id=order_id,
                status=CANCELLED,
                created_at=now,
                updated_at=now,
            ).save(condition=Order.pk.does_not_exist())
            return
        except PutError:
            order = Order.get(*Order.key(order_id), consistent_read=True)
    if order.status != CANCELLED:
        move(order, CANCELLED, reason)


def _money(amount, currency: str) -> dict:
    return {"amount": int(amount), "currency": currency}


def _package_view(package: dict, currency: str) -> dict:
    return {
        key: package.get(key)
        for key in ("packageId", "sellerId", "lineIds", "service", "carrier", "promisedBy")
    } | {"freight": _money(package["freight"], currency)}


def view(order: Order) -> dict:
    """The API and event shape of an order."""
    m = functools.partial(_money, currency=order.currency)
    return {
        "orderId": order.order_id,
        "customerId": order.customer_id,
        "status": order.status,
        "lines": [
            {**line, "unitPrice": m(line["unitPrice"]), "freight": m(line["freight"])}
            for line in order.lines
        ],
        "totals": {
            "subtotal": m(order.subtotal),
            "freight": m(order.freight),
            "discount": m(order.discount),
            "total": m(order.total),
        },
        "couponCode": order.coupon_code,
        "payments": order.payments,
        "refunds": [{**r, "amount": m(r["amount"])} for r in order.refunds or []],
        "receiptConfirmedAt": order.receipt_confirmed_at,
        "shippingAddress": (order.contact or {}).get("address"),
        "packages": [_package_view(package, order.currency) for package in order.packages or []],
        "statusHistory": order.history,
        "createdAt": order.created_at,
        "updatedAt": order.updated_at,
    }


#: Statuses in which a seller still has to get the parcel to the buyer: the address is shown.
SHIPPING_STATUSES = frozenset({"CONFIRMED", "PARTIALLY_SHIPPED", "SHIPPED"})


def seller_view(order: Order, seller_id: str) -> dict:
    """What one seller of a (possibly multi-seller) order may see of it: their own lines and
    the totals of those lines, their refunds, the status and its history, and the shipping
    address only while they have a parcel to ship (``SHIPPING_STATUSES``). Never the buyer,
    the payments, the coupon, another seller's lines or prices."""
    full = view(order)
    mine = [line for line in full["lines"] if line["sellerId"] == seller_id]
    line_ids = {line["lineId"] for line in mine}
    items = sum(line["unitPrice"]["amount"] * line["quantity"] for line in mine)
    freight = sum(line["freight"]["amount"] for line in mine)
    m = functools.partial(_money, currency=order.currency)
    return {
        **full,
        "customerId": None,
        "lines": mine,
        "totals": {
            "subtotal": m(items),
            "freight": m(freight),
            "discount": m(0),
            "total": m(items + freight),
        },
        "couponCode": None,
        "packages": [p for p in full["packages"] if p["sellerId"] == seller_id],
        "payments": [],
        "refunds": [
            r
            for r in full["refunds"]
            if r.get("lines") and {line.get("lineId") for line in r["lines"]} <= line_ids
        ],
        "shippingAddress": full["shippingAddress"] if order.status in SHIPPING_STATUSES else None,
    }


def placed_event(order: Order) -> DomainEvent:
    """OrderPlaced, once per order: its event id follows from the order id, so consumers
    drop a repeat (a retried step)."""
    data = {
        "orderId": order.order_id,
        "checkoutId": order.checkout_id,
        "customerId": order.customer_id,
        "customerEmail": (order.contact or {}).get("email"),
        "customerName": (order.contact or {}).get("name"),
        "status": order.status,
        "lines": [
            {
                k: line[k]
                for k in (
                    "lineId",
                    "cartLineId",
                    "productId",
                    "sellerId",
                    "offerId",
                    "quantity",
                    "title",
                )
            }
            | {
                "unitPrice": {"amount": line["unitPrice"], "currency": order.currency},
                "freight": {"amount": line["freight"], "currency": order.currency},
            }
            for line in order.lines
        ],
        "discount": {"amount": int(order.discount), "currency": order.currency},
        "discountFundedBy": order.discount_funded_by,
        "createdAt": order.created_at,
        "total": {"amount": int(order.total), "currency": order.currency},
        "packages": order.packages or [],
        "shipTo": (order.contact or {}).get("address"),
        "payments": [
            {k: p[k] for k in ("paymentId", "method", "amount", "installments", "status")}
            for p in order.payments
        ],
    }
    return DomainEvent.of("OrderPlaced", data, event_id="evt_" + order.order_id.split("_", 1)[1])


def status_event(
    order: Order,
    detail_type: str,
    reason: str | None = None,
    previous: str | None = None,
    **extra,
) -> DomainEvent:
    """OrderConfirmed / OrderCancelled / OrderShipped / OrderDelivered /
    OrderReceiptConfirmed; ``previous``: the status it left (a cancelled order was paid if
    it was CONFIRMED)."""
    data = {
        "orderId": order.order_id,
        "checkoutId": order.checkout_id,
        "reservationId": order.reservation_id,
        "customerId": order.customer_id,
        "status": order.status,
        "total": {"amount": int(order.total), "currency": order.currency},
    }
    if reason:
        data["reason"] = reason
    if previous:
        data["previousStatus"] = previous
    return DomainEvent.of(detail_type, data | extra)


def cancel(order: Order, reason: str) -> list[DomainEvent]:
    """Cancel before shipping; the events make payments, inventory and coupons compensate.
    Raises Conflict ORDER_NOT_CANCELLABLE once shipped. Cancelling again changes nothing."""
    previous = order.status
    try:
        moved = move(order, CANCELLED, reason)
    except StatusConflict as exc:
        raise Conflict(
            f"An order that is {order.status} can no longer be cancelled.",
            code="ORDER_NOT_CANCELLABLE",
        ) from exc
    return [status_event(order, "OrderCancelled", reason, previous)] if moved else []


def confirm_receipt(order: Order) -> list[DomainEvent]:
    """The buyer says the goods arrived: the seller may be paid now, and the return window
    closes. A shipped order the carrier has not yet reported delivered becomes DELIVERED on
    the buyer's word (OrderDelivered first). Raises Conflict ORDER_NOT_DELIVERED before any
    package left its seller. Again: nothing."""
    events = []
    if order.status in (PARTIALLY_SHIPPED, SHIPPED):
        events = follow_packages(order, DELIVERED, clock.iso())
    if order.status != DELIVERED:
        raise Conflict(
            f"An order that is {order.status} cannot be confirmed as received.",
            code="ORDER_NOT_DELIVERED",
        )
    if order.receipt_confirmed_at:
        return events
    try:
        order.update(
            actions=[Order.receipt_confirmed_at.set(clock.iso())],
            condition=Order.receipt_confirmed_at.does_not_exist(),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return events
        raise
    return [*events, status_event(order, "OrderReceiptConfirmed")]


def record_refund(order_id: str, refund: dict) -> Order:
    """Append a refund ``{returnId, amount, lines: [{lineId, quantity}], kind}`` to the order,
    once per return id."""
    order = get(order_id)
    for _ in range(5):
        if any(r["returnId"] == refund["returnId"] for r in order.refunds or []):
            return order
        try:
            order.update(
                actions=[
                    Order.refunds.set([*(order.refunds or []), {**refund, "at": clock.iso()}]),
                    Order.updated_at.set(clock.iso()),
                ]
            )
            return order
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
            order.refresh(consistent_read=True)
    raise RuntimeError(f"order {order_id} kept changing")


def confirm_paid(order: Order) -> list[DomainEvent]:
    """A pending order's payments were all captured later (a paid boleto)."""
    if order.status != PENDING_PAYMENT:
        return []
    return [status_event(order, "OrderConfirmed")] if move(order, CONFIRMED, "PAID") else []


# ------------------------------------------------------------------ the API's use cases

#: the event each fulfilment move publishes
FULFILMENT_EVENTS = {
    PARTIALLY_SHIPPED: "OrderPartiallyShipped",
    SHIPPED: "OrderShipped",
    DELIVERED: "OrderDelivered",
}
#: How far along an order is: a package's news never moves it back.
PROGRESS = {CONFIRMED: 0, PARTIALLY_SHIPPED: 1, SHIPPED: 2, DELIVERED: 3}


def follow_packages(order: Order, status: str, at: str) -> list[DomainEvent]:
    """The order's packages now add up to ``status`` (PARTIALLY_SHIPPED, SHIPPED or
    DELIVERED) as of ``at`` (the carrier's time): move the order forward and publish
    OrderPartiallyShipped / OrderShipped / OrderDelivered (with ``deliveredAt``, from which
    the escrow's release clock counts). News older than the order's status changes
    nothing."""
    if order.status not in PROGRESS or PROGRESS[status] <= PROGRESS[order.status]:
        return []
    if not move(order, status, "PACKAGES"):
        return []
    extra = {"deliveredAt": at} if status == DELIVERED else {}
    return [status_event(order, FULFILMENT_EVENTS[status], **extra)]


def visible(order_id: str, caller: Principal, buyer_only: bool = False) -> Order:
    """The order, if ``caller`` may see it: its customer, staff, or a seller with a line in
    it (only its customer with ``buyer_only``). Raises NotFound ORDER_NOT_FOUND otherwise,
    as for an order that does not exist."""
    order = get(order_id)
    if buyer_only:
        allowed = order.customer_id == caller.id
    else:
        allowed = (
            order.customer_id == caller.id
            or caller.has_any("staff", "admin")
            or (caller.seller_id is not None and caller.seller_id in (order.seller_ids or set()))
        )
    if not allowed or order.customer_id is None:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    return order


def shown(order: Order, caller: Principal) -> dict:
    """The whole order for its buyer and staff; a seller's part for a seller of it."""
    if order.customer_id == caller.id or caller.has_any("staff", "admin"):
        return view(order)
    return seller_view(order, caller.seller_id)


def seller_orders(seller_id: str, start: str, end: str) -> list[Order]:
    """Every order the seller has lines in, created from ``start`` to before ``end`` (ISO
    instants), oldest first."""
    found = SellerOrder.query(
        f"SELLER#{seller_id}", SellerOrder.sk.between(f"ORDER#{start}", f"ORDER#{end}")
    )
    ids = [item.order_id for item in found if item.sk < f"ORDER#{end}"]
    orders = {o.order_id: o for o in Order.batch_get([Order.key(i) for i in ids])}
    return [orders[i] for i in ids if i in orders]


def listed(
    caller: Principal,
    seller_id: str | None,
    customer_id: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict], dict | None]:
    """A page of orders, newest first, as ``caller`` may see them, and the last key read
    (None at the end): a seller's (that seller or staff), a customer's (that customer or
    staff), else the caller's own. Raises Forbidden NOT_YOUR_SELLER / FORBIDDEN, BadRequest
    INVALID_CURSOR."""
    staff = caller.has_any("staff", "admin")
    if seller_id:
        if not caller.acts_for(seller_id):
            raise Forbidden("Sellers see their own orders only.", code="NOT_YOUR_SELLER")
        partition = f"SELLER#{seller_id}"
        start = page_start(cursor, ("pk", "sk"), {"pk": partition})
        page = SellerOrder.query(
            partition, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
        ids = [item.order_id for item in page]
        orders = {o.order_id: o for o in Order.batch_get([Order.key(i) for i in ids])}
        found = [orders[i] for i in ids if i in orders]
    else:
        if customer_id and customer_id != caller.id and not staff:
            raise Forbidden("You can list your own orders only.", code="FORBIDDEN")
        partition = f"CUSTOMER#{customer_id or caller.id}"
        start = page_start(cursor, ("pk", "sk", "gsi1pk", "gsi1sk"), {"gsi1pk": partition})
        page = Order.by_customer.query(
            partition, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
        found = list(page)
    return [shown(o, caller) for o in found], page.last_evaluated_key


def cancel_by(order: Order, caller: Principal, reason: str | None) -> dict:
    """Its customer or staff cancel ``order`` (see ``cancel``); the order's view. Raises
    NotFound ORDER_NOT_FOUND for a seller, Conflict ORDER_NOT_CANCELLABLE once shipped."""
    if order.customer_id != caller.id and not caller.has_any("staff", "admin"):
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    mine = order.customer_id == caller.id
    publish(cancel(order, reason or ("CUSTOMER_REQUEST" if mine else "STAFF")))
    return view(order)


def fulfil(order: Order, caller: Principal, status: str) -> dict:
    """Staff move ``order`` to SHIPPED or DELIVERED by hand and publish OrderShipped /
    OrderDelivered (once). Sellers cannot: an order is delivered on its carrier's or its
    buyer's word, never its seller's. The order as ``caller`` sees it. Raises Forbidden
    STAFF_ONLY, Conflict INVALID_STATUS_CHANGE."""
    if not caller.has_any("staff", "admin"):
        raise Forbidden("Only staff can move an order by hand.", code="STAFF_ONLY")
    try:
        if status == DELIVERED and order.status not in (PARTIALLY_SHIPPED, SHIPPED, DELIVERED):
            raise StatusConflict(f"{order.status} -> {status}")  # by hand, one step at a time
        moved = move(order, status)
    except StatusConflict as exc:
        raise Conflict(
            f"An order that is {order.status} cannot become {status}.", code="INVALID_STATUS_CHANGE"
        ) from exc
    if moved:
        extra = {"deliveredAt": clock.iso()} if status == DELIVERED else {}
        publish([status_event(order, FULFILMENT_EVENTS[status], **extra)])
    return shown(order, caller)
