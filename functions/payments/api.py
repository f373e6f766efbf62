"""Payments API: the provider's webhook (``POST /payments/webhooks/{provider}``), signed with
HMAC-SHA256 (``titan.webhooks``), and a payment's record for its customer or staff."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.utilities import parameters
from pydantic import BaseModel, Field, ValidationError

from payments import provider, service, settings
from titan import webhooks
from titan.api import create_app, lambda_handler
from titan.auth import bearer, require
from titan.errors import NotFound, Unauthorized, Unprocessable
from titan.events import publish

app = create_app()
#: Seconds a webhook secret read from Secrets Manager is reused (Powertools parameters cache).
SECRET_CACHE_SECONDS = 300


def _webhook_secret() -> str:
    """The provider's webhook secret, made at deploy in Secrets Manager (payments/template.yaml's
    ``PaymentWebhookSecret``); cached for ``SECRET_CACHE_SECONDS``."""
    return parameters.get_secret(
        settings.SETTINGS.needed("payment_webhook_secret_arn"), max_age=SECRET_CACHE_SECONDS
    )


class WebhookIn(BaseModel):
    type: Literal["boleto.paid"]
    paymentId: Annotated[str, Field(max_length=80)]
    amount: Annotated[int, Field(ge=1, description="Minor units paid")]


class WebhookOut(BaseModel):
    received: bool
    events: int = Field(description="Payment events this notification caused")


class PaymentOut(BaseModel):
    paymentId: str
    orderId: str
    method: str
    amount: dict
    installments: int
    status: str
    last4: str | None = None
    brand: str | None = None
    dueAt: str | None = None
    declineCode: str | None = None
    history: list[dict]


@app.post(
    "/payments/webhooks/<providerName>",
    tags=["payments"],
    summary="Payment provider notifications (signed)",
)
def webhook(providerName: Annotated[str, Path(pattern=r"^[a-z0-9-]{1,30}$")]) -> WebhookOut:
    """The body is verified against the ``X-Titan-Signature`` header (``t=...,v1=...``,
    HMAC-SHA256 with the provider's webhook secret, at most 5 minutes old): 401
    INVALID_SIGNATURE otherwise. ``boleto.paid`` captures the boleto and the order's other
    payments (idempotent: a repeated notification changes nothing). 404 PAYMENT_NOT_FOUND,
    422 AMOUNT_MISMATCH, 422 VALIDATION_FAILED for a signed body that is not a notification
    (not a JSON object, another type, missing fields)."""
    if providerName not in provider.PROVIDERS:
        raise NotFound("No such payment provider.", code="PROVIDER_NOT_FOUND")
    event = app.current_event
    raw = (event.decoded_body or "").encode()
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    if not webhooks.verify(_webhook_secret(), raw, headers.get(webhooks.SIGNATURE_HEADER)):
        raise Unauthorized("The notification's signature is not valid.", code="INVALID_SIGNATURE")
    try:
        body = WebhookIn.model_validate_json(raw)
    except ValidationError as exc:
        raise Unprocessable(
            "Not a notification this API understands.", code="VALIDATION_FAILED"
        ) from exc
    try:
        events = service.settle_boleto(body.paymentId, body.amount)
    except LookupError as exc:
        raise NotFound("No such boleto.", code="PAYMENT_NOT_FOUND") from exc
    except ValueError as exc:
        raise Unprocessable(str(exc), code="AMOUNT_MISMATCH") from exc
    publish(events)
    return WebhookOut(received=True, events=len(events))


@app.get(
    "/payments/<paymentId>",
    tags=["payments"],
    summary="A payment and its history",
    security=bearer(),
)
def get_payment(paymentId: Annotated[str, Path(max_length=80)]) -> PaymentOut:
    """Its customer or staff; anyone else 404 PAYMENT_NOT_FOUND."""
    return PaymentOut(**service.shown(paymentId, require(app)))


handler = lambda_handler(app)
