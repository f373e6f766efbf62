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


def _moved(status: str, direction: str = "OUTBOUND", **extra) -> DomainEvent:
    return DomainEvent.of(
        "ShipmentStatusChanged",
        {
            "packageId": "pkg_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
            "direction": direction,
            "orderId": ORDER["orderId"],
            "customerId": ORDER["customerId"],
            "customerEmail": "ana@example.com",
            "sellerId": "8a32e327fe2c1b3511609d81aaf9f042",
            "status": status,
            "movedBy": "CARRIER",
            "carrier": "correio",
            "trackingNumber": "SX123456785BR",
            "at": "2026-11-30T12:00:00.000Z",
            **extra,
        },
    )


def test_the_buyer_hears_of_each_step_of_a_package_that_matters(world, monkeypatch):
    sent = _outbox(monkeypatch)
    update = {"tracking_url": "https://api.titan.test/tracking/"}
    monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(update=update))
    for status in ("PACKED", "HANDED_OVER", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"):
        deliver(consumers.handler, _moved(status))
    deliver(
        consumers.handler,
        _moved("LABEL_PURCHASED", "RETURN", returnId="ret_01JDQ6R8V9W3X4Y5Z6A7B8C9D0"),
    )
    deliver(consumers.handler, _moved("LABEL_PURCHASED"))  # the seller's own label: no news
    subjects = [m.subject.split(": ", 1)[1] for m in sent]
    assert subjects == ["shipped", "out for delivery", "delivered", "return label ready"]
    assert "Track it: https://api.titan.test/tracking/SX123456785BR" in sent[0].body
    assert "Correio Nacional" in sent[0].body


def _review(imported: bool = False) -> DomainEvent:
    return DomainEvent.of(
        "ReviewPublished",
        {
            "reviewId": "rev_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
            "kind": "PRODUCT",
            "subjectId": "1e9e8ef04dbcff4541ed26657ea517e5",
            "orderId": "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
            "productId": "1e9e8ef04dbcff4541ed26657ea517e5",
            "sellerId": "8a32e327fe2c1b3511609d81aaf9f042",
            "authorId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
            "rating": 4,
            "status": "PUBLISHED",
            "imported": imported,
        },
    )


def test_the_seller_s_people_hear_of_a_new_review_not_of_imported_ones(world, monkeypatch):
    from identity import service as identity
    from tests.unit.shop import CUSTOMER, SELLER, steps_call

    sent = _outbox(monkeypatch)
    monkeypatch.setattr(consumers, "invoke", steps_call)
    deliver(consumers.handler, _review())
    assert sent == []  # nobody signs in for this seller yet
    identity.grant_role("acct_admin", CUSTOMER, "seller", SELLER)
    deliver(consumers.handler, _review(imported=True))
    assert sent == []
    review = _review()
    deliver(consumers.handler, review, review)  # redelivered: one e-mail
    (message,) = sent
    assert message.destinations["ToAddresses"] == ["ana@example.com"]
    assert message.subject == "New 4-star review of your product 1e9e8ef04dbcff4541ed26657ea517e5"
    assert "★★★★☆" in message.body and "reply once" in message.body
    identity.revoke_role("acct_admin", CUSTOMER, "seller")
    assert identity.seller_contacts(SELLER) == []
