"""Notification consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

- OrderPlaced: the order confirmation e-mail; RefundCompleted: the refund e-mail. Through
  SES, from ``MAIL_FROM``. A retried delivery of the same event (same ``eventId``) may send
  twice; SES has no idempotency key, so the sent event ids are recorded (conditional put)
  and a repeat is skipped.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from titan import clock
from titan.dynamo import table_meta
from titan.money import Money
from titan.observability import logger

_ses = None


class Sent(Model):
    """``SENT#<eventId>``: the e-mail for this event went out. TTL after 7 days."""

    Meta = table_meta("IDEMPOTENCY_TABLE")
    id = UnicodeAttribute(hash_key=True)
    expiration = NumberAttribute()
    kind = UnicodeAttribute()


def confirmation(data: dict) -> tuple[str, str]:
    """(subject, text body) of the confirmation e-mail for OrderPlaced ``data``."""
    total = Money.from_dict(data["total"]).format()
    pending = data["status"] == "PENDING_PAYMENT"
    subject = f"Titan order {data['orderId']}: " + ("awaiting payment" if pending else "confirmed")
    lines = [
        f"- {line['quantity']} x {line.get('title') or line['productId']}: "
        f"{Money.from_dict(line['unitPrice']).format()}"
        for line in data["lines"]
    ]
    body = "\n".join(
        [
            f"Hello {data.get('customerName') or ''},".replace(" ,", ","),
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
            f"Total: {total}",
            f"Order: {data['orderId']}",
        ]
    )
    return subject, body


def refund_notice(data: dict) -> tuple[str, str]:
    """(subject, text body) of the e-mail for RefundCompleted ``data``."""
    amount = Money.from_dict(data["amount"]).format()
    where = "your wallet" if data["refundTo"] == "wallet" else "your original payment method"
    what = "cancellation" if data["kind"] == "CANCELLATION" else "return"
    subject = f"Titan order {data['orderId']}: {amount} refunded"
    body = "\n".join(
        [
            "Hello,",
            "",
            f"The refund of your {what} {data['returnId']} is done: {amount} to {where}.",
            "Card refunds can take a few days to show on your statement.",
            "",
            f"Order: {data['orderId']}",
        ]
    )
    return subject, body


#: detail-type → (the e-mail's kind, how to write it)
MAILS = {
    "OrderPlaced": ("order-confirmation", confirmation),
    "RefundCompleted": ("refund", refund_notice),
}


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    """EventBridge OrderPlaced or RefundCompleted → ``{"sent": bool}``."""
    return {"sent": send_confirmation(event)}


def send_confirmation(event: dict) -> bool:
    """Send the e-mail for an event of ``MAILS`` once; False if sent before or no address."""
    global _ses
    data, event_id = event["detail"]["data"], event["detail"]["metadata"]["eventId"]
    kind, write = MAILS[event.get("detail-type", "OrderPlaced")]
    if not data.get("customerEmail"):
        return False
    try:
        Sent(
            f"SENT#{event_id}",
            expiration=clock.epoch_seconds() + 7 * 86400,
            kind=kind,
        ).save(condition=Sent.id.does_not_exist())
    except PutError:
        return False  # sent already
    subject, body = write(data)
    _ses = _ses or boto3.client("ses")
    try:
        _ses.send_email(
            Source=os.environ["MAIL_FROM"],
            Destination={"ToAddresses": [data["customerEmail"]]},
            Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": body}}},
        )
    except Exception:
        Sent(f"SENT#{event_id}").delete()  # let the retry send it
        raise
    return True
