"""The one source of "now" for domain code, so tests can fix or move time.

``now()`` is an aware UTC datetime; ``epoch_seconds()`` an int (DynamoDB TTL attributes use it).
Tests call ``freeze(datetime)`` / ``unfreeze()``.
"""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, UTC, timezone-aware."""
    return _frozen or datetime.now(UTC)


def epoch_seconds() -> int:
    """Seconds since the Unix epoch, as an int."""
    return int(now().timestamp())


def iso(moment: datetime | None = None) -> str:
    """RFC 3339 UTC timestamp with milliseconds: ``2026-11-22T05:00:00.000Z``."""
    moment = (moment or now()).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse(text: str) -> datetime:
    """The aware datetime an RFC 3339 timestamp names (the inverse of ``iso``; a trailing
    ``Z`` or an offset). Raises ValueError for anything else."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def freeze(moment: datetime) -> None:
    """Fix ``now()`` at ``moment`` (must be timezone-aware) until ``unfreeze()``."""
    if moment.tzinfo is None:
        raise ValueError("freeze needs an aware datetime")
    global _frozen
    _frozen = moment


def unfreeze() -> None:
    global _frozen
    _frozen = None
