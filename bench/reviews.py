"""Reviews figures for ``make bench``, over HTTP on the local cloud.

- ``POST /orders/{orderId}/reviews``: p50/p95 of 40 reviews (a product's and a seller's of each
  of 20 delivered orders), each through moderation and a transaction with the ratings;
- ``GET /products/{productId}`` (the catalog's read, with the product's rating and its
  sellers') and ``GET /products/{productId}/reviews`` (the reviews, ranked): p50/p95 of 100;
- the bulk import (``POST /admin/reviews/imports``, 100 per request): 300 real Olist review
  texts on those orders, each making a product's and a seller's review; reviews written per
  second.
"""

from __future__ import annotations

import csv
import time
import uuid
from pathlib import Path

from figures import percentile
from shopper import Shopper, new_customer, new_offer

ORDERS = 20
CARD = {"method": "card", "card": {"number": "4242424242424242"}}
REVIEWS = (
    Path(__file__).resolve().parents[1] / "infra" / "seed" / "olist" / "orders" / "reviews.csv"
)


def _timed(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 50):6.1f} ms   p95 {percentile(samples, 95):6.1f} ms"


def delivered_orders(
    api: str, staff_token: str, count: int
) -> tuple[dict, list[tuple[Shopper, dict]]]:
    """``count`` buyers' delivered orders of one new offer (one order each: the risk rules
    limit one buyer's checkouts per hour): (offer, [(buyer, order)])."""
    staff = Shopper(api, token=staff_token)
    offer = new_offer(api, staff_token)
    staff.call("POST", f"/inventory/offers/{offer['offerId']}/receipts", {"quantity": count})
    orders = []
    for _ in range(count):
        buyer = new_customer(api)
        buyer.add(offer["productId"], offer["sellerId"], 1)
        placed = buyer.checkout([CARD]).json()
        for move in ("ship", "deliver"):
            staff.call("POST", f"/orders/{placed['orderId']}/{move}")
        orders.append((buyer, buyer.call("GET", f"/orders/{placed['orderId']}").json()))
    return offer, orders


def submits(offer: dict, orders: list[tuple[Shopper, dict]]) -> list[float]:
    samples = []
    for n, (buyer, order) in enumerate(orders):
        for target in ({"lineId": order["lines"][0]["lineId"]}, {"sellerId": offer["sellerId"]}):
            body = {**target, "rating": 1 + n % 5, "title": "Bom", "text": "Chegou bem embalado."}
            began = time.perf_counter()
            buyer.call(
                "POST",
                f"/orders/{order['orderId']}/reviews",
                body,
                headers={"Idempotency-Key": str(uuid.uuid4())},
                expect=(201,),
            )
            samples.append((time.perf_counter() - began) * 1000)
    return samples


def reads(api: str, path: str, n: int = 100) -> list[float]:
    reader, samples = Shopper(api), []
    for i in range(n + 5):
        began = time.perf_counter()
        reader.call("GET", path)
        if i >= 5:
            samples.append((time.perf_counter() - began) * 1000)
    return samples


def import_rate(
    api: str, staff_token: str, orders: list[dict], rows: int = 300
) -> tuple[float, int]:
    """Reviews written per second by the bulk import, and how many were written."""
    with REVIEWS.open(encoding="utf-8") as handle:
        texts = [r for r in csv.DictReader(handle)][:rows]
    run = uuid.uuid4().hex[:8]
    batch = [
        {
            "sourceId": f"bench-{run}-{n}",
            "orderId": orders[n % len(orders)][1]["orderId"],
            "rating": int(row["review_score"]),
            "title": row["review_comment_title"],
            "text": row["review_comment_message"],
            "createdAt": row["review_creation_date"].replace(" ", "T") + "-03:00",
        }
        for n, row in enumerate(texts)
    ]
    staff, written = Shopper(api, token=staff_token), 0
    began = time.perf_counter()
    for start in range(0, len(batch), 100):
        answer = staff.call(
            "POST", "/admin/reviews/imports", {"reviews": batch[start : start + 100]}
        )
        written += sum(len(r["reviewIds"]) for r in answer.json()["results"])
    return written / (time.perf_counter() - began), written


def figures(outputs: dict, staff_token: str) -> list[str]:
    api = outputs["ApiUrl"]
    offer, orders = delivered_orders(api, staff_token, ORDERS)
    written = submits(offer, orders)
    product = offer["productId"]
    read = reads(api, f"/products/{product}")
    listed = reads(api, f"/products/{product}/reviews")
    rate, imported = import_rate(api, staff_token, orders)
    return [
        f"  POST /orders/{{id}}/reviews, {len(written)} reviews    {_timed(written)}",
        f"  GET /products/{{id}} with its rating        {_timed(read)}",
        f"  GET /products/{{id}}/reviews (helpful)      {_timed(listed)}",
        f"  bulk import: {imported} reviews written, {rate:5.1f} reviews/s",
    ]
