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
    PENDING_PAYMENT,
    Order,
    SellerOrder,
)
from titan import clock
from titan.dynamo import condition_failed, transaction
from titan.errors import Conflict, NotFound
from titan.events import DomainEvent
from titan.saga import StepRefused


class StatusConflict(Exception):
    """The order is not in a status that allows the move."""


def get(order_id: str) -> Order:
    """The order. Raises NotFound ORDER_NOT_FOUND."""
    try:
        return Order.get(*Order.key(order_id), consistent_read=True)
    except Order.DoesNotExist as exc:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND") from exc


def create(event: dict) -> Order:
    """A PENDING_PAYMENT order from the saga's state (``orderId``, ``checkoutId``,
    ``customerId``, ``contact``, ``lines`` quoted, ``pricing``, ``payments``). Idempotent; refuses
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
            "freight": int(line["freight"]) * int(line["quantity"]),
        }
        for i, line in enumerate(event["lines"])
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
        total=int(pricing["total"]),
        coupon_code=pricing.get("couponCode"),
        lines=lines,
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
        "statusHistory": order.history,
        "createdAt": order.created_at,
        "updatedAt": order.updated_at,
    }


#: Statuses in which a seller still has to get the parcel to the buyer: the address is shown.
SHIPPING_STATUSES = frozenset({"CONFIRMED", "SHIPPED"})


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
        "total": {"amount": int(order.total), "currency": order.currency},
        "payments": [
            {k: p[k] for k in ("paymentId", "method", "amount", "installments", "status")}
            for p in order.payments
        ],
    }
    return DomainEvent.of("OrderPlaced", data, event_id="evt_" + order.order_id.split("_", 1)[1])


def status_event(
    order: Order, detail_type: str, reason: str | None = None, previous: str | None = None
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
    return DomainEvent.of(detail_type, data)


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
    """The buyer says the goods arrived (a DELIVERED order): the seller may be paid now, and
    the return window closes. Raises Conflict ORDER_NOT_DELIVERED. Again: nothing."""
    if order.status != DELIVERED:
        raise Conflict(
            f"An order that is {order.status} cannot be confirmed as received.",
            code="ORDER_NOT_DELIVERED",
        )
    if order.receipt_confirmed_at:
        return []
    try:
        order.update(
            actions=[Order.receipt_confirmed_at.set(clock.iso())],
            condition=Order.receipt_confirmed_at.does_not_exist(),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return []
        raise
    return [status_event(order, "OrderReceiptConfirmed")]


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
