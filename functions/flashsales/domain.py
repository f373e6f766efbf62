"""Flash-sale rules, pure: shard sizing, the split of a sale's units over its shards, the
phase of a sale at a moment, and the token bucket behind the purchase route's rate limits.

Sizing (DynamoDB limits, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
bp-partition-key-design.html and .../transaction-apis.html#transaction-capacity-handling):
one partition serves at most 1,000 write units per second, and an item written inside a
transaction costs 2 write units per KB. A purchase changes one shard item (under 1 KB) in a
transaction, so one shard takes at most 500 purchases/s. Shards are sized to run at
``TARGET_UTILISATION`` of that, so random picks that land unevenly stay under the limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

#: Write units per second one DynamoDB partition accepts.
PARTITION_WRITE_UNITS = 1_000
#: Write units a transactional write of an item up to 1 KB costs.
TRANSACTIONAL_WRITE_UNITS = 2
#: Fraction of a partition's write capacity a shard is planned to use.
TARGET_UTILISATION = 0.5
MAX_SHARDS = 100


def purchases_per_shard() -> int:
    """Purchases/s one shard is planned for: 1,000 / 2 x 0.5 = 250."""
    return int(PARTITION_WRITE_UNITS / TRANSACTIONAL_WRITE_UNITS * TARGET_UTILISATION)


def shard_count(expected_rate: int, quantity: int) -> int:
    """Shards for ``expected_rate`` purchase attempts per second on one sale of ``quantity``
    units: ceil(rate / 250), at least 1, never more shards than units (each shard holds at
    least one) nor ``MAX_SHARDS``. 10,000 purchases/s → 40 shards."""
    if expected_rate < 1 or quantity < 1:
        raise ValueError("expected_rate and quantity must be positive")
    return max(1, min(math.ceil(expected_rate / purchases_per_shard()), quantity, MAX_SHARDS))


def split(quantity: int, shards: int) -> list[int]:
    """``quantity`` units over ``shards`` shards as evenly as can be (the first ones get the
    remainder): ``split(10, 4) == [3, 3, 2, 2]``."""
    base, extra = divmod(quantity, shards)
    return [base + (1 if k < extra else 0) for k in range(shards)]


def allocate(remaining: dict[int, int], quantity: int, order: list[int]) -> dict[int, int] | None:
    """Take ``quantity`` units from shards (``remaining``: shard → units left), visiting them
    in ``order``; ``{shard: units}`` or None when they hold fewer than ``quantity`` in all."""
    taken: dict[int, int] = {}
    need = quantity
    for shard in order:
        if need == 0:
            break
        units = min(remaining.get(shard, 0), need)
        if units > 0:
            taken[shard] = units
            need -= units
    return taken if need == 0 else None


def phase(starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """``UPCOMING`` before ``starts_at``, ``ACTIVE`` from it until ``ends_at`` (excluded),
    then ``ENDED``."""
    if now < starts_at:
        return "UPCOMING"
    return "ACTIVE" if now < ends_at else "ENDED"


@dataclass(frozen=True)
class Bucket:
    """A token bucket of ``burst`` tokens refilled at ``rate`` tokens per second, kept as one
    number, the theoretical arrival time ``tat`` (the generic cell rate algorithm, GCRA, of
    ITU-T I.371; https://en.wikipedia.org/wiki/Generic_cell_rate_algorithm): a request at
    ``now`` is allowed if ``max(tat, now) - now <= tolerance`` and moves ``tat`` on by
    ``interval``. It allows exactly what the token bucket allows, and each decision is one
    conditional write of one number, so concurrent requests never overwrite each other."""

    rate: float
    burst: int

    @property
    def interval(self) -> float:
        """Seconds one token takes to come back."""
        return 1 / self.rate

    @property
    def tolerance(self) -> float:
        """How far ahead of ``now`` ``tat`` may be for a request to pass (seconds)."""
        return (self.burst - 1) * self.interval

    def take(self, tat: float | None, now: float) -> tuple[bool, float | None, int]:
        """A request at ``now`` (epoch seconds) against ``tat`` (None: a full bucket):
        ``(allowed, the new tat, seconds to wait before retrying when refused)``."""
        start = now if tat is None else max(tat, now)
        if start - now > self.tolerance + 1e-9:
            return False, tat, max(1, math.ceil(start - self.tolerance - now))
        return True, start + self.interval, 0
