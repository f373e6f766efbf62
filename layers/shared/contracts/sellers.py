"""Events published by the sellers context (source ``titan.sellers``): an application to
sell decided. The application's documents and bank account never travel in events."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from contracts.base import Event
from titan.ids import AccountId, SellerApplicationId, SourceId


class SellerApproved(Event, source="titan.sellers"):
    """An application was approved: the seller exists in the catalog, its ledger account is
    open and the applicant acts for it from their next access token."""

    applicationId: SellerApplicationId
    sellerId: SourceId
    accountId: AccountId
    shopName: str
    slug: str
    legalType: Literal["PERSON", "COMPANY"]
    city: str
    state: str


class SellerApplicationRejected(Event, source="titan.sellers"):
    applicationId: SellerApplicationId
    accountId: AccountId
    shopName: str
    reasons: Annotated[list[str], Field(description="Stable reason codes")]
    note: str | None = None


class SellerInfoRequested(Event, source="titan.sellers"):
    """Staff asked the applicant for something before deciding."""

    applicationId: SellerApplicationId
    accountId: AccountId
    shopName: str
    note: str
