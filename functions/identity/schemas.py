"""The identity API's request and response shapes, and how stored accounts and addresses
are shown."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from identity.store import Account, Address
from titan.errors import Conflict
from titan.observability import logger

Email = Annotated[str, Field(min_length=3, max_length=254, examples=["ana@example.com"])]
Secret = Annotated[str, Field(min_length=1, max_length=512)]
TotpCode = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="The authenticator's 6 digits")]


class _Camel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class RegisterRequest(_Camel):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=256)]
    name: Annotated[str, Field(min_length=1, max_length=100)]


class Registered(BaseModel):
    customerId: str


class LoginRequest(_Camel):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=256)]
    totpCode: TotpCode | None = None


class TokenResponse(BaseModel):
    accessToken: str
    refreshToken: str
    expiresIn: int = Field(description="Seconds until the access token expires")
    tokenType: Literal["Bearer"] = "Bearer"


class RefreshRequest(_Camel):
    refreshToken: Secret


class EmailRequest(_Camel):
    email: Email


class ResetConfirm(_Camel):
    code: Secret
    password: Annotated[str, Field(min_length=1, max_length=256)]


class CodeRequest(_Camel):
    code: Secret


class TotpCodeRequest(_Camel):
    code: TotpCode


class PasswordChange(_Camel):
    currentPassword: Annotated[str, Field(min_length=1, max_length=256)]
    newPassword: Annotated[str, Field(min_length=1, max_length=256)]


class Profile(BaseModel):
    accountId: str
    email: str
    name: str
    roles: list[str]
    sellerId: str | None = None
    emailVerified: bool
    mfaEnabled: bool
    createdAt: str


class ProfileUpdate(_Camel):
    name: Annotated[str, Field(min_length=1, max_length=100)]


class TotpSetup(BaseModel):
    secret: str
    otpauthUri: str


class AddressIn(_Camel):
    recipientName: Annotated[str, Field(min_length=1, max_length=100)]
    street: Annotated[str, Field(min_length=1, max_length=200)]
    number: Annotated[str, Field(min_length=1, max_length=20)]
    complement: Annotated[str, Field(max_length=100)] | None = None
    district: Annotated[str, Field(max_length=100)] | None = None
    city: Annotated[str, Field(min_length=1, max_length=100)]
    state: Annotated[str, Field(min_length=2, max_length=2)]
    postalCode: Annotated[str, Field(min_length=8, max_length=9)]
    country: Literal["BR"] = "BR"
    phone: Annotated[str, Field(max_length=30)] | None = None
    isDefault: bool = False


class AddressPatch(_Camel):
    """Only the fields sent change. Required fields cannot be cleared: null is 422 for them;
    null clears an optional one (complement, district, phone)."""

    recipientName: Annotated[str, Field(min_length=1, max_length=100)] = None
    street: Annotated[str, Field(min_length=1, max_length=200)] = None
    number: Annotated[str, Field(min_length=1, max_length=20)] = None
    complement: Annotated[str, Field(max_length=100)] | None = None
    district: Annotated[str, Field(max_length=100)] | None = None
    city: Annotated[str, Field(min_length=1, max_length=100)] = None
    state: Annotated[str, Field(min_length=2, max_length=2)] = None
    postalCode: Annotated[str, Field(min_length=8, max_length=9)] = None
    phone: Annotated[str, Field(max_length=30)] | None = None
    isDefault: bool = None


class AddressOut(BaseModel):
    addressId: str
    recipientName: str
    street: str
    number: str
    complement: str | None = None
    district: str | None = None
    city: str
    state: str
    postalCode: str
    country: str
    phone: str | None = None
    isDefault: bool


class AddressCreated(BaseModel):
    addressId: str


class AddressList(BaseModel):
    items: list[AddressOut]


class RoleGrant(_Camel):
    role: Literal["customer", "seller", "staff", "admin"]
    sellerId: Annotated[str, Field(min_length=1, max_length=64)] | None = None


_SNAKE = {"recipientName": "recipient_name", "postalCode": "postal_code"}


def address_fields(model: BaseModel) -> dict:
    data = model.model_dump(exclude_unset=True, exclude={"isDefault"})
    return {_SNAKE.get(k, k): v for k, v in data.items()}


def profile_out(account: Account) -> Profile:
    """The API's view of an account."""
    return Profile(
        accountId=account.account_id,
        email=account.email,
        name=account.name,
        roles=sorted(account.roles),
        sellerId=account.seller_id,
        emailVerified=account.email_verified,
        mfaEnabled=bool(account.totp_secret),
        createdAt=account.created_at,
    )


def address_out(address: Address) -> AddressOut:
    """Raises Conflict ADDRESS_INCOMPLETE for a stored record that breaks today's rules (a
    required field empty): the owner can fix it with PATCH or delete it."""
    try:
        return AddressOut(
            addressId=address.address_id,
            recipientName=address.recipient_name,
            street=address.street,
            number=address.number,
            complement=address.complement,
            district=address.district,
            city=address.city,
            state=address.state,
            postalCode=address.postal_code,
            country=address.country,
            phone=address.phone,
            isDefault=address.is_default,
        )
    except ValidationError as exc:
        logger.error("address record incomplete", extra={"addressId": address.address_id})
        raise Conflict(
            "This address lacks a required field; change it or delete it.",
            code="ADDRESS_INCOMPLETE",
        ) from exc
