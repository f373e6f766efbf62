"""Events published by the returns context (source ``titan.returns``).

Every return event carries the return as it stands (``ReturnFacts``); a few add the why.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from contracts.base import Contract, Event, Money
from titan.ids import AccountId, OrderId, ReturnId


class ReturnLine(Contract):
    """Units of an order line being returned."""

    lineId: str
    offerId: str
    sellerId: str
    quantity: int


class ReturnFacts(Contract):
    """The return (or a paid order's cancellation) as it stands."""

    returnId: ReturnId
    kind: Literal["RETURN", "CANCELLATION", "LOST_PARCEL"]
    orderId: OrderId
    customerId: AccountId
    status: str
    refundTo: Literal["original", "wallet"]
    amount: Annotated[Money, Field(description="What the refund gives back")]
    lines: list[ReturnLine]


class ReturnRequested(ReturnFacts, Event, source="titan.returns"):
    """A buyer asked to return units of a delivered order; the refund saga started."""


class ReturnApproved(ReturnFacts, Event, source="titan.returns"):
    """A return was accepted: by the seller or staff, by rule (a small refund) or because nobody
    decided in time."""

    by: Annotated[str | None, Field(description="SELLER, STAFF, RULE or TIMEOUT")] = None


class ReturnRejected(ReturnFacts, Event, source="titan.returns"):
    """The seller or staff refused a return; nothing is refunded."""

    reason: str | None = None


class ReturnReceived(ReturnFacts, Event, source="titan.returns"):
    """The returned goods arrived back at the seller."""

    by: str | None = None


class ReturnExpired(ReturnFacts, Event, source="titan.returns"):
    """The goods of an approved return never came back in time; nothing is refunded."""

    reason: str | None = None


class RefundCompleted(ReturnFacts, Event, source="titan.returns"):
    """A return's or a paid order's cancellation's refund was made, to the original payments or
    to the wallet."""

    customerEmail: str | None = None


class RefundFailed(ReturnFacts, Event, source="titan.returns"):
    """A refund could not be made (the escrow or the payments held less); staff must look."""

    reason: str | None = None
