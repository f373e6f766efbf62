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
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from identity import schemas, service, tokens
from identity.schemas import (
    AddressCreated,
    AddressIn,
    AddressList,
    AddressOut,
    AddressPatch,
    CodeRequest,
    EmailRequest,
    LoginRequest,
    PasswordChange,
    Profile,
    ProfileUpdate,
    RefreshRequest,
    Registered,
    RegisterRequest,
    ResetConfirm,
    RoleGrant,
    TokenResponse,
    TotpCodeRequest,
    TotpSetup,
)
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.errors import Conflict

app = create_app()


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
    return schemas.profile_out(service.get_account(require(app).id))


@app.patch("/me", tags=["profile"], summary="Change my name", security=bearer())
def update_me(body: ProfileUpdate) -> Profile:
    return schemas.profile_out(service.update_name(require(app).id, body.name))


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
            items.append(schemas.address_out(address))
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
    address = service.add_address(require(app).id, schemas.address_fields(body), body.isDefault)
    return Response(201, "application/json", AddressCreated(addressId=address.address_id))


@app.get(
    "/me/addresses/<addressId>", tags=["profile"], summary="One of my addresses", security=bearer()
)
def get_address(addressId: str) -> AddressOut:
    return schemas.address_out(service.get_address(require(app).id, addressId))


@app.patch(
    "/me/addresses/<addressId>", tags=["profile"], summary="Change an address", security=bearer()
)
def update_address(addressId: str, body: AddressPatch) -> AddressOut:
    address = service.update_address(
        require(app).id, addressId, schemas.address_fields(body), body.isDefault
    )
    return schemas.address_out(address)


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
    return schemas.profile_out(service.find_account(email))


@app.get(
    "/admin/accounts/<accountId>", tags=["admin"], summary="An account", security=bearer("admin")
)
def get_account(accountId: str) -> Profile:
    require(app)
    return schemas.profile_out(service.get_account(accountId))


@app.post(
    "/admin/accounts/<accountId>/roles",
    tags=["admin"],
    summary="Grant a role",
    security=bearer("admin"),
)
def grant_role(accountId: str, body: RoleGrant) -> Profile:
    """``seller`` needs ``sellerId``. Effective in the account's next access token."""
    actor = require(app)
    return schemas.profile_out(service.grant_role(actor.id, accountId, body.role, body.sellerId))


@app.delete(
    "/admin/accounts/<accountId>/roles/<role>",
    tags=["admin"],
    summary="Revoke a role",
    security=bearer("admin"),
)
def revoke_role(accountId: str, role: str) -> Profile:
    actor = require(app)
    return schemas.profile_out(service.revoke_role(actor.id, accountId, role))


handler = lambda_handler(app)
