"""``make eval-logistics ORDERS=<folder>``: on any folder of Olist orders (orders.csv,
order_items.csv, customers.csv with Olist's column names), how close the shipped delivery
promise (functions/shipping/data/promise.json) comes to when the orders were delivered,
beside Olist's own promise, and how close the market rate (market.json) comes to the freight
Olist charged. For the rate, products and sellers are looked up in the seeded catalog; items
of unknown products or sellers, or shipped free, are left out and counted."""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

import fit_promise
from logistics_data import CATALOG, cases, deliveries, promise_scores
from shipping import places


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Path, default=CATALOG / "orders")
    args = parser.parse_args(argv)
    delivered = deliveries(args.orders)
    print(f"orders: {args.orders}")
    if delivered:
        mae, late = promise_scores(fit_promise.promised(places.promise(), delivered), delivered)
        olist_mae, olist_late = fit_promise.olist_scores(delivered)
        print(
            f"delivery promise on {len(delivered)} delivered orders: MAE {mae:.2f} days, "
            f"{late:.1%} late (Olist's own: MAE {olist_mae:.2f} days, {olist_late:.1%} late)"
        )
    with (args.orders / "order_items.csv").open(newline="", encoding="utf-8") as handle:
        listed = sum(1 for _ in csv.DictReader(handle))
    evaluated = cases(args.orders)
    if not evaluated:
        print("no order item could be evaluated", file=sys.stderr)
        return 1
    table = places.market()
    errors = sorted(
        abs(table.freight(c.parcel, c.route, c.items, c.value) / 100 - c.freight) / c.freight
        for c in evaluated
    )
    print(f"order items: {listed}, evaluated: {len(evaluated)} (the rest: unknown or free)")
    print(
        f"market quote: median absolute error {statistics.median(errors):.1%}, "
        f"within 15% for {sum(e <= 0.15 for e in errors) / len(errors):.0%} of items, "
        f"90th percentile {errors[int(0.9 * (len(errors) - 1))]:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
