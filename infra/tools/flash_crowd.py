"""A flash-sale crowd over HTTP, for ``make bench`` and the e2e test: many customers racing
to reserve a sale's units through ``POST /flash-sales/{saleId}/reservations``.

Customers are synthetic: their access tokens are signed with the stack's own signing key
(read from the local cloud, as the identity context signs them), because registering 500
accounts with argon2 would take minutes and measure identity, not the sale.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from figures import percentile

ROOT = Path(__file__).resolve().parents[2]
#: Times an attempt is sent (same Idempotency-Key) while the answer is a 5xx or in progress.
RETRIES = 10
#: The direct race's hold time: long, so the deployed expiry sweep leaves its reservations alone.
HOLD_SECONDS = 900


def customer_tokens(count: int) -> list[tuple[str, str]]:
    """``count`` ``(accountId, access token)`` pairs of customers, signed by the local cloud's
    active signing key (valid 15 minutes)."""
    from localcloud import cloud as local

    name = local.stack_functions()["AuthorizerFunction"]
    config = local.client("lambda").get_function_configuration(FunctionName=name)
    env = config["Environment"]["Variables"]
    os.environ.update(local.aws_env())
    os.environ.update(
        SIGNING_KEYS_SECRET=env["SIGNING_KEYS_SECRET"],
        TITAN_STAGE=env.get("TITAN_STAGE", "dev"),
        AWS_ENDPOINT_URL=local.ENDPOINT,
    )
    sys.path.insert(0, str(ROOT / "functions"))
    sys.path.insert(0, str(ROOT / "layers" / "shared"))
    from identity.tokens import issue_access_token

    accounts = [f"acct_{uuid.uuid4().hex[:26].upper()}" for _ in range(count)]
    return [(account, issue_access_token(account, "customer")) for account in accounts]


def new_sale(
    api: str,
    staff_token: str,
    offer: dict,
    quantity: int,
    limit: int,
    *,
    expected_rate: int = 1_000,
    hold_seconds: int = 600,
) -> dict:
    """Receive ``quantity`` more units of ``offer`` and put them on a sale that runs now for
    an hour at half the price; the sale as ``POST /admin/flash-sales`` answers."""
    headers = {"Authorization": f"Bearer {staff_token}", "Idempotency-Key": str(uuid.uuid4())}
    received = requests.post(
        f"{api}/inventory/offers/{offer['offerId']}/receipts",
        json={"quantity": quantity},
        headers=headers,
        timeout=60,
    )
    received.raise_for_status()
    now = datetime.now(UTC)
    body = {
        "productId": offer["productId"],
        "sellerId": offer["sellerId"],
        "salePrice": offer.get("price", 8990) // 2,
        "quantity": quantity,
        "perCustomerLimit": limit,
        "startsAt": now.isoformat(),
        "endsAt": (now + timedelta(hours=1)).isoformat(),
        "holdSeconds": hold_seconds,
        "expectedRate": expected_rate,
    }
    headers["Idempotency-Key"] = str(uuid.uuid4())
    created = requests.post(f"{api}/admin/flash-sales", json=body, headers=headers, timeout=60)
    created.raise_for_status()
    return created.json()


@dataclass
class Attempt:
    account: str
    quantity: int
    status: int
    code: str | None
    ms: float
    #: answers on the way that a client should never see: 5xx and client time-outs
    server_errors: int = 0
    timeouts: int = 0


@dataclass
class Crowd:
    attempts: list[Attempt] = field(default_factory=list)
    seconds: float = 0.0

    def held(self) -> dict[str, int]:
        """Units reserved per customer (201 answers)."""
        units: dict[str, int] = collections.Counter()
        for a in self.attempts:
            if a.status == 201:
                units[a.account] += a.quantity
        return units

    def outcomes(self) -> dict[str, int]:
        return collections.Counter(
            "201" if a.status == 201 else f"{a.status} {a.code}" for a in self.attempts
        )


def rush(
    api: str,
    sale_id: str,
    customers: list[tuple[str, str]],
    attempts: int,
    clients: int,
    seconds: float | None = None,
    timeout_s: float = 120,
) -> Crowd:
    """``attempts`` purchase attempts (or as many as fit in ``seconds``) from ``clients``
    concurrent HTTP clients, attempt i by customer i mod len(customers), for 1 unit, or 2
    every third attempt; each with its own Idempotency-Key, sent again (up to ``RETRIES``
    times) until its answer is final. An attempt's latency includes its retries; the 5xx
    answers and client time-outs (``timeout_s``) on the way are counted."""
    crowd = Crowd()
    numbers = itertools.count()
    lock = threading.Lock()
    ends = time.perf_counter() + seconds if seconds else None

    def client() -> None:
        session = requests.Session()
        while (i := next(numbers)) < attempts and (ends is None or time.perf_counter() < ends):
            account, token = customers[i % len(customers)]
            quantity = 2 if i % 3 == 0 else 1
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
            began = time.perf_counter()
            status, code, server_errors, timeouts = 0, "NO_ANSWER", 0, 0
            for _ in range(RETRIES):
                # A timeout or a 5xx may hide a reservation made, and a 429 asks to wait: the
                # client asks again with the same key, as it should, until the answer is final.
                try:
                    response = session.post(
                        f"{api}/flash-sales/{sale_id}/reservations",
                        json={"quantity": quantity},
                        headers=headers,
                        timeout=timeout_s,
                    )
                except requests.RequestException:
                    timeouts += 1
                    time.sleep(1)
                    continue
                status = response.status_code
                code = None if status == 201 else _code(response)
                if status == 429:
                    time.sleep(int(response.headers.get("Retry-After", "1")))
                elif status >= 500 or code == "REQUEST_IN_PROGRESS":
                    server_errors += status >= 500
                    time.sleep(1)
                else:
                    break
            ms = (time.perf_counter() - began) * 1000
            with lock:
                crowd.attempts.append(
                    Attempt(account, quantity, status, code, ms, server_errors, timeouts)
                )

    began = time.perf_counter()
    _run(client, clients)
    crowd.seconds = time.perf_counter() - began
    return crowd


def _code(response: requests.Response) -> str | None:
    try:
        return response.json().get("code")
    except ValueError:
        return None


# --------------------------------------------------------------------------- direct
# The same race without HTTP: threads calling the flash-sales service against the local
# cloud's DynamoDB, to check the invariants at full contention and to measure the data layer.


def _direct_env() -> None:
    from localcloud import cloud as local

    outputs = json.loads(local.OUTPUTS.read_text())
    os.environ.update(local.aws_env())
    os.environ.update(
        FLASHSALES_TABLE=outputs["FlashSalesTableName"],
        AWS_ENDPOINT_URL=local.ENDPOINT,
    )
    sys.path[0:0] = [str(ROOT / "functions"), str(ROOT / "layers" / "shared")]


def direct_rush(
    quantity: int, limit: int, customers: int, attempts: int, clients: int, expected_rate: int
) -> dict:
    """Create a sale straight in the table, race ``attempts`` purchases from ``clients``
    threads by ``customers`` customers, then, with the clock moved past the hold time, expire
    every reservation, each from 4 threads at once. Returns what the table says after each
    phase."""
    _direct_env()
    from flashsales import service
    from flashsales.store import Buyer, Reservation, Sale
    from titan import clock
    from titan.errors import Problem
    from titan.ids import new_id

    now = datetime.now(UTC)
    sale = service.create_sale(
        Sale(
            *Sale.key(sale_id := new_id("fs")),
            sale_id=sale_id,
            product_id="0" * 32,
            seller_id="1" * 32,
            offer_id="off_direct",
            title="Direct race",
            list_price=2000,
            sale_price=1000,
            currency="BRL",
            quantity=quantity,
            per_customer_limit=limit,
            starts_at=clock.iso(now - timedelta(seconds=1)),
            ends_at=clock.iso(now + timedelta(hours=1)),
            hold_seconds=HOLD_SECONDS,
            expected_rate=expected_rate,
            pool_id="fsp_direct",
            created_by="flash_crowd",
            created_at=clock.iso(now),
        )
    )
    accounts = [f"acct_{uuid.uuid4().hex[:26].upper()}" for _ in range(customers)]
    numbers, lock = itertools.count(), threading.Lock()
    outcomes: collections.Counter = collections.Counter()
    held: collections.Counter = collections.Counter()
    latencies: list[float] = []

    def client() -> None:
        while (i := next(numbers)) < attempts:
            account, units = accounts[i % customers], (2 if i % 3 == 0 else 1)
            began = time.perf_counter()
            try:
                service.reserve(sale_id, account, units, new_id("fsr"))
                outcome = "201"
            except Problem as refused:
                outcome = refused.code
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)
                outcomes[outcome] += 1
                if outcome == "201":
                    held[account] += units

    began = time.perf_counter()
    _run(client, clients)
    seconds = time.perf_counter() - began
    reservations = list(
        Reservation.scan((Reservation.sk == "RESERVATION") & (Reservation.sale_id == sale_id))
    )
    buyers = {a: int(b.units) for a in accounts if (b := _buyer(Buyer, sale_id, a))}
    after_rush = {
        "outcomes": dict(outcomes),
        "seconds": round(seconds, 2),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "answeredUnits": sum(held.values()),
        "reservedUnits": sum(int(h.quantity) for h in reservations),
        "buyerUnits": sum(buyers.values()),
        "maxPerCustomer": max(buyers.values(), default=0),
        "remaining": sum(service.remaining(sale, consistent=True).values()),
        "shards": int(sale.shards),
    }
    clock.freeze(datetime.now(UTC) + timedelta(seconds=HOLD_SECONDS + 1))  # all reservations ended
    expired: list = []
    queue = iter([h.reservation_id for h in reservations for _ in range(4)])

    failures: collections.Counter = collections.Counter()

    def expirer() -> None:
        for reservation_id in queue:
            try:
                events = service.expire(reservation_id)
            except Exception as exc:
                with lock:
                    failures[type(exc).__name__] += 1
                continue
            with lock:
                expired.extend(events)

    _run(expirer, clients)
    buyers = {a: int(b.units) for a in accounts if (b := _buyer(Buyer, sale_id, a))}
    after_expiry = {
        "reservations": len(reservations),
        "expiredEvents": len(expired),
        "failures": dict(failures),
        "remaining": sum(service.remaining(sale, consistent=True).values()),
        "buyerUnits": sum(buyers.values()),
    }
    return {"rush": after_rush, "expiry": after_expiry}


def _buyer(model, sale_id: str, account: str):
    try:
        return model.get(*model.key(sale_id, account), consistent_read=True)
    except model.DoesNotExist:
        return None


def _run(work, threads: int) -> None:
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


if __name__ == "__main__":
    import argparse

    sys.path.insert(0, str(ROOT / "infra" / "localcloud"))
    parser = argparse.ArgumentParser(description="The flash-sale race on the service layer")
    parser.add_argument("command", choices=["direct"])
    parser.add_argument("--quantity", type=int, default=100)
    parser.add_argument("--limit", type=int, default=2)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--expected-rate", type=int, default=1000)
    args = parser.parse_args()
    print(
        json.dumps(
            direct_rush(
                args.quantity,
                args.limit,
                args.customers,
                args.attempts,
                args.clients,
                args.expected_rate,
            )
        )
    )
