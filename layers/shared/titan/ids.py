"""Identifiers: ULIDs (time-ordered, 26 characters, Crockford base32) with a type prefix.

``new_id("ord")`` gives ``"ord_01J9Z..."``. Sortable by creation time, so DynamoDB sort keys
built from them list newest-last without a separate timestamp. Library: python-ulid.
"""

from __future__ import annotations

import hashlib
import re

from ulid import ULID

_ID = re.compile(r"^[a-z]{2,12}_[0-9A-HJKMNP-TV-Z]{26}$")


def new_id(prefix: str) -> str:
    """A new id ``<prefix>_<ULID>``; ``prefix`` is 2-12 lowercase letters (ValueError otherwise)."""
    if not re.fullmatch(r"[a-z]{2,12}", prefix):
        raise ValueError(f"invalid id prefix {prefix!r}")
    return f"{prefix}_{ULID()}"


def is_id(value: str, prefix: str | None = None) -> bool:
    """True if ``value`` is a well-formed id (of ``prefix``, when given)."""
    if not isinstance(value, str) or not _ID.match(value):
        return False
    return prefix is None or value.startswith(prefix + "_")


def derived_id(prefix: str, *parts: str) -> str:
    """An id ``<prefix>_<26 characters>`` that always follows from ``parts`` (a caller and
    its Idempotency-Key, say): a request retried after a crash names the same thing again
    instead of making a second one. Well-formed like ``new_id``'s, but not time-ordered."""
    if not re.fullmatch(r"[a-z]{2,12}", prefix):
        raise ValueError(f"invalid id prefix {prefix!r}")
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return f"{prefix}_{ULID.from_bytes(digest[:16])}"
