"""Signed webhooks, as partners (payment providers, carriers) send them to the platform.

Header ``X-Titan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``, the
scheme Stripe documents for its webhooks: the timestamp is signed with the body, so neither
can be changed, and a delivery older than ``SIGNATURE_TOLERANCE_SECONDS`` is refused (a
captured one cannot be replayed later). Digests are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "x-titan-signature"
#: Signatures older (or newer) than this many seconds are refused.
SIGNATURE_TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for ``body`` sent at ``timestamp`` (unix seconds; now
    when None) with ``secret``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, body: bytes, header: str | None, now: int | None = None) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` within the tolerance of ``now``."""
    parts = dict(p.split("=", 1) for p in (header or "").split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
