"""A soak of the local cloud, for ``make bench SECTIONS=soak`` (not in the default run):
``CLIENTS`` HTTP clients of mixed traffic for ``SOAK_SECONDS`` (default 1,800), sampling the
cloud's processes every ``EVERY`` seconds.

Each client repeats, by weight: browse a department, search, read a product, put a line in
its cart and take it out, check out one unit by card, reserve a unit of a flash sale. Reported:
requests per kind with their 5xx answers and time-outs, and the cloud's resident memory,
threads and memory mappings (LocalStack, its DynamoDB process and its workers, summed) after
the warm-up, at the end and at most; flat means no leak.
"""

from __future__ import annotations

import collections
import itertools
import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.crowd import CloudSampler, stocked_offer
from flash_crowd import customer_tokens, new_sale
from shopper import HttpError, new_customer

CLIENTS = 8
SECONDS = float(os.environ.get("SOAK_SECONDS", "1800"))
EVERY = 30.0
WARM_UP_S = 120.0
SEARCHES = ("perfume", "cama mesa banho", "relogio", "cadeira", "fone de ouvido")
DEPARTMENTS = ("home", "fashion", "electronics", "beauty")
PRODUCTS = (
    "001b72dfd63e9833e8c02742adf472e3",
    "001c5d71ac6ad696d22315953758fa04",
    "002159fe700ed3521f46cfcf6e941c76",
)
WEIGHTS = {"browse": 25, "search": 25, "product": 20, "cart": 12, "checkout": 10, "flash": 8}


def soak(api: str, staff_token: str, pid: int) -> list[str]:
    offer = stocked_offer(api, staff_token)
    sale = new_sale(api, staff_token, offer, 50_000, 2, hold_seconds=60)
    tokens = itertools.cycle(customer_tokens(20_000))
    with ThreadPoolExecutor(CLIENTS) as pool:
        buyers = list(pool.map(lambda _: new_customer(api), range(CLIENTS)))
    counts: collections.Counter = collections.Counter()
    troubles: collections.Counter = collections.Counter()
    lock = threading.Lock()
    ends = time.monotonic() + SECONDS
    card = [{"method": "card", "card": {"number": "4242424242424242"}}]

    def act(buyer, kind: str) -> None:
        if kind == "browse":
            dept = random.choice(DEPARTMENTS)
            buyer.call("GET", f"/products?department={dept}&limit=20")
        elif kind == "search":
            buyer.call("GET", f"/search?q={random.choice(SEARCHES)}")
        elif kind == "product":
            buyer.call("GET", f"/products/{random.choice(PRODUCTS)}", expect=(200, 404))
        elif kind == "cart":
            line = buyer.add(offer["productId"], offer["sellerId"], 1)
            buyer.call("DELETE", f"/cart/items/{line['lineId']}", expect=(204, 404))
        elif kind == "checkout":
            buyer.add(offer["productId"], offer["sellerId"], 1)
            buyer.checkout(card)
        else:
            with lock:
                _account, token = next(tokens)
            requests.post(
                f"{api}/flash-sales/{sale['saleId']}/reservations",
                json={"quantity": 1},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
                timeout=60,
            )

    def client(buyer) -> None:
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        while time.monotonic() < ends:
            kind = random.choices(kinds, weights)[0]
            trouble = None
            try:
                act(buyer, kind)
            except HttpError as e:
                trouble = f"{e.status}" if e.status >= 500 else None
            except requests.RequestException:
                trouble = "time-out"
            with lock:
                counts[kind] += 1
                if trouble:
                    troubles[f"{kind} {trouble}"] += 1

    with CloudSampler(pid, every=EVERY) as cloud, ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, buyers))
    warm = [s for s in cloud.samples if s.seconds >= WARM_UP_S] or cloud.samples
    first = warm[0]
    lines = [
        f"  {CLIENTS} clients, {SECONDS / 60:.0f} min: "
        + ", ".join(f"{kind} {counts[kind]}" for kind in WEIGHTS)
        + f" ({sum(counts.values()) / SECONDS:.1f} requests/s)",
        "  5xx and time-outs: "
        + (", ".join(f"{k} {n}" for k, n in sorted(troubles.items())) or "none"),
        "                       after warm-up      end       most",
    ]
    for label, field, unit in (
        ("resident memory (MB)", "rss_mb", "{:,.0f}"),
        ("  of it LocalStack  ", "cloud_rss_mb", "{:,.0f}"),
        ("  of it DynamoDB    ", "dynamodb_rss_mb", "{:,.0f}"),
        ("threads             ", "threads", "{:,}"),
        ("memory mappings     ", "maps", "{:,}"),
        ("Lambda workers      ", "workers", "{:,}"),
    ):
        values = [getattr(s, field) for s in warm]
        lines.append(
            f"  {label}  {unit.format(getattr(first, field)):>12} {unit.format(values[-1]):>10}"
            f" {unit.format(max(values)):>10}"
        )
    lines.append(f"  samples every {EVERY:.0f} s from minute {first.seconds / 60:.0f}")
    return lines
