"""Notification consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

- OrderPlaced: the order confirmation e-mail; RefundCompleted: the refund e-mail;
  ReviewPublished: the reviewed seller's people are told (imported past reviews are not);
  ShipmentStatusChanged: a package shipped (with its tracking link), out for delivery,
  delivered, delivery failed, and a return's prepaid label ready. Through
  SES, from ``MAIL_FROM``. SES has no idempotency key: the consumer runs once per event id
  (``titan.consumers``), and a failed send leaves no record, so the retry sends it.
"""

from __future__ import annotations

from contracts.fulfilment import ShipmentStatusChanged
from contracts.orders import OrderPlaced
from contracts.returns import RefundCompleted
from contracts.reviews import ReviewPublished
from notifications import settings
from titan.aws import client
from titan.calls import invoke
from titan.consumers import Received, consumer
from titan.money import Money


def _format(money) -> str:
    return Money(money.amount, money.currency).format()


def confirmation(order: OrderPlaced) -> tuple[str, str]:
    """(subject, text body) of the confirmation e-mail of ``order``."""
    pending = order.status == "PENDING_PAYMENT"
    subject = f"Titan order {order.orderId}: " + ("awaiting payment" if pending else "confirmed")
    lines = [
        f"- {line.quantity} x {line.title or line.productId}: {_format(line.unitPrice)}"
        for line in order.lines
    ]
    body = "\n".join(
        [
            f"Hello {order.customerName or ''},".replace(" ,", ","),
            "",
            "Thank you for your order. "
            + (
                "It ships once your boleto is paid."
                if pending
                else "It is paid and on its way to the seller."
            ),
            "",
            *lines,
            "",
            f"Total: {_format(order.total)}",
            f"Order: {order.orderId}",
        ]
    )
    return subject, body


def refund_notice(refund: RefundCompleted) -> tuple[str, str]:
    """(subject, text body) of the e-mail telling the buyer ``refund`` is done."""
    amount = _format(refund.amount)
    where = "your wallet" if refund.refundTo == "wallet" else "your original payment method"
    what = {"CANCELLATION": "cancellation", "LOST_PARCEL": "lost parcel"}.get(refund.kind, "return")
    subject = f"Titan order {refund.orderId}: {amount} refunded"
    body = "\n".join(
        [
            "Hello,",
            "",
            f"The refund of your {what} {refund.returnId} is done: {amount} to {where}.",
            "Card refunds can take a few days to show on your statement.",
            "",
            f"Order: {refund.orderId}",
        ]
    )
    return subject, body


#: What a package's move tells its buyer: (subject, first line), by direction and status.
SHIPMENT_NEWS = {
    ("OUTBOUND", "HANDED_OVER"): ("shipped", "Your package is on its way with {carrier}."),
    ("OUTBOUND", "OUT_FOR_DELIVERY"): ("out for delivery", "Your package arrives today."),
    ("OUTBOUND", "DELIVERED"): ("delivered", "Your package was delivered."),
    ("OUTBOUND", "DELIVERY_FAILED"): (
        "delivery failed",
        "{carrier} could not deliver your package; they will try again.",
    ),
    ("RETURN", "LABEL_PURCHASED"): (
        "return label ready",
        "Your return was approved. Print its prepaid label and hand the parcel to {carrier}.",
    ),
}


def shipment_news(changed: ShipmentStatusChanged) -> tuple[str, str] | None:
    """(subject, text body) of the e-mail a package's move sends its buyer, or None."""
    news = SHIPMENT_NEWS.get((changed.direction, changed.status))
    if news is None:
        return None
    what, first = news
    carrier = {"correio": "Correio Nacional", "rapido": "Rapido Transportes"}.get(
        changed.carrier, changed.carrier
    )
    lines = ["Hello,", "", first.format(carrier=carrier), ""]
    if changed.trackingNumber:
        lines.append(f"Tracking number: {changed.trackingNumber}")
        lines.append(f"Track it: {settings.SETTINGS.tracking_url}{changed.trackingNumber}")
    lines.append(f"Order: {changed.orderId}")
    return f"Titan order {changed.orderId}: {what}", "\n".join(lines)


def review_notice(review: ReviewPublished) -> tuple[str, str]:
    """(subject, text body) of the e-mail telling a seller a buyer reviewed them or their
    product."""
    stars = "★" * review.rating + "☆" * (5 - review.rating)
    what = f"your product {review.productId}" if review.kind == "PRODUCT" else "your shop"
    where = (
        f"/products/{review.productId}/reviews"
        if review.kind == "PRODUCT"
        else f"/sellers/{review.sellerId}/reviews"
    )
    body = "\n".join(
        [
            "Hello,",
            "",
            f"A buyer reviewed {what}: {stars} ({review.rating} of 5).",
            "You may reply once, publicly; the review stays either way.",
            "",
            f"Review: {review.reviewId}",
            f"Read it: {where}",
        ]
    )
    return f"New {review.rating}-star review of {what}", body


def tell_seller(received: Received[ReviewPublished]) -> None:
    """E-mail everyone acting for the reviewed seller (identity's steps say who)."""
    review = received.event
    if review.imported:
        return
    found = invoke("IDENTITY_STEPS_FUNCTION", "seller_contacts", {"sellerId": review.sellerId})
    emails = sorted({c["email"] for c in found["contacts"] if c.get("email")})
    if not emails:
        return
    subject, body = review_notice(review)
    client("ses").send_email(
        Source=settings.SETTINGS.mail_from,
        Destination={"ToAddresses": emails},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": body}}},
    )


WRITERS = {
    OrderPlaced: confirmation,
    RefundCompleted: refund_notice,
    ShipmentStatusChanged: shipment_news,
}


def send(received: Received[OrderPlaced | RefundCompleted | ShipmentStatusChanged]) -> None:
    """E-mail the buyer about ``received`` (nothing when the event has no address or
    nothing to say)."""
    event = received.event
    written = WRITERS[type(event)](event) if event.customerEmail else None
    if written is None:
        return
    subject, body = written
    client("ses").send_email(
        Source=settings.SETTINGS.mail_from,
        Destination={"ToAddresses": [event.customerEmail]},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": body}}},
    )


handler = consumer(
    {
        OrderPlaced: send,
        RefundCompleted: send,
        ShipmentStatusChanged: send,
        ReviewPublished: tell_seller,
    }
)
