"""Notification consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

- OrderPlaced: the order confirmation e-mail; RefundCompleted: the refund e-mail. Through
  SES, from ``MAIL_FROM``. SES has no idempotency key: the consumer runs once per event id
  (``titan.consumers``), and a failed send leaves no record, so the retry sends it.
"""

from __future__ import annotations

from contracts.orders import OrderPlaced
from contracts.returns import RefundCompleted
from notifications import settings
from titan.aws import client
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


WRITERS = {OrderPlaced: confirmation, RefundCompleted: refund_notice}


def send(received: Received[OrderPlaced | RefundCompleted]) -> None:
    """E-mail the buyer about ``received`` (nothing when the event has no address)."""
    event = received.event
    if not event.customerEmail:
        return
    subject, body = WRITERS[type(event)](event)
    client("ses").send_email(
        Source=settings.SETTINGS.mail_from,
        Destination={"ToAddresses": [event.customerEmail]},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": body}}},
    )


handler = consumer({OrderPlaced: send, RefundCompleted: send})
