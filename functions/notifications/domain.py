"""Notification rules, pure: categories and channels, a person's preferences, quiet hours.

- A message belongs to one **category**. Transactional ones (an order, its shipping, returns
  and refunds, a seller's shop) cannot be switched off: they always reach the inbox and the
  e-mail address (Brazil's consumer code, art. 6 III, and the LGPD's art. 7 V let a seller
  tell a buyer about the contract without consent; marketing needs the person's opt-in,
  LGPD art. 7 I). Marketing is opt-in: no channel until the person turns one on.
- **Channels**: ``EMAIL`` (SES), ``SMS`` (SNS), ``PUSH`` (SNS platform endpoints, every
  device of the account) and ``INBOX`` (``GET /me/notifications``).
- **Quiet hours** (``22:00``-``08:00`` by default, in the account's time zone) delay the
  outside channels of non-urgent messages to their end; the inbox is never delayed, and an
  urgent message (the buyer waits for it, or must act soon) is never held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from titan.errors import FieldRefused

EMAIL, SMS, PUSH, INBOX = "EMAIL", "SMS", "PUSH", "INBOX"
CHANNELS = (EMAIL, SMS, PUSH, INBOX)
LOCALES = ("pt-BR", "en")
DEFAULT_LOCALE = "pt-BR"
DEFAULT_TIME_ZONE = "America/Sao_Paulo"
DEFAULT_QUIET = (time(22, 0), time(8, 0))


@dataclass(frozen=True)
class Category:
    """``transactional``: cannot be switched off (``REQUIRED`` channels always on);
    ``defaults``: the channels on until the person chooses (none for marketing: opt-in)."""

    name: str
    transactional: bool
    defaults: frozenset[str]
    description: str


REQUIRED = frozenset({EMAIL, INBOX})
CATEGORIES = {
    c.name: c
    for c in (
        Category("ORDERS", True, frozenset({EMAIL, PUSH, INBOX}), "Your orders and payments"),
        Category("SHIPPING", True, frozenset({EMAIL, PUSH, INBOX}), "Your packages on their way"),
        Category("RETURNS", True, frozenset({EMAIL, PUSH, INBOX}), "Returns and refunds"),
        Category(
            "SHOP",
            True,
            frozenset({EMAIL, PUSH, INBOX}),
            "For sellers: new orders, returns to decide, reviews, stock running low",
        ),
        Category("REVIEWS", False, frozenset({EMAIL, PUSH, INBOX}), "Replies to your reviews"),
        Category("CHAT", False, frozenset({EMAIL, PUSH, INBOX}), "Messages while you are away"),
        Category("MARKETING", False, frozenset(), "Offers, flash sales and news (opt-in)"),
    )
}


class PreferenceError(FieldRefused):
    """A preference change the rules refuse."""


def channels_for(category: str, chosen: dict[str, dict[str, bool]] | None) -> frozenset[str]:
    """The channels a message of ``category`` goes to, given the person's choices
    (``{category: {channel: on}}``; absent = the category's default). Required channels of a
    transactional category are always in. Raises KeyError for an unknown category."""
    rule = CATEGORIES[category]
    picked = set(rule.defaults)
    for channel, on in ((chosen or {}).get(category) or {}).items():
        (picked.add if on else picked.discard)(channel)
    if rule.transactional:
        picked |= REQUIRED
    return frozenset(picked)


def check_choices(
    choices: dict[str, dict[str, bool]], has_phone: bool
) -> dict[str, dict[str, bool]]:
    """Validate a person's channel choices; returns them. Raises PreferenceError:
    ``TRANSACTIONAL_REQUIRED`` for switching off e-mail or the inbox of a transactional
    category, ``PHONE_REQUIRED`` for SMS without a phone number."""
    for category, picked in choices.items():
        rule = CATEGORIES[category]
        for channel, on in picked.items():
            where = f"categories.{category}.{channel}"
            if rule.transactional and channel in REQUIRED and not on:
                raise PreferenceError(
                    f"{category} messages are about your orders: {channel} cannot be off.",
                    "TRANSACTIONAL_REQUIRED",
                    where,
                )
            if channel == SMS and on and not has_phone:
                raise PreferenceError(
                    "Give a phone number to receive SMS.", "PHONE_REQUIRED", "phone"
                )
    return choices


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``. Raises PreferenceError ``TIME_ZONE_UNKNOWN``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PreferenceError(
            f"{name!r} is not an IANA time zone (such as America/Sao_Paulo).",
            "TIME_ZONE_UNKNOWN",
            "timeZone",
        ) from exc


def quiet_until(now: datetime, time_zone: str, quiet: tuple[time, time] | None) -> datetime | None:
    """When the quiet hours around ``now`` (aware, any zone) end, in UTC, or None when
    ``now`` is outside them (or there are none). ``quiet`` is (start, end) wall-clock times
    in ``time_zone``; start after end spans midnight (22:00-08:00). On a daylight-saving
    day the end is the wall-clock time as the zone has it (a skipped hour moves it later)."""
    if quiet is None:
        return None
    start, end = quiet
    tz = zone(time_zone)
    local = now.astimezone(tz)
    wall = local.time().replace(tzinfo=None)
    if start <= end:
        inside = start <= wall < end
        day = local.date()
    else:  # spans midnight
        inside = wall >= start or wall < end
        day = local.date() + timedelta(days=1) if wall >= start else local.date()
    if not inside:
        return None
    # A wall time in an hour a spring-forward skips is read with the offset before the jump
    # (PEP 495, fold=0): an hour later by the new clock.
    return datetime.combine(day, end, tzinfo=tz).astimezone(UTC)


def parse_quiet(start: str, end: str) -> tuple[time, time]:
    """("22:00", "08:00") → times. Raises PreferenceError ``QUIET_HOURS_INVALID`` for equal
    times (a whole day of quiet would hold every message)."""
    begins, ends = time.fromisoformat(start), time.fromisoformat(end)
    if begins == ends:
        raise PreferenceError(
            "Quiet hours must start and end at different times.",
            "QUIET_HOURS_INVALID",
            "quietHours",
        )
    return begins, ends
