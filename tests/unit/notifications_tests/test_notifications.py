"""Buyers' e-mails: the order confirmation and the refund notice, through SES, once per event."""

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from contracts.orders import OrderPlaced
from delivery import deliver
from notifications import consumers, settings
from titan.events import DomainEvent

BRL = "BRL"
ORDER = {
    "orderId": "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
    "checkoutId": "chk_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
    "customerId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
    "customerEmail": "ana@example.com",
    "customerName": "Ana",
    "status": "CONFIRMED",
    "lines": [
        {
            "lineId": "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0-1",
            "cartLineId": "line_1",
            "productId": "1e9e8ef04dbcff4541ed26657ea517e5",
            "sellerId": "8a32e327fe2c1b3511609d81aaf9f042",
            "offerId": "off_00000000000000000001",
            "title": "Perfume 50 ml",
            "quantity": 2,
            "unitPrice": {"amount": 3499, "currency": BRL},
            "freight": {"amount": 3210, "currency": BRL},
        }
    ],
    "total": {"amount": 10208, "currency": BRL},
    "payments": [],
    "discount": {"amount": 0, "currency": BRL},
}


def _send_from(monkeypatch, sender: str) -> None:
    update = {"mail_from": sender}
    monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(update=update))


def _outbox(monkeypatch) -> list:
    _send_from(monkeypatch, "noreply@titan.test")
    boto3.client("ses").verify_email_identity(EmailAddress="noreply@titan.test")
    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def test_the_confirmation_is_sent_once_per_event(world, monkeypatch):
    sent = _outbox(monkeypatch)
    placed = DomainEvent.of("OrderPlaced", ORDER)
    deliver(consumers.handler, placed, placed)  # delivered, then redelivered
    (message,) = sent
    assert message.subject == "Titan order ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0: confirmed"
    assert "2 x Perfume 50 ml: 34.99 BRL" in message.body and "Total: 102.08 BRL" in message.body


def test_a_send_that_failed_is_sent_by_the_retry(world, monkeypatch):
    sent = _outbox(monkeypatch)
    placed = DomainEvent.of("OrderPlaced", ORDER)
    _send_from(monkeypatch, "unverified@titan.test")  # SES refuses the sender
    try:
        deliver(consumers.handler, placed)
    except Exception as exc:  # the invocation fails: EventBridge retries it
        assert "unverified" in str(exc) or "Email address not verified" in str(exc)
    else:
        raise AssertionError("the send should have failed")
    _send_from(monkeypatch, "noreply@titan.test")
    deliver(consumers.handler, placed)
    assert len(sent) == 1


def test_an_unpaid_boleto_order_says_so():
    order = OrderPlaced.model_validate({**ORDER, "status": "PENDING_PAYMENT"})
    subject, body = consumers.confirmation(order)
    assert subject.endswith("awaiting payment") and "boleto" in body
