"""The sellers API's request and response shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sellers.domain import REJECTION_REASONS
from titan import ids
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


class RejectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reasons: Annotated[list[Reason], Field(min_length=1, max_length=6)]
    note: Annotated[str, Field(max_length=1000)] | None = None


class InfoRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[str, Field(min_length=1, max_length=1000, description="What to send or fix")]


class ShopRating(BaseModel):
    average: float | None = Field(default=None, description="Mean stars; null: no reviews")
    count: int = 0


class ShopOut(BaseModel):
    slug: str
    sellerId: str
    name: str
    description: str | None = None
    logoUrl: str | None = Field(default=None, description="A link valid for an hour")
    city: str
    state: str
    memberSince: str
    onVacation: bool = Field(description="Its offers are not sold until it is back")
    vacationMessage: str | None = None
    responseRate: float | None = Field(
        default=None, description="Buyers' chats answered within 12 hours, last 90 days"
    )
    productCount: int = Field(description="Products on sale now")
    offerCount: int = Field(description="Offers (variants) on sale now")
    rating: ShopRating = Field(description="Stars of the seller's reviews")


class VacationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    onVacation: bool
    message: Annotated[str, Field(max_length=300)] | None = None


class ShopPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: Annotated[str, Field(max_length=2000)] | None = None
    logo: (
        Annotated[str, Field(min_length=1, max_length=200, description="An upload's key")] | None
    ) = None
    vacation: VacationIn | None = None


class LogoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contentType: Literal["image/jpeg", "image/png", "image/webp"]


class OlistSellerRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sellerId: Annotated[str, Field(pattern=ids.SOURCE_ID)]
    city: Annotated[str, Field(min_length=1, max_length=80)]
    state: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class OlistShopsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sellers: Annotated[list[OlistSellerRow], Field(min_length=1, max_length=5000)]


class OlistShopsOut(BaseModel):
    created: int
    existing: int
    taken: int = Field(description="Slugs an applicant claimed first: left to them")


class StatsFigures(BaseModel):
    gmv: int = Field(description="Items sold (unit price x quantity), BRL minor units")
    orders: int
    units: int
    averageOrderValue: int | None = Field(description="gmv / orders; null: no orders")
    cancelled: int
    cancellationRate: float | None = Field(description="cancelled / orders")
    returned: int = Field(description="Orders with a return asked")
    returnRate: float | None = Field(description="returned / orders")
    handedOver: int = Field(description="Orders whose package the seller handed over")
    late: int = Field(description="Orders still with the seller at the hand-over deadline")
    lateHandoverRate: float | None = Field(description="late / handedOver")
    chats: int = Field(description="Buyers' chats that waited for the seller")
    chatsAnswered: int = Field(description="Of those, answered within 12 hours")
    responseRate: float | None = Field(description="chatsAnswered / chats")


class StatsPeriod(StatsFigures):
    period: str = Field(description="The period's first day")


class TopProduct(BaseModel):
    productId: str
    title: str | None = None
    gmv: int
    units: int


class SellerStats(BaseModel):
    sellerId: str
    from_: str = Field(alias="from")
    to: str
    interval: Literal["day", "week", "month"]
    currency: str
    totals: StatsFigures
    series: list[StatsPeriod]
    topProducts: list[TopProduct] = Field(description="The 5 with the most GMV")
    rating: ShopRating

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class StatsRecount(BaseModel):
    gmv: int
    orders: int
    units: int
    cancelled: int
    returned: int
    handedOver: int
    late: int
