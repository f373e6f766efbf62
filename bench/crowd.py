"""A flash crowd on the local cloud, for ``make bench``: ``CLIENTS`` concurrent HTTP clients
for ``SECONDS`` (``CROWD_SECONDS``, default 120) on the flash-sale reservation route, then on
checkout, while the cloud's processes are sampled every ``SAMPLE_SECONDS``.

Each crowd reports what its users saw (attempts/s, p50/p95 latency, outcomes, every 5xx
answer and client time-out along the way, retries included) and checks that nothing was
oversold: a sale's units reserved equal its units gone and no customer holds more than the
limit; the units checked out equal the units that left the offer's stock. The cloud's side:
its Lambda workers at most (in all and for one function) and the resident memory of the
cloud and its workers at most.
"""

from __future__ import annotations

import collections
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from figures import percentile
from flash_crowd import customer_tokens, new_sale, rush
from shopper import HttpError, new_customer, new_offer

CLIENTS = 50
SECONDS = float(os.environ.get("CROWD_SECONDS", "120"))
SAMPLE_SECONDS = 2.0
#: A sale large enough that the crowd is still buying after a while, and sells it out.
SALE_UNITS, SALE_LIMIT, SALE_CUSTOMERS = 2_000, 2, 2_500
TIMEOUT_S = 60


@dataclass
class Sample:
    seconds: float
    workers: int
    workers_one_function: int
    rss_mb: float
    threads: int
    maps: int
    cloud_rss_mb: float  # LocalStack's own process
    dynamodb_rss_mb: float  # the DynamoDB process (localcloud.dynamodb_server), with the tables


class CloudSampler:
    """Samples the local cloud's process tree (LocalStack and its Lambda workers) every
    ``every`` seconds on a thread: ``samples`` over time, and the most at once."""

    def __init__(self, pid: int, every: float = SAMPLE_SECONDS) -> None:
        self.pid, self.every = pid, every
        self.samples: list[Sample] = []
        self._began = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CloudSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(self.sample())

    def sample(self) -> Sample:
        page = os.sysconf("SC_PAGE_SIZE")
        rss = threads = maps = cloud_rss = dynamodb_rss = 0
        per_function: collections.Counter = collections.Counter()
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[2]) != self.pid:  # not in the cloud's session
                    continue
                resident = int(stat[21]) * page
                threads += int(stat[17])
                maps += (proc / "maps").read_bytes().count(b"\n")
                cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
            rss += resident
            if proc.name == str(self.pid):
                cloud_rss = resident
            if b"localcloud.dynamodb_server" in cmdline:
                dynamodb_rss = resident
            if len(cmdline) > 6 and cmdline[3].endswith(b"worker.py"):
                per_function[cmdline[6]] += 1  # the function's unpacked code folder
        return Sample(
            seconds=time.monotonic() - self._began,
            workers=sum(per_function.values()),
            workers_one_function=max(per_function.values(), default=0),
            rss_mb=rss / 2**20,
            threads=threads,
            maps=maps,
            cloud_rss_mb=cloud_rss / 2**20,
            dynamodb_rss_mb=dynamodb_rss / 2**20,
        )

    def line(self) -> str:
        most = self.samples or [self.sample()]
        return (
            f"  cloud at most: {max(s.workers for s in most)} Lambda workers"
            f" ({max(s.workers_one_function for s in most)} of one function),"
            f" {max(s.rss_mb for s in most):,.0f} MB resident (LocalStack, DynamoDB, workers)"
        )


def reservation_crowd(api: str, staff_token: str, pid: int) -> list[str]:
    """``CLIENTS`` clients reserving on one flash sale for ``SECONDS``."""
    offer = new_offer(api, staff_token)
    customers = customer_tokens(SALE_CUSTOMERS)
    warm = new_sale(api, staff_token, offer, 20, SALE_LIMIT)
    rush(api, warm["saleId"], customers[-CLIENTS:], CLIENTS, CLIENTS)  # every worker warm
    sale = new_sale(api, staff_token, offer, SALE_UNITS, SALE_LIMIT)
    with CloudSampler(pid) as cloud:
        crowd = rush(
            api, sale["saleId"], customers, 10**9, CLIENTS, seconds=SECONDS, timeout_s=TIMEOUT_S
        )
    held = crowd.held()
    left = requests.get(f"{api}/flash-sales/{sale['saleId']}", timeout=60).json()["remaining"]
    every = [a.ms for a in crowd.attempts]
    server_errors = sum(a.server_errors for a in crowd.attempts)
    timeouts = sum(a.timeouts for a in crowd.attempts)
    exact = sum(held.values()) + left == SALE_UNITS and max(held.values()) <= SALE_LIMIT
    return [
        f"  {CLIENTS} clients for {crowd.seconds:.0f} s on one sale of {SALE_UNITS} units"
        f" (limit {SALE_LIMIT}, {SALE_CUSTOMERS} customers): {len(every)} attempts",
        f"  attempts/s {len(every) / crowd.seconds:6.1f}   p50 {percentile(every, 50):7.1f} ms"
        f"   p95 {percentile(every, 95):7.1f} ms",
        "  outcomes: " + ", ".join(f"{k} {n}" for k, n in sorted(crowd.outcomes().items())),
        f"  5xx answers {server_errors}, client time-outs ({TIMEOUT_S:.0f} s) {timeouts}",
        f"  units reserved {sum(held.values())}, left {left}, most by one customer"
        f" {max(held.values())}: {'exact' if exact else 'WRONG'}",
        cloud.line(),
    ]


