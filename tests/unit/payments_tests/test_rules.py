"""Payments' pure rules: card checks and sandbox outcomes, webhook signatures."""

from __future__ import annotations

from datetime import UTC, datetime

from payments import provider
from titan import webhooks

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def test_card_numbers_and_sandbox_outcomes():
    assert provider.luhn_ok("4242424242424242") and not provider.luhn_ok("4242424242424241")
    sandbox = provider.Sandbox()
    assert sandbox.authorize("p", "card", 1, {"number": "4242424242424242"}).status == "AUTHORIZED"
    declined = sandbox.authorize("p", "card", 1, {"number": "4000000000009995"})
    assert (declined.status, declined.decline_code, declined.last4) == (
        "DECLINED",
        "insufficient_funds",
        "9995",
    )
    assert sandbox.authorize("p", "boleto", 1, {}).status == "PENDING"


def test_webhook_signatures():
    body = b'{"type":"boleto.paid"}'
    header = webhooks.sign("s3cret", body, timestamp=1_000)
    assert webhooks.verify("s3cret", body, header, now=1_100)
    assert not webhooks.verify("other", body, header, now=1_100)
    assert not webhooks.verify("s3cret", body + b" ", header, now=1_100)
    assert not webhooks.verify("s3cret", body, header, now=1_000 + 301)  # too old: a replay
    assert not webhooks.verify("s3cret", body, None) and not webhooks.verify(
        "s3cret", body, "v1=abc"
    )
