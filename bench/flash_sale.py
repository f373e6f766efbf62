"""Flash-sale figures for ``make bench``.

- ``direct_race``: 2,000 purchase attempts from 50 concurrent clients by 500 customers for a
  sale of 100 units with a limit of 2, on the service layer against the local cloud's
  DynamoDB (threads, no HTTP, no Lambda), then every reservation expired by 4 threads at
  once. Prints attempts/s, p50/p95 and checks the outcome.
- ``http_race``: the same 2,000 attempts by 500 customers (synthetic, tokens signed by the
  stack's key) through API Gateway, the token authorizer and the flash-sales Lambda, from
  ``HTTP_CLIENTS`` clients after a warm-up (8, the figure kept from before the local cloud
  bounded its Lambda concurrency; 50 clients for 2 minutes are in ``bench/crowd.py``).
  Prints reservations/s, attempts/s, p50/p95 latency and checks the outcome.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from figures import percentile
from flash_crowd import customer_tokens, new_sale, rush
from shopper import new_offer

ATTEMPTS, CLIENTS, CUSTOMERS, UNITS, LIMIT = 2_000, 50, 500, 100, 2
HTTP_CLIENTS = 8


def http_race(api: str, staff_token: str) -> list[str]:
    offer = new_offer(api, staff_token)
    customers = customer_tokens(CUSTOMERS)
    warm = new_sale(api, staff_token, offer, 10, LIMIT)
    rush(api, warm["saleId"], customers[-HTTP_CLIENTS:], 2 * HTTP_CLIENTS, HTTP_CLIENTS)
    sale = new_sale(api, staff_token, offer, UNITS, LIMIT)
    crowd = rush(api, sale["saleId"], customers, ATTEMPTS, HTTP_CLIENTS)
    held = crowd.held()
    left = requests.get(f"{api}/flash-sales/{sale['saleId']}", timeout=60).json()["remaining"]
    every = [a.ms for a in crowd.attempts]
    won = [a.ms for a in crowd.attempts if a.status == 201]
    ok = sum(held.values()) == UNITS and left == 0 and max(held.values()) <= LIMIT
    return [
        f"  {ATTEMPTS} attempts, {HTTP_CLIENTS} clients, {CUSTOMERS} customers, {UNITS} units"
        f" ({sale['shards']} shards), limit {LIMIT}: {crowd.seconds:.1f} s",
        f"  reservations/s {len(won) / crowd.seconds:6.1f}   attempts/s"
        f" {len(every) / crowd.seconds:6.1f}",
        f"  latency, every attempt   p50 {percentile(every, 50):7.1f} ms"
        f"   p95 {percentile(every, 95):7.1f} ms",
        f"  latency, reservations    p50 {percentile(won, 50):7.1f} ms"
        f"   p95 {percentile(won, 95):7.1f} ms",
        "  outcomes: " + ", ".join(f"{k} {n}" for k, n in sorted(crowd.outcomes().items())),
        f"  units reserved {sum(held.values())}, left {left}, most by one customer"
        f" {max(held.values())}: {'exact' if ok else 'WRONG'}",
    ]


def direct_race() -> list[str]:
    """In its own process: the flash-sales code there is configured for the deployed table."""
    tool = Path(__file__).resolve().parents[1] / "infra" / "tools" / "flash_crowd.py"
    run = subprocess.run(
        [sys.executable, str(tool), "direct"], capture_output=True, text=True, check=True
    )
    result = json.loads(run.stdout.strip().splitlines()[-1])
    rush_, expiry = result["rush"], result["expiry"]
    return [
        f"  {ATTEMPTS} attempts from {CLIENTS} threads: {rush_['seconds']:.1f} s,"
        f" {ATTEMPTS / rush_['seconds']:.0f} attempts/s,"
        f" {rush_['outcomes'].get('201', 0) / rush_['seconds']:.1f} reservations/s,"
        f" p50 {rush_['p50_ms']:.1f} ms, p95 {rush_['p95_ms']:.1f} ms",
        f"  units reserved {rush_['reservedUnits']}, left {rush_['remaining']}, most by one"
        f" customer {rush_['maxPerCustomer']}; expiry raced 4x per reservation:"
        f" {expiry['expiredEvents']} of {expiry['reservations']} expired once,"
        f" {expiry['remaining']} units back",
    ]
