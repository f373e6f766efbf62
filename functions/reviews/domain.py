"""The reviews context's pure rules: what moderation finds in a review, how ratings add up, and
how reviews are ranked. No I/O here: the service reads and writes, these decide.

Moderation looks for what marketplaces keep off their review pages:
- off-platform contact: e-mail addresses, links, Brazilian phone numbers, CPF numbers (the
  check digits are verified, so an order number is not taken for one);
- profanity in Portuguese and English, from the glin-profanity word lists (a maintained
  library), whole words only;
- the same text from several accounts, and bursts of reviews on one product or seller (their
  counts come from the store; the thresholds decide here).

Content findings (contact data, profanity) hold the text for staff but the stars still count:
the buyer's experience was real. Findings that say the review itself may not be genuine
(duplicate text across accounts, a burst) keep its stars out of the ratings until staff
publish it.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from titan.contact import contact_data

#: Stars a review gives.
SCORES = (1, 2, 3, 4, 5)
#: What a review is of: a product (an order line) or a seller (a package).
PRODUCT, SELLER = "PRODUCT", "SELLER"

# ------------------------------------------------------------------ moderation findings

CONTACT_DATA = "CONTACT_DATA"
PROFANITY = "PROFANITY"
DUPLICATE_TEXT = "DUPLICATE_TEXT"
BURST = "BURST"
REPORTED = "REPORTED"
SPAM = "SPAM"
#: Findings that question the review's authenticity: its stars wait for staff.
SUSPICIOUS = frozenset({DUPLICATE_TEXT, BURST, SPAM})

PUBLISHED, HELD, REJECTED, DELETED = "PUBLISHED", "HELD", "REJECTED", "DELETED"

#: Words of the library's lists that are everyday words in reviews; a hit inside these
#: phrases is not profanity ("saco plástico": a plastic bag).
PROFANITY_ALLOWED_PHRASES = ("saco plástico", "saco plastico", "saquinho")


@cache
def _profanity_filter():
    """The glin-profanity filter for Portuguese and English, whole words (built once: about
    200 ms)."""
    from glin_profanity import Filter

    return Filter(
        {
            "languages": ["portuguese", "english"],
            "word_boundaries": True,
            "whitelist": list(PROFANITY_ALLOWED_PHRASES),
        }
    )


def profanity(text: str) -> list[str]:
    """The profane words in ``text`` (lower-case, each once, in order found)."""
    if not text.strip():
        return []
    result = _profanity_filter().check_profanity(text)
    if not result["contains_profanity"]:
        return []
    return list(dict.fromkeys(w.lower() for w in result["profane_words"]))


def normalized(text: str) -> str:
    """``text`` folded for comparison: lower-case, accents and punctuation gone, spaces
    collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[0-9a-z]+", bare))


#: Texts shorter than this (normalised characters) are not compared across accounts: "Ótimo
#: produto, recomendo" is written by thousands of honest buyers.
FINGERPRINT_MIN_CHARS = 40


