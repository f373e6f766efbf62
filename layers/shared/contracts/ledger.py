"""Events published by the ledger context (source ``titan.ledger``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.base import Contract, Event, Instant, Money
from titan.ids import OrderId, SourceId


class EscrowReleasedSeller(Contract):
    sellerId: SourceId
    amount: Money


class EscrowReleased(Event, source="titan.ledger"):
    """An order's escrow went to its sellers' balances, minus the platform commission."""

    orderId: OrderId
    reason: Annotated[str, Field(description="RECEIPT_CONFIRMED or RETURN_WINDOW_ENDED")]
    released: Money
    sellers: list[EscrowReleasedSeller]
    commission: Money


class PayoutFacts(Contract):
    """A seller's payout as it stands."""

    payoutId: str
    sellerId: SourceId
    amount: Money
    status: str
    requestedAt: Instant
    paidAt: Instant | None


class PayoutRequested(PayoutFacts, Event, source="titan.ledger"):
    """A seller asked for a payout; the amount left the available balance."""


class PayoutPaid(PayoutFacts, Event, source="titan.ledger"):
    """A payout was sent to the seller's bank."""