def stocked_offer(api: str, staff_token: str, units: int = 100_000) -> dict:
    """A new offer (``shopper.new_offer``) with ``units`` more units received into stock."""
    offer = new_offer(api, staff_token)
    requests.post(
        f"{api}/inventory/offers/{offer['offerId']}/receipts",
        json={"quantity": units},
        headers={"Authorization": f"Bearer {staff_token}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=60,
    ).raise_for_status()
    return offer


def units_ordered(api: str, staff_token: str, seller_id: str) -> int:
    """Units in the seller's orders that are not cancelled, read page by page."""
    units, cursor = 0, None
    while True:
        params = {"sellerId": seller_id, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = requests.get(
            f"{api}/orders",
            params=params,
            headers={"Authorization": f"Bearer {staff_token}"},
            timeout=60,
        ).json()
        for order in page["orders"]:
            if order["status"] != "CANCELLED":
                units += sum(line["quantity"] for line in order["lines"])
        cursor = page.get("cursor")
        if not cursor:
            return units


def checkout_crowd(api: str, staff_token: str, pid: int) -> list[str]:
    """``CLIENTS`` customers each buying one unit of one offer, again and again, for
    ``SECONDS``: cart line, then POST /checkout with a card. Exact when the units that left
    the stock are the units in the seller's orders (a checkout whose client timed out may
    still have been placed)."""
    offer = stocked_offer(api, staff_token)
    staff = {"Authorization": f"Bearer {staff_token}"}

    def stock() -> int:
        url = f"{api}/inventory/offers/{offer['offerId']}"
        return requests.get(url, headers=staff, timeout=60).json()["available"]

    with ThreadPoolExecutor(8) as pool:
        buyers = list(pool.map(lambda _: new_customer(api), range(CLIENTS)))
    for buyer in buyers:  # one checkout each first: every function warm
        buyer.add(offer["productId"], offer["sellerId"], 1)
        buyer.checkout([{"method": "card", "card": {"number": "4242424242424242"}}])
    before, ordered_before = stock(), units_ordered(api, staff_token, offer["sellerId"])
    samples: list[float] = []
    troubles = collections.Counter()
    lock = threading.Lock()
    ends = time.perf_counter() + SECONDS

    def shop(buyer) -> None:
        while time.perf_counter() < ends:
            began = time.perf_counter()
            try:
                buyer.add(offer["productId"], offer["sellerId"], 1)
                buyer.checkout([{"method": "card", "card": {"number": "4242424242424242"}}])
                outcome = "201"
            except HttpError as e:
                outcome = f"{e.response.status_code}"
            except requests.RequestException:
                outcome = "time-out"
            with lock:
                troubles[outcome] += 1
                if outcome == "201":
                    samples.append((time.perf_counter() - began) * 1000)

    began = time.perf_counter()
    with CloudSampler(pid) as cloud, ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(shop, buyers))
    seconds = time.perf_counter() - began
    sold = before - stock()
    ordered = units_ordered(api, staff_token, offer["sellerId"]) - ordered_before
    server_errors = sum(n for k, n in troubles.items() if k.startswith("5"))
    return [
        f"  {CLIENTS} customers for {seconds:.0f} s, each: add a cart line, check out by card",
        f"  checkouts/s {len(samples) / seconds:6.1f}   p50 {percentile(samples, 50):7.1f} ms"
        f"   p95 {percentile(samples, 95):7.1f} ms (cart line + checkout)",
        "  outcomes: " + ", ".join(f"{k} {n}" for k, n in sorted(troubles.items())),
        f"  5xx answers {server_errors}, client time-outs {troubles['time-out']}",
        f"  checkouts answered 201: {len(samples)}; units in the seller's orders {ordered},"
        f" units gone from stock {sold}: {'exact' if sold == ordered else 'WRONG'}",
        cloud.line(),
    ]