def fingerprint(title: str, text: str) -> str | None:
    """A hash of the review's normalised words, or None when too short to say anything."""
    words = normalized(f"{title} {text}")
    if len(words) < FINGERPRINT_MIN_CHARS:
        return None
    return hashlib.sha256(words.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Finding:
    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


@dataclass(frozen=True)
class Signals:
    """What the store counted for a review: other accounts with the same text, and reviews of
    the same product or seller in the same hour (this one included)."""

    same_text_accounts: int = 0
    subject_reviews_this_hour: int = 0


@dataclass(frozen=True)
class Thresholds:
    #: Reviews of one product, or of one seller, in one hour before they are a burst.
    burst_per_hour: int = 20


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Verdict:
    status: str  # PUBLISHED, HELD or REJECTED
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def counted(self) -> bool:
        """Do the stars count in the ratings now."""
        return counts(self.status, [f.code for f in self.findings])

    @property
    def reasons(self) -> list[dict[str, str]]:
        return [f.as_dict() for f in self.findings]


def counts(status: str, codes: list[str] | tuple[str, ...]) -> bool:
    """Whether a review's stars are in its product's and seller's ratings: published ones, and
    held or rejected ones whose findings are only about the words, never deleted ones nor
    those suspected (or judged) not genuine."""
    if status == DELETED:
        return False
    if status == PUBLISHED:
        return True
    return not (set(codes) & SUSPICIOUS) and "NOT_GENUINE" not in codes


def moderate(
    title: str, text: str, signals: Signals, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Verdict:
    """Automatic moderation of a review's words and circumstances: PUBLISHED when nothing is
    found; REJECTED as SPAM when it carries a link and another way to reach someone (an
    advertisement, not a review); else HELD for staff with every finding."""
    words = f"{title}\n{text}"
    findings = []
    contact = contact_data(words)
    if "link" in contact and len(contact) > 1:  # a link and a way to call: an advertisement
        return Verdict(REJECTED, (Finding(SPAM, ", ".join(contact)),))
    if contact:
        findings.append(Finding(CONTACT_DATA, ", ".join(contact)))
    bad = profanity(words)
    if bad:
        findings.append(Finding(PROFANITY, ", ".join(bad)))
    if signals.same_text_accounts > 0:
        findings.append(
            Finding(DUPLICATE_TEXT, f"{signals.same_text_accounts} other account(s), same text")
        )
    if signals.subject_reviews_this_hour > thresholds.burst_per_hour:
        findings.append(
            Finding(BURST, f"{signals.subject_reviews_this_hour} reviews of it within an hour")
        )
    return Verdict(HELD if findings else PUBLISHED, tuple(findings))


def hour_bucket(moment: datetime) -> str:
    """The UTC hour a review falls in, for burst counts: ``2026-11-30T21``."""
    return moment.strftime("%Y-%m-%dT%H")


# ------------------------------------------------------------------ ratings


@dataclass(frozen=True)
class Rating:
    """A product's or seller's stars: how many reviews gave each score."""

    distribution: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)

    @property
    def count(self) -> int:
        return sum(self.distribution)

    @property
    def total(self) -> int:
        return sum(n * s for n, s in zip(self.distribution, SCORES, strict=True))

    @property
    def average(self) -> float | None:
        """The mean score rounded to 2 places, None with no reviews."""
        return round(self.total / self.count, 2) if self.count else None

    def as_dict(self) -> dict:
        return {
            "average": self.average,
            "count": self.count,
            "distribution": {str(s): n for s, n in zip(SCORES, self.distribution, strict=True)},
        }


def rating_delta(before: tuple[int, bool] | None, after: tuple[int, bool] | None) -> dict[int, int]:
    """What a change to one review does to its subject's distribution: ``{score: +-1}``.
    ``before``/``after``: (score, counted) of the review, None when it did not (or no longer)
    exist."""
    delta: dict[int, int] = {}
    if before and before[1]:
        delta[before[0]] = delta.get(before[0], 0) - 1
    if after and after[1]:
        delta[after[0]] = delta.get(after[0], 0) + 1
    return {s: d for s, d in delta.items() if d}


# ------------------------------------------------------------------ ranking

#: z for a 95% two-sided confidence level.
Z95 = 1.959963984540054
#: Days over which a review's rank halves: a helpful review of two years ago yields to a
#: helpful one of last month.
HALF_LIFE_DAYS = 365.0


def wilson_lower_bound(positive: int, total: int, z: float = Z95) -> float:
    """The lower bound of the Wilson score interval for the share of ``positive`` among
    ``total`` votes, 0.0 with no votes.

    Source: E. B. Wilson, "Probable inference, the law of succession, and statistical
    inference", Journal of the American Statistical Association 22 (1927), 209-212; its use
    for ranking by votes: Evan Miller, "How Not To Sort By Average Rating" (2009). Unlike the
    plain share, 1 vote of 1 does not outrank 90 of 100."""
    if total <= 0:
        return 0.0
    p = positive / total
    z2 = z * z
    centre = p + z2 / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    return (centre - margin) / (1 + z2 / total)


def helpfulness_rank(helpful: int, unhelpful: int, age_days: float) -> float:
    """A review's place when sorted by helpfulness: the Wilson lower bound of its helpful
    votes, halved every ``HALF_LIFE_DAYS`` of age. Reviews nobody voted on rank 0 and fall
    back on recency (the caller's tie-break)."""
    return wilson_lower_bound(helpful, helpful + unhelpful) * 0.5 ** (
        max(age_days, 0.0) / HALF_LIFE_DAYS
    )
