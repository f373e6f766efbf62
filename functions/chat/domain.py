"""The chat context's pure rules: who is in a conversation, what a message may say, how fast
someone may write, and how a seller's responsiveness is measured.

A conversation is between one buyer (an account) and one seller (everyone acting for the
seller's shop), about a product, an order or nothing in particular. Marketplaces keep trade on
the platform: contact data in a message is masked (``titan.contact``), as Shopee and Mercado
Livre do in their chats.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime

from titan.contact import mask

BUYER, SELLER = "BUYER", "SELLER"
PRODUCT, ORDER, GENERAL = "PRODUCT", "ORDER", "GENERAL"
MAX_TEXT_CHARS = 2000
MAX_ATTACHMENTS = 5

#: Upper bounds (seconds) of the response-time histogram's buckets; the last bucket is
#: everything slower. A median is reported as the bound of the bucket it falls in ("within an
#: hour"), the precision shops show buyers.
RESPONSE_BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 259200)


@dataclass(frozen=True)
class Party:
    """Who a caller is in a conversation: ``side`` BUYER or SELLER."""

    side: str

    @property
    def other(self) -> str:
        return SELLER if self.side == BUYER else BUYER


def party(
    caller_id: str, caller_seller_id: str | None, buyer_id: str, seller_id: str
) -> Party | None:
    """The caller's side in the conversation of ``buyer_id`` and ``seller_id``, or None when
    the caller is in neither (an outsider). A seller's member writing to their own shop as a
    buyer is the buyer: the account decides before the shop."""
    if caller_id == buyer_id:
        return Party(BUYER)
    if caller_seller_id and caller_seller_id == seller_id:
        return Party(SELLER)
    return None


def subject_key(kind: str, subject_id: str | None) -> str:
    """What makes a conversation unique between a buyer and a seller: its subject."""
    return f"{kind}#{subject_id or '-'}"


def cleaned(text: str) -> tuple[str, list[str]]:
    """(the message text as stored and shown, the kinds of contact data masked). Raises
    ValueError for a message with no text left or longer than ``MAX_TEXT_CHARS``."""
    text = text.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"A message has at most {MAX_TEXT_CHARS} characters.")
    return mask(text)


def preview(text: str, size: int = 80) -> str:
    """A conversation list's one-line preview of a message."""
    line = " ".join(text.split())
    return line if len(line) <= size else line[: size - 1] + "…"


def minute_window(moment: datetime) -> str:
    """The rate limit's window of ``moment``: its UTC minute (``2026-12-01T10:04``)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def response_bucket(seconds: float) -> int:
    """The histogram bucket of a response time: the index of the first bound at least
    ``seconds``, or ``len(RESPONSE_BUCKETS)`` past the last."""
    return bisect_left(RESPONSE_BUCKETS, seconds)


def median_bound(histogram: list[int]) -> int | None:
    """The upper bound (seconds) of the bucket holding the median response, None without
    responses (or when the median is slower than the last bound)."""
    total = sum(histogram)
    if not total:
        return None
    running = 0
    for index, count in enumerate(histogram):
        running += count
        if running * 2 >= total:
            return RESPONSE_BUCKETS[index] if index < len(RESPONSE_BUCKETS) else None
    return None


def response_rate(asked: int, answered: int) -> float | None:
    """The share of buyers' questions the seller answered in the window (0-1, three decimals),
    None before any question."""
    return round(min(answered, asked) / asked, 3) if asked else None
