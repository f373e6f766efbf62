"""Identifiers: ULIDs (time-ordered, 26 characters, Crockford base32) with a type prefix.

``new_id("ord")`` gives ``"ord_01J9Z..."``. Sortable by creation time, so DynamoDB sort keys
built from them list newest-last without a separate timestamp. Library: python-ulid.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Annotated

from pydantic import Field
from ulid import ULID

_ID = re.compile(r"^[a-z]{2,12}_[0-9A-HJKMNP-TV-Z]{26}$")


def pattern(prefix: str) -> str:
    """The regular expression of an id of ``prefix`` (``^ord_[0-9A-HJKMNP-TV-Z]{26}$``)."""
    return rf"^{prefix}_[0-9A-HJKMNP-TV-Z]{{26}}$"


def typed(prefix: str, description: str | None = None):
    """The pydantic type of an id of ``prefix``: a ``str`` its pattern constrains, for request
    and event models (``AccountId``, ``OrderId``...) and path parameters."""
    return Annotated[str, Field(pattern=pattern(prefix), description=description)]


AccountId = typed("acct", "An account (acct_ and a ULID)")
AddressId = typed("addr", "An address in an account's book (addr_ and a ULID)")
OrderId = typed("ord", "An order (ord_ and a ULID)")
CheckoutId = typed("chk", "A checkout (chk_ and a ULID)")
ReturnId = typed("ret", "A return (ret_ and a ULID)")
SaleId = typed("fs", "A flash sale (fs_ and a ULID)")
SaleReservationId = typed("fsr", "A flash-sale reservation (fsr_ and a ULID)")
EventId = typed("evt", "An event (evt_ and a ULID)")
ReviewId = typed("rev", "A review (rev_ and a ULID)")
ConversationId = typed("cnv", "A chat conversation (cnv_ and a ULID)")
MessageId = typed("msg", "A chat message (msg_ and a ULID)")
NotificationId = typed("ntf", "A notification (ntf_ and a ULID)")
SellerApplicationId = typed("sap", "An application to sell (sap_ and a ULID)")
SkuId = typed("sku", "A variant (SKU) of a seller's listing (sku_ and a ULID)")
#: Olist's identifiers of products and sellers (and of the sellers approved since): 32
#: lowercase hex digits.
SOURCE_ID = r"^[0-9a-f]{32}$"
SourceId = Annotated[str, Field(pattern=SOURCE_ID)]


def new_id(prefix: str, at: datetime | None = None) -> str:
    """A new id ``<prefix>_<ULID>``; ``prefix`` is 2-12 lowercase letters (ValueError otherwise).
    ``at`` (timezone-aware) stamps the ULID with that instant instead of now, so that ids
    sort by when what they name happened."""
    if not re.fullmatch(r"[a-z]{2,12}", prefix):
        raise ValueError(f"invalid id prefix {prefix!r}")
    return f"{prefix}_{ULID.from_datetime(at) if at is not None else ULID()}"


def is_id(value: str, prefix: str | None = None) -> bool:
    """True if ``value`` is a well-formed id (of ``prefix``, when given)."""
    if not isinstance(value, str) or not _ID.match(value):
        return False
    return prefix is None or value.startswith(prefix + "_")


def suffix(value: str) -> str:
    """The ULID part of an id (``ord_01J9Z...`` → ``01J9Z...``): ids that follow one from
    another share it (an order and its checkout, a cancellation and its order)."""
    prefix, sep, rest = value.partition("_")
    if not sep or not rest:
        raise ValueError(f"not an id: {value!r}")
    return rest


def related(prefix: str, value: str) -> str:
    """The id of ``prefix`` that follows from ``value`` (``related("evt", "ord_01J9Z...")``
    → ``"evt_01J9Z..."``): one thing per thing it follows from."""
    return f"{prefix}_{suffix(value)}"


def derived_id(prefix: str, *parts: str) -> str:
    """An id ``<prefix>_<26 characters>`` that always follows from ``parts`` (a caller and
    its Idempotency-Key, say): a request retried after a crash names the same thing again
    instead of making a second one. Well-formed like ``new_id``'s, but not time-ordered."""
    if not re.fullmatch(r"[a-z]{2,12}", prefix):
        raise ValueError(f"invalid id prefix {prefix!r}")
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return f"{prefix}_{ULID.from_bytes(digest[:16])}"
