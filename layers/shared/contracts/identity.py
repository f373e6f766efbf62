"""Events published by the identity context (source ``titan.identity``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from contracts.base import Event
from titan import ids
from titan.ids import AccountId


class AccountRegistered(Event, source="titan.identity"):
    """A customer account was created. Security audit event: never carries passwords, tokens or
    codes.
    """

    accountId: AccountId


class EmailVerified(Event, source="titan.identity"):
    """The account's e-mail address was confirmed. Security audit event: never carries passwords,
    tokens or codes.
    """

    accountId: AccountId


class LoginFailed(Event, source="titan.identity"):
    """A sign-in failed (unknown e-mail, wrong password or TOTP code). Security audit event: never
    carries passwords, tokens or codes.
    """

    accountId: Annotated[
        str | None,
        Field(pattern=ids.pattern("acct"), description="null when the e-mail has no account"),
    ]
    sourceIp: Annotated[str, Field(description="Source IP of the request")]


class LoginSucceeded(Event, source="titan.identity"):
    """A sign-in succeeded. Security audit event: never carries passwords, tokens or codes."""

    accountId: AccountId
    sourceIp: Annotated[str, Field(description="Source IP of the request")]


class LoginThrottled(Event, source="titan.identity"):
    """A sign-in was refused because the e-mail or the IP is locked out. Security audit event:
    never carries passwords, tokens or codes.
    """

    sourceIp: Annotated[str, Field(description="Source IP of the request")]


class MfaDisabled(Event, source="titan.identity"):
    """TOTP two-factor sign-in was turned off. Security audit event: never carries passwords,
    tokens or codes.
    """

    accountId: AccountId


class MfaEnabled(Event, source="titan.identity"):
    """TOTP two-factor sign-in was turned on. Security audit event: never carries passwords, tokens
    or codes.
    """

    accountId: AccountId


class PasswordChanged(Event, source="titan.identity"):
    """The password changed (reset or change); every session was ended. Security audit event: never
    carries passwords, tokens or codes.
    """

    accountId: AccountId


class PasswordResetRequested(Event, source="titan.identity"):
    """A password reset code was e-mailed. Security audit event: never carries passwords, tokens or
    codes.
    """

    accountId: AccountId


class RefreshTokenReused(Event, source="titan.identity"):
    """A used refresh token was presented again; its session was revoked. Security audit event:
    never carries passwords, tokens or codes.
    """

    accountId: AccountId


class RoleGranted(Event, source="titan.identity"):
    """An admin granted a role. Security audit event: never carries passwords, tokens or codes."""

    accountId: AccountId
    role: Literal["customer", "seller", "staff", "admin"]
    grantedBy: AccountId
    sellerId: str | None = None


class RoleRevoked(Event, source="titan.identity"):
    """An admin revoked a role. Security audit event: never carries passwords, tokens or codes."""

    accountId: AccountId
    role: Literal["customer", "seller", "staff", "admin"]
    revokedBy: AccountId
