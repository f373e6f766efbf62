"""The bulk import of Olist's real reviews: through moderation, each seller's (and product's)
rating equals the mean score of their orders' reviews computed straight from the CSV files.

On moto a slice is imported (moto takes about 40 ms per review written); every review's
verdict is checked without storage; tests/e2e/test_reviews.py imports real reviews of
replayed orders on the local cloud and compares again."""

from __future__ import annotations

import collections
import csv
from pathlib import Path

import pytest

from reviews import service as reviews
from reviews.store import PRODUCT, SELLER
from titan.errors import NotFound
from titan.ids import derived_id

DATA = Path(__file__).resolve().parents[3] / "infra/seed/olist/orders"


def read(name: str) -> list[dict]:
    return list(csv.DictReader((DATA / name).open(encoding="utf-8")))


def olist_orders() -> dict[str, dict]:
    """The orders as the orders context's step shows them once replayed: one line per product
    and seller, the buyer an account of their own."""
    items = collections.defaultdict(list)
    for item in read("order_items.csv"):
        items[item["order_id"]].append(item)
    views = {}
    for order in read("orders.csv"):
        lines: dict[tuple[str, str], dict] = {}
        for item in items[order["order_id"]]:
            key = (item["product_id"], item["seller_id"])
            line = lines.setdefault(
                key,
                {
                    "lineId": f"l{len(lines) + 1}",
                    "productId": key[0],
                    "sellerId": key[1],
                    "quantity": 0,
                },
            )
            line["quantity"] += 1
        views[order["order_id"]] = {
            "orderId": derived_id("ord", order["order_id"]),
            "customerId": derived_id("acct", order["customer_id"]),
            "status": "DELIVERED" if order["order_status"] == "delivered" else "CANCELLED",
            "lines": list(lines.values()),
            "refunds": [],
        }
    return views


@pytest.fixture
def replayed(world, monkeypatch):
    views = olist_orders()
    by_id = {v["orderId"]: v for v in views.values() if v["lines"]}

    def orders_step(function_env: str, action: str, payload: dict) -> dict:
        assert (function_env, action) == ("ORDERS_STEPS_FUNCTION", "get")
        if payload["orderId"] not in by_id:
            raise NotFound("No such order.", code="ORDER_NOT_FOUND")
        return by_id[payload["orderId"]]

    monkeypatch.setattr(reviews, "invoke", orders_step)
    return views


#: Reviews imported on moto: the first of the CSV (a few hundred sellers and products).
SLICE = 250


def test_a_slice_of_real_reviews_imports_and_ratings_equal_the_csv_means(replayed, world):
    every = read("reviews.csv")
    never_placed = [row for row in every if not replayed[row["order_id"]]["lines"]]
    rows = every[:SLICE] + never_placed[:3]
    batch = [
        {
            "sourceId": f"{row['review_id']}:{row['order_id']}",
            "orderId": replayed[row["order_id"]]["orderId"],
            "rating": int(row["review_score"]),
            "title": row["review_comment_title"],
            "text": row["review_comment_message"],
            "createdAt": row["review_creation_date"].replace(" ", "T") + "-03:00",
        }
        for row in rows
    ]
    results = []
    for start in range(0, len(batch), 100):
        results.extend(reviews.import_rows(batch[start : start + 100]))
    outcomes = collections.Counter(r["outcome"] for r in results)
    unplaced = sum(1 for row in rows if not replayed[row["order_id"]]["lines"])
    assert outcomes["ORDER_NOT_FOUND"] == unplaced > 0
    assert outcomes["PUBLISHED"] + outcomes["HELD"] == len(rows) - unplaced

    expected: dict[tuple[str, str], list[int]] = collections.defaultdict(list)
    for row in rows:
        order = replayed[row["order_id"]]
        for seller in {line["sellerId"] for line in order["lines"]}:
            expected[(SELLER, seller)].append(int(row["review_score"]))
        for product in {line["productId"] for line in order["lines"]}:
            expected[(PRODUCT, product)].append(int(row["review_score"]))
    mismatched = []
    for (kind, subject), scores in expected.items():
        rating, _ = reviews.rating_of(kind, subject)
        mean = round(sum(scores) / len(scores), 2)
        if (rating.count, rating.total, rating.average) != (len(scores), sum(scores), mean):
            mismatched.append((kind, subject, rating.as_dict(), scores))
    assert mismatched == []
    assert len([k for k in expected if k[0] == SELLER]) > 150

    again = reviews.import_rows(batch[:100])
    assert {r["outcome"] for r in again} <= {"ALREADY_IMPORTED", "ORDER_NOT_FOUND"}
    assert "RatingChanged" in world.kinds()


def test_every_real_review_keeps_its_stars_through_moderation(replayed):
    """All 1,995 reviews: what moderation holds is held for its words only, so every imported
    review's stars count and the ratings are the CSV's means; the orders with two reviews
    (8) and with several sellers (18) give each of their sellers every review."""
    from reviews import domain

    rows = read("reviews.csv")
    held = 0
    for row in rows:
        verdict = domain.moderate(
            row["review_comment_title"], row["review_comment_message"], domain.Signals()
        )
        held += verdict.status == domain.HELD
        assert verdict.counted, row["review_id"]
    assert held == 4
    per_order = collections.Counter(row["order_id"] for row in rows)
    assert sum(1 for n in per_order.values() if n > 1) == 8
    several = [o for o in per_order if len(reviews.targets(replayed[o], refunded_too=True)) > 2]
    assert len(several) > 18
