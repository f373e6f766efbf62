"""Identity routes.

Public: ``POST /auth/register``, ``/auth/login``, ``/auth/refresh``, ``/auth/logout``,
``/auth/password-reset``, ``/auth/password-reset/confirm``, ``/auth/verify-email``,
``GET /.well-known/jwks.json``.
Signed in: ``GET|PATCH /me``, ``POST /me/password``, ``/me/addresses`` CRUD,
``POST /me/mfa/totp`` (+ ``/confirm``, ``/disable``).
Admins: ``GET /admin/accounts?email=``, ``GET /admin/accounts/{accountId}``,
``POST /admin/accounts/{accountId}/roles``, ``DELETE /admin/accounts/{accountId}/roles/{role}``.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from identity import service, tokens
from identity.store import Account, Address
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.errors import Conflict
from titan.observability import logger

app = create_app()

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


def _address_fields(model: BaseModel) -> dict:
    data = model.model_dump(exclude_unset=True, exclude={"isDefault"})
    return {_SNAKE.get(k, k): v for k, v in data.items()}


def _profile(account: Account) -> Profile:
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


def _address(address: Address) -> AddressOut:
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


def _tokens(issued: service.Tokens) -> TokenResponse:
    return TokenResponse(
        accessToken=issued.access_token,
        refreshToken=issued.refresh_token,
        expiresIn=issued.expires_in,
    )


def _no_content(status: int = 204) -> Response[None]:
    return Response(status, None, None)


# --- public -----------------------------------------------------------------------------------
@app.post(
    "/auth/register",
    tags=["identity"],
    summary="Create a customer account",
    responses=answers(201, Registered),
)
def register(body: RegisterRequest) -> Response[Registered]:
    """201 with the new account's id; 409 EMAIL_TAKEN (e-mails are unique, case-insensitive);
    422 WEAK_PASSWORD with the unmet ``requirements``."""
    account = service.register(body.email, body.password, body.name)
    return Response(201, "application/json", Registered(customerId=account.account_id))


@app.post("/auth/login", tags=["identity"], summary="Sign in")
def login(body: LoginRequest) -> TokenResponse:
    """401 INVALID_CREDENTIALS for an unknown e-mail or a wrong password alike; 401
    MFA_REQUIRED when a TOTP code is needed; 429 RATE_LIMITED with Retry-After when throttled."""
    source_ip = app.current_event.request_context.identity.source_ip or "unknown"
    return _tokens(service.login(body.email, body.password, source_ip, body.totpCode))


@app.post("/auth/refresh", tags=["identity"], summary="Rotate a refresh token")
def refresh(body: RefreshRequest) -> TokenResponse:
    """A refresh token works once; reusing one revokes its session (401 REFRESH_TOKEN_REUSED)."""
    return _tokens(service.refresh(body.refreshToken))


@app.post(
    "/auth/logout",
    tags=["identity"],
    summary="End the session of a refresh token",
    responses=answers(204),
)
def logout(body: RefreshRequest) -> Response[None]:
    service.logout(body.refreshToken)
    return _no_content()


@app.post(
    "/auth/password-reset",
    tags=["identity"],
    summary="E-mail a password reset code",
    responses=answers(202),
)
def password_reset(body: EmailRequest) -> Response[None]:
    """Always 202, whether or not the e-mail has an account."""
    service.request_password_reset(body.email)
    return _no_content(202)


@app.post(
    "/auth/password-reset/confirm",
    tags=["identity"],
    summary="Set a new password",
    responses=answers(204),
)
def password_reset_confirm(body: ResetConfirm) -> Response[None]:
    service.confirm_password_reset(body.code, body.password)
    return _no_content()


@app.post(
    "/auth/verify-email",
    tags=["identity"],
    summary="Confirm the e-mail address",
    responses=answers(204),
)
def verify_email(body: CodeRequest) -> Response[None]:
    service.verify_email(body.code)
    return _no_content()


@app.get("/.well-known/jwks.json", tags=["identity"], summary="Public keys of access tokens")
def jwks() -> dict:
    return tokens.public_jwks()


# --- the signed-in account ------------------------------------------------------------------
@app.get("/me", tags=["profile"], summary="My profile", security=bearer())
def me() -> Profile:
    return _profile(service.get_account(require(app).id))


@app.patch("/me", tags=["profile"], summary="Change my name", security=bearer())
def update_me(body: ProfileUpdate) -> Profile:
    return _profile(service.update_name(require(app).id, body.name))


@app.post(
    "/me/password",
    tags=["profile"],
    summary="Change my password",
    security=bearer(),
    responses=answers(204),
)
def change_password(body: PasswordChange) -> Response[None]:
    """Ends every session (refresh tokens); 401 if the current password is wrong."""
    service.change_password(require(app).id, body.currentPassword, body.newPassword)
    return _no_content()


@app.post(
    "/me/mfa/totp",
    tags=["profile"],
    summary="Start TOTP two-factor sign-in",
    security=bearer(),
    responses=answers(201, TotpSetup),
)
def totp_start() -> Response[TotpSetup]:
    secret, uri = service.start_totp(require(app).id)
    return Response(201, "application/json", TotpSetup(secret=secret, otpauthUri=uri))


@app.post(
    "/me/mfa/totp/confirm",
    tags=["profile"],
    summary="Turn TOTP on with a first code",
    security=bearer(),
    responses=answers(204),
)
def totp_confirm(body: TotpCodeRequest) -> Response[None]:
    service.confirm_totp(require(app).id, body.code)
    return _no_content()


@app.post(
    "/me/mfa/totp/disable",
    tags=["profile"],
    summary="Turn TOTP off with a code",
    security=bearer(),
    responses=answers(204),
)
def totp_disable(body: TotpCodeRequest) -> Response[None]:
    service.disable_totp(require(app).id, body.code)
    return _no_content()


@app.get("/me/addresses", tags=["profile"], summary="My addresses", security=bearer())
def addresses() -> AddressList:
    """Addresses a record of which cannot be shown (written before a rule existed) are left
    out and logged, so one bad record never takes down the list."""
    items = []
    for address in service.list_addresses(require(app).id):
        with contextlib.suppress(Conflict):
            items.append(_address(address))
    return AddressList(items=items)


@app.post(
    "/me/addresses",
    tags=["profile"],
    summary="Add an address",
    security=bearer(),
    responses=answers(201, AddressCreated),
)
def add_address(body: AddressIn) -> Response[AddressCreated]:
    """The first address, or one with ``isDefault``, becomes the default shipping address."""
    address = service.add_address(require(app).id, _address_fields(body), body.isDefault)
    return Response(201, "application/json", AddressCreated(addressId=address.address_id))


@app.get(
    "/me/addresses/<addressId>", tags=["profile"], summary="One of my addresses", security=bearer()
)
def get_address(addressId: str) -> AddressOut:
    return _address(service.get_address(require(app).id, addressId))


@app.patch(
    "/me/addresses/<addressId>", tags=["profile"], summary="Change an address", security=bearer()
)
def update_address(addressId: str, body: AddressPatch) -> AddressOut:
    address = service.update_address(
        require(app).id, addressId, _address_fields(body), body.isDefault
    )
    return _address(address)


@app.delete(
    "/me/addresses/<addressId>",
    tags=["profile"],
    summary="Delete an address",
    security=bearer(),
    responses=answers(204),
)
def delete_address(addressId: str) -> Response[None]:
    service.delete_address(require(app).id, addressId)
    return _no_content()


# --- administration ---------------------------------------------------------------------------
@app.get(
    "/admin/accounts", tags=["admin"], summary="Find an account by e-mail", security=bearer("admin")
)
def find_account(email: Annotated[str, Query(min_length=3, max_length=254)]) -> Profile:
    require(app)
    return _profile(service.find_account(email))


@app.get(
    "/admin/accounts/<accountId>", tags=["admin"], summary="An account", security=bearer("admin")
)
def get_account(accountId: str) -> Profile:
    require(app)
    return _profile(service.get_account(accountId))


@app.post(
    "/admin/accounts/<accountId>/roles",
    tags=["admin"],
    summary="Grant a role",
    security=bearer("admin"),
)
def grant_role(accountId: str, body: RoleGrant) -> Profile:
    """``seller`` needs ``sellerId``. Effective in the account's next access token."""
    actor = require(app)
    return _profile(service.grant_role(actor.id, accountId, body.role, body.sellerId))


@app.delete(
    "/admin/accounts/<accountId>/roles/<role>",
    tags=["admin"],
    summary="Revoke a role",
    security=bearer("admin"),
)
def revoke_role(accountId: str, role: str) -> Profile:
    actor = require(app)
    return _profile(service.revoke_role(actor.id, accountId, role))


handler = lambda_handler(app)
