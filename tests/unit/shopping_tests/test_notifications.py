"""The order confirmation e-mail: sent through SES once per OrderPlaced event."""

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from notifications import consumers

DATA = {
    "orderId": "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
    "customerEmail": "ana@example.com",
    "customerName": "Ana",
    "status": "CONFIRMED",
    "lines": [
        {
            "productId": "p",
            "title": "Perfume 50 ml",
            "quantity": 2,
            "unitPrice": {"amount": 3499, "currency": "BRL"},
        }
    ],
    "total": {"amount": 10208, "currency": "BRL"},
}


def test_the_confirmation_is_sent_once_per_event(world, monkeypatch):
    monkeypatch.setenv("MAIL_FROM", "noreply@titan.test")
    boto3.client("ses").verify_email_identity(EmailAddress="noreply@titan.test")
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    event = {"detail": {"data": DATA, "metadata": {"eventId": "evt_01JDQ6R8V9W3X4Y5Z6A7B8C9D1"}}}
    assert consumers.send_confirmation(event) is True
    assert consumers.send_confirmation(event) is False  # a redelivery
    (message,) = sent
    assert message.subject == "Titan order ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0: confirmed"
    assert "2 x Perfume 50 ml: 34.99 BRL" in message.body and "Total: 102.08 BRL" in message.body


def test_an_unpaid_boleto_order_says_so():
    subject, body = consumers.confirmation({**DATA, "status": "PENDING_PAYMENT"})
    assert subject.endswith("awaiting payment") and "boleto" in body
