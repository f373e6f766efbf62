"""Identity persistence: one DynamoDB table (``IDENTITY_TABLE``), pynamodb models.

Items (pk / sk):
- ``ACCOUNT#<id>`` / ``ACCOUNT``: the account (e-mail, name, argon2id hash, roles, MFA)
- ``EMAIL#<normalised e-mail>`` / ``EMAIL``: uniqueness of e-mail addresses; written in one
  transaction with the account, conditionally, so two registrations can never share one
- ``ACCOUNT#<id>`` / ``ADDRESS#<id>``: the account's addresses
- ``ACCOUNT#<id>`` / ``FAMILY#<id>``: a refresh-token family (one per login), revocable at once
- ``CODE#<sha256>`` / ``REFRESH`` | ``RESET`` | ``VERIFY``: single-use codes, stored by digest
- ``THROTTLE#<key>`` / ``THROTTLE``: recent login failures of an e-mail or a source IP
- ``SELLER#<sellerId>`` / ``ACCOUNT#<id>``: an account acting for a seller (written with the
  seller role, in the same transaction), so the seller's people can be told things
Expiring items carry ``expires_at`` (epoch seconds; DynamoDB TTL attribute). Expiry is also
checked on read: TTL deletion can lag by hours.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from titan.dynamo import table_meta

META = table_meta("IDENTITY_TABLE")


class _Item(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Account(_Item):
    account_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    roles = UnicodeSetAttribute(default=set)
    seller_id = UnicodeAttribute(null=True)
    email_verified = BooleanAttribute(default=False)
    totp_secret = UnicodeAttribute(null=True)
    totp_pending = UnicodeAttribute(null=True)
    #: The last TOTP time step a code was accepted for: a code works once.
    totp_last_step = NumberAttribute(null=True)
    #: Raised by every password change; a reset code works only in the epoch it was made in.
    password_epoch = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(account_id: str) -> tuple[str, str]:
        return f"ACCOUNT#{account_id}", "ACCOUNT"


class EmailClaim(_Item):
    account_id = UnicodeAttribute()

    @staticmethod
    def key(email: str) -> tuple[str, str]:
        return f"EMAIL#{email}", "EMAIL"


class SellerMember(_Item):
    account_id = UnicodeAttribute()

    @staticmethod
    def key(seller_id: str, account_id: str) -> tuple[str, str]:
        return f"SELLER#{seller_id}", f"ACCOUNT#{account_id}"


class Address(_Item):
    address_id = UnicodeAttribute()
    recipient_name = UnicodeAttribute()
    street = UnicodeAttribute()
    number = UnicodeAttribute()
    complement = UnicodeAttribute(null=True)
    district = UnicodeAttribute(null=True)
    city = UnicodeAttribute()
    state = UnicodeAttribute()
    postal_code = UnicodeAttribute()
    country = UnicodeAttribute(default="BR")
    phone = UnicodeAttribute(null=True)
    is_default = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()

    @staticmethod
    def key(account_id: str, address_id: str) -> tuple[str, str]:
        return f"ACCOUNT#{account_id}", f"ADDRESS#{address_id}"


class TokenFamily(_Item):
    family_id = UnicodeAttribute()
    revoked_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()

    @staticmethod
    def key(account_id: str, family_id: str) -> tuple[str, str]:
        return f"ACCOUNT#{account_id}", f"FAMILY#{family_id}"


class Code(_Item):
    """A single-use code: a refresh token (with its family), a reset or a verification code."""

    account_id = UnicodeAttribute()
    family_id = UnicodeAttribute(null=True)
    #: For a reset code: the account's ``password_epoch`` when it was made.
    epoch = NumberAttribute(null=True)
    used_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()

    @staticmethod
    def key(digest: str, kind: str) -> tuple[str, str]:
        return f"CODE#{digest}", kind


class Throttle(_Item):
    """Sign-in attempts of an e-mail or IP (``identity.domain.Attempts``); every change is
    conditional on ``version``, so concurrent attempts are counted one by one."""

    failures = NumberAttribute(default=0)
    window_start = NumberAttribute()
    locked_until = NumberAttribute(default=0)
    expires_at = NumberAttribute()
    version = VersionAttribute()

    @staticmethod
    def key(subject: str) -> tuple[str, str]:
        return f"THROTTLE#{subject}", "THROTTLE"
