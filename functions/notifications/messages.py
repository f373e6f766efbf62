"""What each domain event tells whom: pure functions from an event's contract to notices.

A ``Notice`` names its template (``kind``, under ``templates/<locale>/<kind>.txt``), its
category and urgency (``domain``), who receives it (a buyer's account, or every account
acting for a seller), the template's variables and the path it links to. Events that tell
nobody anything give no notice (a package being packed, an imported past review).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.chat import ChatMessageSent
from contracts.fulfilment import ShipmentLate, ShipmentStatusChanged
from contracts.inventory import LowStock
from contracts.orders import OrderCancelled, OrderConfirmed, OrderPlaced
from contracts.returns import RefundCompleted, ReturnApproved, ReturnRejected, ReturnRequested
from contracts.reviews import ReviewPublished, SellerReplied
from contracts.sellers import SellerApplicationRejected, SellerApproved, SellerInfoRequested

ACCOUNT, SELLER = "ACCOUNT", "SELLER"

#: Carriers' names as people know them (the quote service's codes).
CARRIERS = {"correio": "Correio Nacional", "rapido": "Rapido Transportes"}


@dataclass(frozen=True)
class Notice:
    """One message to one audience: ``to`` is (ACCOUNT, accountId) or (SELLER, sellerId).
    ``collapse``: messages with the same key reach the outside channels at most once per
    ``domain``'s collapse window (a chat's burst of messages is one push)."""

    kind: str
    category: str
    to: tuple[str, str]
    data: dict[str, Any]
    link: str
    urgent: bool = False
    collapse: str | None = None


def _dump(event) -> dict[str, Any]:
    return event.model_dump(mode="json")


def order_placed(order: OrderPlaced) -> list[Notice]:
    """The buyer's confirmation (urgent: they wait for it), and each seller's new order
    once it is paid (a boleto order reaches its sellers with OrderConfirmed's packing)."""
    data = _dump(order)
    notices = [
        Notice("order_placed", "ORDERS", (ACCOUNT, order.customerId), data,
               f"/orders/{order.orderId}", urgent=True)
    ]  # fmt: skip
    if order.status != "PENDING_PAYMENT":
        notices += _new_orders(order)
    return notices


def _new_orders(order: OrderPlaced) -> list[Notice]:
    sellers = sorted({line.sellerId for line in order.lines})
    notices = []
    for seller in sellers:
        lines = [line.model_dump(mode="json") for line in order.lines if line.sellerId == seller]
        packages = [p.model_dump(mode="json") for p in order.packages if p.sellerId == seller]
        notices.append(
            Notice(
                "new_order",
                "SHOP",
                (SELLER, seller),
                {"orderId": order.orderId, "lines": lines, "packages": packages},
                f"/sellers/{seller}/orders/{order.orderId}",
            )
        )
    return notices


def order_confirmed(order: OrderConfirmed) -> list[Notice]:
    """A boleto was paid: the buyer's order is confirmed."""
    return [
        Notice("order_paid", "ORDERS", (ACCOUNT, order.customerId), _dump(order),
               f"/orders/{order.orderId}")
    ]  # fmt: skip


def order_cancelled(order: OrderCancelled) -> list[Notice]:
    """The buyer hears why (an expired boleto is urgent: they may buy again)."""
    return [
        Notice(
            "order_cancelled",
            "ORDERS",
            (ACCOUNT, order.customerId),
            _dump(order),
            f"/orders/{order.orderId}",
            urgent=order.reason == "PAYMENT_EXPIRED",
        )
    ]


#: A package's moves its buyer hears of: (direction, status) → (kind, category, urgent).
SHIPMENT_NEWS = {
    ("OUTBOUND", "HANDED_OVER"): ("shipped", "SHIPPING", False),
    ("OUTBOUND", "OUT_FOR_DELIVERY"): ("out_for_delivery", "SHIPPING", True),
    ("OUTBOUND", "DELIVERED"): ("delivered", "SHIPPING", False),
    ("OUTBOUND", "DELIVERY_FAILED"): ("delivery_failed", "SHIPPING", True),
    ("RETURN", "LABEL_PURCHASED"): ("return_label", "RETURNS", False),
}


def shipment_moved(changed: ShipmentStatusChanged) -> list[Notice]:
    news = SHIPMENT_NEWS.get((changed.direction, changed.status))
    if news is None:
        return []
    kind, category, urgent = news
    data = _dump(changed) | {"carrierName": CARRIERS.get(changed.carrier, changed.carrier)}
    link = f"/orders/{changed.orderId}"
    if changed.returnId:
        link = f"/returns/{changed.returnId}"
    return [Notice(kind, category, (ACCOUNT, changed.customerId), data, link, urgent=urgent)]


def shipment_late(late: ShipmentLate) -> list[Notice]:
    """The seller missed a package's hand-over deadline: urgent (the buyer waits)."""
    return [
        Notice("handover_late", "SHOP", (SELLER, late.sellerId), _dump(late),
               f"/sellers/{late.sellerId}/packages/{late.packageId}", urgent=True)
    ]  # fmt: skip


def return_requested(requested: ReturnRequested) -> list[Notice]:
    """Each seller of the returned lines has a return to decide."""
    sellers = sorted({line.sellerId for line in requested.lines})
    data = _dump(requested)
    return [
        Notice("return_requested", "SHOP", (SELLER, seller), data,
               f"/sellers/{seller}/returns/{requested.returnId}")
        for seller in sellers
        if requested.kind == "RETURN"
    ]  # fmt: skip


def return_decided(decided: ReturnApproved | ReturnRejected) -> list[Notice]:
    kind = "return_approved" if isinstance(decided, ReturnApproved) else "return_rejected"
    return [
        Notice(kind, "RETURNS", (ACCOUNT, decided.customerId), _dump(decided),
               f"/returns/{decided.returnId}")
    ]  # fmt: skip


def refund_completed(refund: RefundCompleted) -> list[Notice]:
    return [
        Notice("refund_completed", "RETURNS", (ACCOUNT, refund.customerId), _dump(refund),
               f"/returns/{refund.returnId}")
    ]  # fmt: skip


def review_published(review: ReviewPublished) -> list[Notice]:
    """The reviewed seller's people hear of a new review (imported past ones are not news)."""
    if review.imported:
        return []
    link = (
        f"/products/{review.productId}/reviews"
        if review.kind == "PRODUCT"
        else f"/sellers/{review.sellerId}/reviews"
    )
    return [Notice("review_published", "SHOP", (SELLER, review.sellerId), _dump(review), link)]


def seller_replied(reply: SellerReplied) -> list[Notice]:
    return [
        Notice("seller_replied", "REVIEWS", (ACCOUNT, reply.authorId),
               _dump(reply), f"/reviews/{reply.reviewId}")
    ]  # fmt: skip


def low_stock(low: LowStock) -> list[Notice]:
    return [
        Notice("low_stock", "SHOP", (SELLER, low.sellerId), _dump(low),
               f"/products/{low.productId}")
    ]  # fmt: skip


def chat_message(sent: ChatMessageSent) -> list[Notice]:
    """The other side of a conversation, when none of its devices was connected: one push a
    conversation per collapse window, however many messages come."""
    if sent.recipientOnline:
        return []
    to = (SELLER, sent.sellerId) if sent.senderSide == "BUYER" else (ACCOUNT, sent.buyerId)
    return [
        Notice(
            "chat_message",
            "CHAT",
            to,
            _dump(sent),
            f"/conversations/{sent.conversationId}",
            collapse=f"chat#{sent.conversationId}",
        )
    ]


def application_decided(
    decided: SellerApproved | SellerApplicationRejected | SellerInfoRequested,
) -> list[Notice]:
    """The applicant hears staff's decision on their application to sell (urgent when they
    must answer)."""
    kind = {
        SellerApproved: "seller_approved",
        SellerApplicationRejected: "seller_rejected",
        SellerInfoRequested: "seller_info_requested",
    }[type(decided)]
    return [
        Notice(kind, "SHOP", (ACCOUNT, decided.accountId), _dump(decided),
               f"/seller-applications/{decided.applicationId}",
               urgent=isinstance(decided, SellerInfoRequested))
    ]  # fmt: skip


#: Every event notifications take, and what it tells.
WRITERS = {
    OrderPlaced: order_placed,
    OrderConfirmed: order_confirmed,
    OrderCancelled: order_cancelled,
    ShipmentStatusChanged: shipment_moved,
    ShipmentLate: shipment_late,
    ReturnRequested: return_requested,
    ReturnApproved: return_decided,
    ReturnRejected: return_decided,
    RefundCompleted: refund_completed,
    ReviewPublished: review_published,
    SellerReplied: seller_replied,
    LowStock: low_stock,
    ChatMessageSent: chat_message,
    SellerApproved: application_decided,
    SellerApplicationRejected: application_decided,
    SellerInfoRequested: application_decided,
}
