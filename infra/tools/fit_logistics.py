"""Fit the market service's rate table and the delivery promise on real Olist orders and
write functions/shipping/data/market.json and promise.json (docs/logistics.md; the promise's
method is in ``fit_promise``).

The model: log(freight) is a sum of effects (distance band, billable-weight band, same state,
pair of regions, items in the package), fitted by backfitting with medians: each effect in
turn becomes the median of what the others leave unexplained, until they settle. Medians
make it robust to the odd freight and fit what it is judged on, the median absolute
percentage error.

Before writing, it estimates that error on orders the fit did not see: the orders are split
into five folds by order id; each fold is predicted by a table fitted on the other four.
The table written is then fitted on every order.

    python infra/tools/fit_logistics.py [--orders infra/seed/olist/orders] [--check]

``--check`` fits again and fails if either file differs (the fits are deterministic).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import fit_promise
from logistics_data import CATALOG, ROOT, Case, cases, deliveries, fold_of
from shipping.domain import MarketTable, PromiseTable

DATA = ROOT / "functions" / "shipping" / "data"
TARGET = DATA / "market.json"
PROMISE = DATA / "promise.json"
DISTANCE_EDGES = [0, 30, 100, 200, 350, 500, 750, 1000, 1300, 1600, 2000, 2500, 3000]
WEIGHT_EDGES = [0, 0.3, 0.5, 1, 2, 3, 5, 8, 12, 20, 30]
VALUE_EDGES = [0, 30, 60, 100, 200, 400, 1000]
ITEMS = 3
EFFECTS = ("distance", "weight", "value", "same_state", "regions", "items")
#: An effect level seen fewer times than this keeps no effect of its own (counts 0).
MIN_CASES = 5
ROUNDS = 25


def _table(effects: dict[str, dict]) -> MarketTable:
    """The table holding ``effects`` (``{effect: {level: value}}``); missing levels count 0."""
    return MarketTable(
        distance_edges=DISTANCE_EDGES,
        weight_edges=WEIGHT_EDGES,
        value_edges=VALUE_EDGES,
        by_distance=[effects["distance"].get(i, 0.0) for i in range(len(DISTANCE_EDGES))],
        by_weight=[effects["weight"].get(i, 0.0) for i in range(len(WEIGHT_EDGES))],
        by_value=[effects["value"].get(i, 0.0) for i in range(len(VALUE_EDGES))],
        by_same_state=dict(sorted(effects["same_state"].items())),
        by_regions=dict(sorted(effects["regions"].items())),
        by_items=[effects["items"].get(i, 0.0) for i in range(ITEMS)],
    )


def fit(training: list[Case]) -> MarketTable:
    """The table fitted on ``training`` by backfitting with medians (see the module doc)."""
    effects: dict[str, dict] = {name: {} for name in EFFECTS}
    table = _table(effects)  # only its band edges are used, to key the cases
    keyed = [
        (table.features(c.parcel, c.route, c.items, c.value), math.log(c.freight)) for c in training
    ]

    def others(keys: dict, but: str) -> float:
        return sum(effects[e].get(keys[e], 0.0) for e in EFFECTS if e != but)

    for _ in range(ROUNDS):
        for effect in EFFECTS:
            left: dict = defaultdict(list)
            for keys, target in keyed:
                left[keys[effect]].append(target - others(keys, effect))
            effects[effect] = {
                level: round(statistics.median(values), 4)
                for level, values in left.items()
                if len(values) >= MIN_CASES
            }
    return _table(effects)


def median_error(table: MarketTable, evaluated: list[Case]) -> float:
    """Median absolute percentage error of the table's freight against the freight charged."""
    return statistics.median(
        abs(table.freight(c.parcel, c.route, c.items, c.value) / 100 - c.freight) / c.freight
        for c in evaluated
    )


def cross_validate(every: list[Case], folds: int = 5) -> list[float]:
    """The median error on each fold, predicted by a table fitted on the other folds."""
    return [
        median_error(
            fit([c for c in every if fold_of(c.order_id, folds) != k]),
            [c for c in every if fold_of(c.order_id, folds) == k],
        )
        for k in range(folds)
    ]


def render(table: MarketTable | PromiseTable) -> str:
    return json.dumps(asdict(table), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Path, default=CATALOG / "orders")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    every = cases(args.orders)
    delivered = deliveries(args.orders)
    table = render(fit(every))
    if args.check:
        quantile = json.loads(PROMISE.read_text())["quantile"] if PROMISE.exists() else 0.0
        written = {TARGET: table, PROMISE: render(fit_promise.fit(delivered, quantile))}
        stale = [p for p, text in written.items() if not p.exists() or p.read_text() != text]
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run `make fit-logistics`", file=sys.stderr)
        return 1 if stale else 0
    errors = cross_validate(every)
    print(f"{len(every)} shipped items from {len({c.order_id for c in every})} orders")
    print(
        "market quote, median absolute error on orders the fit did not see (5 folds): "
        + ", ".join(f"{e:.1%}" for e in errors)
        + f"; mean {statistics.mean(errors):.1%}"
    )
    TARGET.write_text(table)
    print(f"wrote {TARGET.relative_to(ROOT)} (fitted on all of them)")
    quantile, scores = fit_promise.choose_quantile(delivered)
    olist_mae, olist_late = fit_promise.olist_scores(delivered)
    print(
        f"delivery promise on {len(delivered)} delivered orders, quantile {quantile}: "
        + ", ".join(f"{mae:.1f} d / {late:.1%} late" for mae, late in scores)
        + f"; mean {statistics.mean(m for m, _ in scores):.2f} d MAE, "
        + f"{statistics.mean(late for _, late in scores):.1%} late "
        + f"(Olist's own promise on these orders: {olist_mae:.2f} d, {olist_late:.1%} late)"
    )
    PROMISE.write_text(render(fit_promise.fit(delivered, quantile)))
    print(f"wrote {PROMISE.relative_to(ROOT)} (fitted on all of them)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
