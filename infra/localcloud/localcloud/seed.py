"""Seed data for a freshly deployed local cloud, through the product's own API.

The Olist catalog (infra/seed/olist) goes in through the catalog's bulk-import path, as an
operator would: sign in as the bootstrap admin, ask for an import, PUT the CSV to the presigned
URL, wait for the report. Every step is idempotent: on a seeded cloud the imports report every
row unchanged. ``make up`` skips the seed when the running cloud already holds this seed
(a marker object, named by the seed files' digest, in the deploy artifacts bucket: it goes
with the cloud's memory when the cloud stops); ``make seed`` always runs it.
"""

from __future__ import annotations

import csv
import hashlib
import time
from pathlib import Path

import requests

from localcloud import cloud

SEED = Path(__file__).resolve().parents[2] / "seed" / "olist"
#: Import order: offers refer to products and sellers.
CATALOG_FILES = (("sellers", "sellers.csv"), ("products", "products.csv"), ("offers", "offers.csv"))


class SeedError(RuntimeError):
    """A seed step failed; the message says which and why."""


def admin_token(api: str, outputs: dict[str, str]) -> str:
    response = requests.post(
        f"{api}/auth/login",
        timeout=60,
        json={"email": outputs["AdminEmail"], "password": outputs["AdminPassword"]},
    )
    if response.status_code != 200:
        raise SeedError(f"admin sign-in failed: {response.status_code} {response.text}")
    return response.json()["accessToken"]


def import_file(api: str, token: str, kind: str, path: Path, timeout_s: float = 900) -> dict:
    """Import one CSV through the API and return its report. Raises SeedError."""
    headers = {"Authorization": f"Bearer {token}"}
    started = requests.post(
        f"{api}/admin/catalog/imports", json={"kind": kind}, headers=headers, timeout=60
    )
    if started.status_code != 201:
        raise SeedError(f"starting the {kind} import: {started.status_code} {started.text}")
    created = started.json()
    upload = created["upload"]
    with open(path, "rb") as body:
        put = requests.put(upload["url"], data=body, headers=upload["headers"], timeout=300)
    if put.status_code not in (200, 204):
        raise SeedError(f"uploading {path.name}: {put.status_code} {put.text[:300]}")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        report = requests.get(
            f"{api}/admin/catalog/imports/{created['importId']}", headers=headers, timeout=60
        ).json()
        if report["status"] in ("COMPLETED", "FAILED"):
            if report["status"] == "FAILED":
                raise SeedError(f"{kind} import failed: {report.get('failure')}")
            return report
        time.sleep(1)
    raise SeedError(f"{kind} import did not finish in {timeout_s:.0f} s")


def import_catalog(outputs: dict[str, str]) -> None:
    api = outputs["ApiUrl"]
    token = admin_token(api, outputs)
    for kind, name in CATALOG_FILES:
        began = time.monotonic()
        report = import_file(api, token, kind, SEED / name)
        counts = report["counts"]
        print(
            f"  catalog {kind:<9} {counts['rows']:>6} rows: {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
            f"{counts['skipped']} skipped ({time.monotonic() - began:.1f} s)"
        )


def import_shops(outputs: dict[str, str]) -> None:
    """An approved shop for every Olist seller (``POST /admin/shops/olist``, 1,000 a call)."""
    api = outputs["ApiUrl"]
    headers = {"Authorization": f"Bearer {admin_token(api, outputs)}"}
    with open(SEED / "sellers.csv", newline="") as handle:
        rows = [
            {"sellerId": r["seller_id"], "city": r["seller_city"], "state": r["seller_state"]}
            for r in csv.DictReader(handle)
        ]
    began, totals = time.monotonic(), {"created": 0, "existing": 0, "taken": 0}
    for start in range(0, len(rows), 1000):
        answer = requests.post(
            f"{api}/admin/shops/olist",
            json={"sellers": rows[start : start + 1000]},
            headers=headers,
            timeout=120,
        )
        if answer.status_code != 200:
            raise SeedError(f"importing shops: {answer.status_code} {answer.text[:300]}")
        for key, value in answer.json().items():
            totals[key] += value
    print(
        f"  shops     {len(rows):>6} sellers: {totals['created']} created, "
        f"{totals['existing']} existing, {totals['taken']} taken "
        f"({time.monotonic() - began:.1f} s)"
    )


def _drain(outputs: dict[str, str], queue: str, what: str, timeout_s: float) -> float:
    """Wait until the consumer of ``outputs[queue + "QueueUrl"]`` has taken every message off
    it; seconds waited. Raises SeedError on timeout or if messages went to its dead-letter
    queue (``queue + "DeadLetterQueueUrl"``)."""
    sqs = cloud.client("sqs")
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    began = time.monotonic()
    while time.monotonic() - began < timeout_s:
        queued = sqs.get_queue_attributes(
            QueueUrl=outputs[f"{queue}QueueUrl"], AttributeNames=names
        )["Attributes"]
        if not any(int(queued[name]) for name in names):
            break
        time.sleep(1)
    else:
        raise SeedError(f"the {what} did not catch up in {timeout_s:.0f} s")
    dead = sqs.get_queue_attributes(
        QueueUrl=outputs[f"{queue}DeadLetterQueueUrl"],
        AttributeNames=["ApproximateNumberOfMessages"],
    )["Attributes"]["ApproximateNumberOfMessages"]
    if int(dead):
        raise SeedError(f"{dead} events in the {what}'s dead-letter queue; see make logs")
    return time.monotonic() - began


def wait_for_search_index(outputs: dict[str, str], timeout_s: float = 600) -> None:
    """Wait until the indexer has applied every catalog event (the catalog is searchable)."""
    waited = _drain(outputs, "CatalogIndex", "search indexer", timeout_s)
    print(f"  search index caught up ({waited:.1f} s after the imports)")


def wait_for_stock(outputs: dict[str, str], timeout_s: float = 600) -> None:
    """Wait until inventory has opened the stock of every new offer (OfferCreated)."""
    waited = _drain(outputs, "Inventory", "inventory worker", timeout_s)
    print(f"  stock opened for every offer ({waited:.1f} s more)")


STEPS = [import_catalog, import_shops, wait_for_search_index, wait_for_stock]


def _marker() -> str:
    digest = hashlib.sha256()
    for path in sorted(SEED.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"seeded/{digest.hexdigest()}"


def seeded() -> bool:
    """Whether the running cloud has already been seeded with these seed files."""
    s3 = cloud.client("s3")
    try:
        s3.head_object(Bucket=cloud.ARTIFACTS, Key=_marker())
    except s3.exceptions.ClientError:
        return False
    return True


def run(outputs: dict[str, str]) -> None:
    """Run every seed step against the stack described by ``outputs``, then mark the cloud
    seeded. Raises SeedError."""
    print("seeding:")
    for step in STEPS:
        step(outputs)
    cloud.client("s3").put_object(Bucket=cloud.ARTIFACTS, Key=_marker(), Body=b"")
