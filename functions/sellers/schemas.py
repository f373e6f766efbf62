"""The sellers API's request and response shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sellers.domain import REJECTION_REASONS
from titan.ids import AccountId

Status = Literal["SUBMITTED", "IN_REVIEW", "APPROVED", "REJECTED", "NEEDS_INFO"]
Reason = Literal[tuple(REJECTION_REASONS)]  # type: ignore[valid-type]
Text = Annotated[str, Field(min_length=1, max_length=200)]
DocumentKey = Annotated[
    str, Field(max_length=200, pattern=r"^uploads/[A-Za-z0-9_]+/[A-Za-z0-9_]+\.(jpg|png|pdf)$")
]


class BusinessAddress(BaseModel):
    model_config = ConfigDict(extra="forbid")
    street: Text
    number: Annotated[str, Field(min_length=1, max_length=20)]
    complement: Annotated[str, Field(max_length=100)] | None = None
    district: Text
    city: Text
    state: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="The UF, such as SP")]
    postalCode: Annotated[str, Field(pattern=r"^\d{5}-?\d{3}$", description="The CEP")]


class PayoutAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bankCode: Annotated[str, Field(pattern=r"^\d{3}$", description="COMPE code, such as 341")]
    branch: Annotated[str, Field(max_length=6, description="Agência: 4 digits (-check digit)")]
    account: Annotated[str, Field(max_length=14, description="Digits, a hyphen, check digit")]
    accountType: Literal["CHECKING", "SAVINGS", "PAYMENT"]
    holderName: Text
    holderDocument: Annotated[str, Field(max_length=18, description="The holder's CPF or CNPJ")]


class SellerApplicationIn(BaseModel):
    """An application to sell: who (a person by CPF or a company by CNPJ), the shop's name,
    the business address, the payout account (the applicant's own) and uploaded documents."""

    model_config = ConfigDict(extra="forbid")
    legalType: Literal["PERSON", "COMPANY"]
    document: Annotated[str, Field(max_length=18, description="CPF or CNPJ, digits or punctuated")]
    legalName: Text
    shopName: Annotated[str, Field(min_length=3, max_length=60)]
    address: BusinessAddress
    bank: PayoutAccount
    documents: Annotated[
        list[DocumentKey],
        Field(max_length=10, description="Keys from POST /seller-applications/documents"),
    ] = []


class HistoryEntry(BaseModel):
    status: Status
    at: str
    by: str
    note: str | None = None


class SellerApplicationOut(BaseModel):
    applicationId: str
    accountId: AccountId
    status: Status
    legalType: str
    document: str
    legalName: str
    shopName: str
    slug: str
    address: dict
    bank: dict = Field(description="The payout account, its number masked")
    documents: list[str]
    reasons: list[str] = Field(description="Why it was rejected")
    note: str | None = Field(None, description="What staff asked for, or said")
    history: list[HistoryEntry]
    sellerId: str | None = None
    createdAt: str
    updatedAt: str


class SellerApplicationList(BaseModel):
    items: list[SellerApplicationOut]
    nextCursor: str | None = None


class SellerDocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contentType: Literal["image/jpeg", "image/png", "application/pdf"]


class SellerDocumentUpload(BaseModel):
    url: str
    fields: dict[str, str]
    key: str
    expiresIn: int


class RejectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reasons: Annotated[list[Reason], Field(min_length=1, max_length=6)]
    note: Annotated[str, Field(max_length=1000)] | None = None


class InfoRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[str, Field(min_length=1, max_length=1000, description="What to send or fix")]
