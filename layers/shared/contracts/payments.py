"""Events published by the payments context (source ``titan.payments``).

Every payment event carries the payment as ``GET /orders/{id}`` shows it (``PaymentFacts``)
plus what it belongs to; a few add their own fields.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from contracts.base import Contract, Event, Instant, Money
from titan.ids import AccountId

Method = Literal["card", "boleto", "wallet", "voucher"]


class PaymentFacts(Contract):
    """The payment and what it belongs to (fields shared by every payment event)."""

    paymentId: str
    method: Method
    amount: Money
    installments: int
    status: str
    last4: str | None = None
    brand: str | None = None
    dueAt: Annotated[Instant | None, Field(description="A boleto's due date")] = None
    declineCode: str | None = None
    voucherCode: Annotated[str | None, Field(description="The gift voucher that paid")] = None
    orderId: str
    checkoutId: str
    customerId: AccountId
    purpose: Annotated[
        Literal["TOP_UP"] | None,
        Field(description="TOP_UP for a wallet top-up; absent for an order's payment"),
    ] = None


class PaymentAuthorized(PaymentFacts, Event, source="titan.payments"):
    """A payment was authorized (a card hold, a wallet or voucher hold) or issued (a boleto,
    PENDING)."""


class PaymentCaptured(PaymentFacts, Event, source="titan.payments"):
    """A payment was captured."""

    orderPaid: Annotated[
        bool | None,
        Field(description="Boleto settlement only: every payment of the order is now captured"),
    ] = None


class PaymentExpired(PaymentFacts, Event, source="titan.payments"):
    """A boleto was not paid by its due date."""


class PaymentRefunded(PaymentFacts, Event, source="titan.payments"):
    """A captured payment was refunded, in full (REFUNDED) or in part (PARTIALLY_REFUNDED)."""

    refunded: Money
    returnId: Annotated[
        str | None,
        Field(
            description="The return (or cancellation) refunded; absent when a checkout was undone"
        ),
    ] = None


class PaymentVoided(PaymentFacts, Event, source="titan.payments"):
    """An authorization or pending boleto was voided."""
