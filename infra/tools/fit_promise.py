"""Fit the delivery promise on real Olist orders (``make fit-logistics`` writes
functions/shipping/data/promise.json; method and figures in docs/logistics.md).

A promise is the number of calendar days from the purchase date to the promised date. It is
the ``quantile`` of the days orders took, after two effects are taken out:

- the seller's: how much later than sellers at large (median) the seller hands parcels to
  the carrier, from their past orders, shrunk toward 0 by ``SELLER_PRIOR`` orders;
- the purchase's weekday: the median days of orders bought that weekday, less the median.

What is left is taken at the quantile everywhere, per destination region and per
destination state, each level shrunk toward the one above by ``PLACE_PRIOR`` orders (a
state with few orders keeps close to its region).

The quantile is the lowest on a grid whose promises, on orders the fit did not see (five
folds by order id), are late at most ``TARGET_LATE`` of the time: the promise's reliability
is fixed first, then the error is what it is.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta

from logistics_data import Delivery, fold_of, promise_scores
from shipping.domain import REGIONS, PromiseTable

#: Share of held-out orders delivered after the promised date the fit aims for.
TARGET_LATE = 0.075
#: Quantiles tried, lowest first.
QUANTILES = [round(0.85 + 0.005 * i, 3) for i in range(21)]
SELLER_PRIOR = 5
PLACE_PRIOR = 15


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def fit(training: list[Delivery], quantile: float) -> PromiseTable:
    """The promise table fitted on ``training`` at ``quantile`` (see the module doc)."""
    handovers = [d.handover_days for d in training if d.handover_days is not None]
    overall_handover = statistics.median(handovers)
    by_seller_seen: dict[str, list[float]] = defaultdict(list)
    for d in training:
        if d.handover_days is not None:
            by_seller_seen[d.seller_id].append(d.handover_days)
    by_seller = {
        seller: round(
            len(seen) * (statistics.median(seen) - overall_handover) / (len(seen) + SELLER_PRIOR),
            3,
        )
        for seller, seen in sorted(by_seller_seen.items())
    }
    overall_days = statistics.median(d.days for d in training)
    weekday_seen: dict[int, list[int]] = defaultdict(list)
    for d in training:
        weekday_seen[d.purchased.weekday()].append(d.days)
    by_weekday = [
        round(statistics.median(weekday_seen[w]) - overall_days, 3) if weekday_seen[w] else 0.0
        for w in range(7)
    ]
    left: dict[str, list[float]] = defaultdict(list)
    for d in training:
        rest = d.days - by_seller.get(d.seller_id, 0.0) - by_weekday[d.purchased.weekday()]
        region = REGIONS.get(d.state, "?")
        for key in ("", region, f"{region}/{d.state}"):
            left[key].append(rest)
    by_place = {"": round(_quantile(left[""], quantile), 3)}
    for key in sorted(left, key=lambda k: k.count("/") + bool(k)):
        if not key:
            continue
        parent = by_place[key.split("/")[0] if "/" in key else ""]
        seen = len(left[key])
        own = _quantile(left[key], quantile)
        by_place[key] = round((seen * own + PLACE_PRIOR * parent) / (seen + PLACE_PRIOR), 3)
    return PromiseTable(
        quantile=quantile, by_place=by_place, by_seller=by_seller, by_weekday=by_weekday
    )


def promised(table: PromiseTable, every: list[Delivery]) -> list[datetime]:
    """The promised date (midnight) of each order, as it would have been promised at purchase."""
    return [
        datetime.combine(d.purchased.date(), datetime.min.time())
        + timedelta(days=table.days(d.state, d.seller_id, d.purchased.weekday()))
        for d in every
    ]


def cross_validate(
    every: list[Delivery], quantile: float, folds: int = 5
) -> list[tuple[float, float]]:
    """(MAE in days, share late) on each fold, promised by a table fitted on the others."""
    scores = []
    for k in range(folds):
        held = [d for d in every if fold_of(d.order_id, folds) == k]
        table = fit([d for d in every if fold_of(d.order_id, folds) != k], quantile)
        scores.append(promise_scores(promised(table, held), held))
    return scores


def choose_quantile(every: list[Delivery]) -> tuple[float, list[tuple[float, float]]]:
    """The lowest quantile whose held-out share late is at most ``TARGET_LATE``, and its
    fold scores."""
    for quantile in QUANTILES:
        scores = cross_validate(every, quantile)
        if statistics.mean(late for _, late in scores) <= TARGET_LATE:
            break
    return quantile, scores  # the last on the grid when none is reliable enough


def olist_scores(every: list[Delivery]) -> tuple[float, float]:
    """Olist's own promise (its estimated delivery date) on the same orders."""
    return promise_scores([d.olist_promise for d in every], every)
