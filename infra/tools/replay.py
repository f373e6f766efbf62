"""``make replay``: place the 2,000 real Olist orders through the public HTTP API.

In purchase-time order, each order as its own customer (registered with the dataset's zip
prefix, city and state), with its real items and quantities and its real payments (methods,
split, installments). Before each order the offers it buys are set, through the offer API as
staff, to the price and freight that order paid. Boletos are paid by the sandbox's signed
webhook; orders the dataset shows cancelled are cancelled after they are placed. Orders may
run on several workers, but two orders that share an offer never overlap, so each sees its
own price. An order interrupted by a fault (5xx, lost connection) is tried again. Prints
placed, refused by reason, total mismatches with reasons, and orders/s.

Then the orders the dataset shows delivered are shipped, in the order of Olist's timestamps:
each package is packed and labelled (as staff acting for its seller), and the sandbox
carrier reports it picked up at the dataset's carrier hand-over time and delivered at its
delivery time, through its signed webhook. Prints how many orders reached DELIVERED and how
many escrows were released (the ledger's sweep, every 5 minutes, releases those whose return
window has passed: all of them, the deliveries being years old).

Last, the placed orders' real reviews are imported through moderation (``import_reviews``;
``--no-reviews`` skips it), and what moderation held is printed.

Data: Olist Brazilian E-Commerce Public Dataset, CC BY-NC-SA 4.0 (infra/seed/README.md).
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import json
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra" / "localcloud"))
sys.path.insert(0, str(ROOT / "infra" / "tools"))

import import_reviews  # noqa: E402
from shopper import HttpError, Shopper, address_from_olist  # noqa: E402

DATA = ROOT / "infra" / "seed" / "olist" / "orders"
#: Olist's timestamps are Brasilia time (UTC-3 then, daylight saving aside).
BRASILIA = timezone(timedelta(hours=-3))
#: The replay's gift vouchers expire then: far enough, and the same on every run.
VOUCHER_EXPIRY = "2099-12-31T23:59:59+00:00"
#: A box for a package whose products have no dimensions.
DEFAULT_BOX = {"weightGrams": 1000, "lengthCm": 20, "heightCm": 20, "widthCm": 20}
#: Every card in the replay is the sandbox's always-approved test card.
CARD = {"card": {"number": "4242424242424242"}}
#: Times an order is tried when a fault (5xx, lost connection) interrupts it.
ATTEMPTS = 3
METHOD = {
    "credit_card": "card",
    "debit_card": "debit_card",
    "boleto": "boleto",
    "voucher": "voucher",
}


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


def offer_id(product_id: str, seller_id: str) -> str:
    """The catalog's stable offer id for a product and seller (catalog.domain.offer_id)."""
    return "off_" + hashlib.sha256(f"{product_id}|{seller_id}".encode()).hexdigest()[:20]


def _utc(text: str) -> str | None:
    """An Olist timestamp (Brasilia time) as ISO 8601 UTC, or None when empty."""
    if not text:
        return None
    moment = datetime.fromisoformat(text).replace(tzinfo=BRASILIA)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def load() -> list[dict]:
    """The orders, oldest first: ``{orderId, status, customer, lines, payments, total}``."""
    read = lambda name: list(csv.DictReader((DATA / name).open(encoding="utf-8")))  # noqa: E731
    customers = {c["customer_id"]: c for c in read("customers.csv")}
    items, payments = collections.defaultdict(list), collections.defaultdict(list)
    for row in read("order_items.csv"):
        items[row["order_id"]].append(row)
    for row in read("payments.csv"):
        payments[row["order_id"]].append(row)
    orders = []
    for row in sorted(read("orders.csv"), key=lambda r: r["order_purchase_timestamp"]):
        lines: dict[tuple[str, str], dict] = {}
        for item in sorted(items[row["order_id"]], key=lambda i: int(i["order_item_id"])):
            key = (item["product_id"], item["seller_id"])
            line = lines.setdefault(
                key, {"productId": key[0], "sellerId": key[1], "quantity": 0, "prices": set()}
            )
            line["quantity"] += 1
            line["prices"].add((cents(item["price"]), cents(item["freight_value"])))
        pays = sorted(payments[row["order_id"]], key=lambda p: int(p["payment_sequential"]))
        orders.append(
            {
                "orderId": row["order_id"],
                "status": row["order_status"],
                "handedOverAt": _utc(row["order_delivered_carrier_date"]),
                "deliveredAt": _utc(row["order_delivered_customer_date"]),
                "customer": customers[row["customer_id"]],
                "lines": list(lines.values()),
                "itemsTotal": sum(
                    cents(i["price"]) + cents(i["freight_value"]) for i in items[row["order_id"]]
                ),
                "payments": [
                    {
                        "method": METHOD[p["payment_type"]],
                        "amount": cents(p["payment_value"]),
                        "installments": max(1, int(p["payment_installments"] or 1)),
                    }
                    for p in pays
                    if p["payment_type"] in METHOD and cents(p["payment_value"]) > 0
                ],
            }
        )
    return orders


#: Times a checkout still in progress under its key is asked again, 2 s apart.
IN_PROGRESS_TRIES = 45


class Replay:
    def __init__(self, api: str, sign_in, webhook_secret: str, log=None) -> None:
        """``sign_in()``: a fresh staff access token (they last 15 minutes);
        ``webhook_secret``: the sandbox provider's, to pay boletos; ``log``: a text file each
        order's result is written to as a JSON line, as it ends."""
        self.log = log
        self.webhook_secret = webhook_secret
        self.api = api
        self.sign_in = sign_in
        self.staff = Shopper(api, token=sign_in())
        self.busy: set[str] = set()
        self.cond = threading.Condition()
        self.results: list[dict] = []
        self.lock = threading.Lock()

    def run(self, orders: list[dict], workers: int) -> None:
        """Place ``orders`` in order, ``workers`` at a time (on SIGTERM or Ctrl-C: stop
        taking new ones, finish those in flight)."""
        slots = threading.Semaphore(workers)
        pool = ThreadPoolExecutor(workers)
        try:
            for order in orders:
                offers = {offer_id(line["productId"], line["sellerId"]) for line in order["lines"]}
                slots.acquire()
                with self.cond:  # in purchase order: wait while an earlier order holds an offer
                    self.cond.wait_for(lambda held=offers: not held & self.busy)
                    self.busy |= offers
                future = pool.submit(self.place, order, offers)
                future.add_done_callback(lambda _: slots.release())
        except BaseException:  # stopped: drop the orders not yet started
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)  # every order submitted is placed, the last one too

    def place(self, order: dict, offers: set[str]) -> None:
        started = time.perf_counter()
        try:
            result = self._place_retrying(order)
        finally:
            with self.cond:
                self.busy -= offers
                self.cond.notify_all()
        result.update(orderId=order["orderId"], seconds=time.perf_counter() - started)
        with self.lock:
            self.results.append(result)
            if self.log:
                self.log.write(json.dumps(result) + "\n")
                self.log.flush()
            if len(self.results) % 50 == 0:
                placed = sum(1 for r in self.results if r["outcome"] == "placed")
                print(f"  {len(self.results)} orders done, {placed} placed", flush=True)

    def _place_retrying(self, order: dict) -> dict:
        """``_place``, again (up to ``ATTEMPTS`` times) after a fault that says nothing about
        the order: a 5xx or a lost connection. Every step of ``_place`` may run twice: prices
        are set, not added; the customer's cart is emptied when the account exists; the
        checkout's Idempotency-Key is the Olist order id, so a checkout that did happen is
        answered again, not made twice."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                result = self._place(order)
                if attempt > 1:
                    result["notes"].append(f"placed at attempt {attempt}")
                return result
            except HttpError as exc:
                if exc.status >= 500 and attempt < ATTEMPTS:
                    time.sleep(2 * attempt)
                    continue
                return {
                    "outcome": "refused",
                    "reason": exc.code or f"HTTP_{exc.status}",
                    "detail": str(exc)[:200],
                }
            except requests.RequestException as exc:
                if attempt < ATTEMPTS:
                    time.sleep(2 * attempt)
                    continue
                return {"outcome": "error", "reason": type(exc).__name__, "detail": str(exc)[:200]}
            except Exception as exc:  # reported in the summary, not hidden
                return {"outcome": "error", "reason": type(exc).__name__, "detail": str(exc)[:200]}
        raise AssertionError("unreachable")

    def as_staff(self, method: str, path: str, body: dict, **kwargs) -> dict:
        """A staff call, signing in again once the access token has expired, and made again
        when the offer changed between the API's read and write (409 CONCURRENT_UPDATE: the
        catalog's own consumers update offers too). ``kwargs`` go to ``Shopper.call``."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self.staff.call(method, path, body, **kwargs).json()
            except HttpError as exc:
                if exc.status == 401:
                    with self.lock:
                        self.staff.token = self.sign_in()
                elif exc.code != "CONCURRENT_UPDATE" or attempt == ATTEMPTS:
                    raise
        return self.staff.call(method, path, body, **kwargs).json()

    def _voucher(self, order_id: str, seq: int, amount: int) -> str:
        """A gift voucher staff issue for an Olist order's voucher payment (the dataset says
        a voucher paid it; here a voucher is a real instrument with a balance)."""
        code = f"OL{order_id[:24].upper()}-{seq}"
        # The same body every run (an Idempotency-Key names one request): a fixed expiry.
        expires = VOUCHER_EXPIRY
        body = {"code": code, "amount": amount, "expiresAt": expires, "note": f"olist {order_id}"}
        self.as_staff(
            "POST", "/admin/vouchers", body, expect=(201, 409), headers={"Idempotency-Key": code}
        )
        return code

    @staticmethod
    def _checkout(shopper: Shopper, payments: list[dict], key: str):
        """``POST /checkout`` with ``key``; while an earlier try with the key still runs (a
        retry after a 5xx whose saga went on: 409 REQUEST_IN_PROGRESS; a saga that outlasted
        the answer: 409 CHECKOUT_IN_PROGRESS), ask again until it
        has its answer, as a client of an idempotent API does."""
        for _ in range(IN_PROGRESS_TRIES):
            response = shopper.checkout(payments, key=key, expect=(201, 409))
            if not _in_progress(response):
                return response
            time.sleep(2)
        return response

    def _place(self, order: dict) -> dict:
        if not order["lines"]:
            return {"outcome": "refused", "reason": f"NO_ITEMS_IN_DATASET ({order['status']})"}
        reasons, notes = [], []
        for line in order["lines"]:
            price, freight = sorted(line["prices"])[0]
            if len(line["prices"]) > 1:
                reasons.append("one offer at several prices in one order")
            offer = offer_id(line["productId"], line["sellerId"])
            self.as_staff("PATCH", f"/offers/{offer}", {"price": price, "freight": freight})
        c = order["customer"]
        shopper = Shopper(self.api).register(
            f"olist-{c['customer_id']}@example.com",
            "Olist customer",
            address_from_olist(
                c["customer_zip_code_prefix"], c["customer_city"], c["customer_state"]
            ),
        )
        for line in order["lines"]:
            shopper.add(line["productId"], line["sellerId"], line["quantity"])
        payments = [
            dict(p, **CARD) if p["method"] in ("card", "debit_card") else dict(p)
            for p in order["payments"]
        ]
        paid = sum(p["amount"] for p in payments)
        if paid != order["itemsTotal"]:
            reasons.append(
                f"dataset payments differ from its items (by {paid - order['itemsTotal']} centavos)"
            )
            last = payments[-1]
            rest = order["itemsTotal"] - sum(p["amount"] for p in payments[:-1])
            if last["method"] == "voucher" and rest > 0:
                last["amount"] = rest  # a voucher is issued for what it pays
            else:
                last.pop("amount")  # the last payment takes what the items cost
        for seq, payment in enumerate(payments):
            if payment["method"] == "voucher":
                payment["voucherCode"] = self._voucher(order["orderId"], seq, payment["amount"])
        key = f"olist-{order['orderId']}"
        response = self._checkout(shopper, payments, key)
        if response.status_code == 409 and response.json().get("code") == "OUT_OF_STOCK":
            # An earlier replay sold these units: the seller restocks, the customer retries.
            for offer in response.json()["offerIds"]:
                self.as_staff("POST", f"/inventory/offers/{offer}/receipts", {"quantity": 50})
            notes.append("restocked")
            response = self._checkout(shopper, payments, f"{key}-restocked")
        elif response.status_code == 409:
            raise HttpError(response)
        placed = response.json()
        if placed["total"]["amount"] != order["itemsTotal"]:
            reasons.append("order total differs from the dataset's items")
        detail = shopper.call("GET", f"/orders/{placed['orderId']}").json()
        for payment in detail["payments"]:
            if payment["status"] == "PENDING":
                shopper.pay_boleto(
                    payment["paymentId"], payment["amount"]["amount"], self.webhook_secret
                )
        if order["status"] == "canceled" and detail["status"] != "CANCELLED":
            shopper.call(
                "POST", f"/orders/{placed['orderId']}/cancel", {"reason": "dataset: canceled"}
            )
        return {
            "outcome": "placed",
            "titanOrderId": placed["orderId"],
            "status": placed["status"],
            "mismatch": reasons,
            "notes": notes,
            "methods": sorted({p["method"] for p in payments}),
        }

    # ---------------------------------------------------------------- after "paid"

    def ship_and_deliver(self, orders: list[dict], release_wait: float) -> dict:
        """Ship the placed orders the dataset shows delivered, in the order of their Olist
        timestamps (see the module doc); ``{"shipped", "delivered", "released", "failed"}``
        counts of orders."""
        placed = {r["orderId"]: r for r in self.results if r["outcome"] == "placed"}
        steps = []
        for order in orders:
            result = placed.get(order["orderId"])
            if result and order["status"] == "delivered" and order["deliveredAt"]:
                # Olist has orders its carrier "picked up" after their delivery: never later
                handed = min(order["handedOverAt"] or order["deliveredAt"], order["deliveredAt"])
                steps.append((handed, 0, "PICKED_UP", result))
                steps.append((order["deliveredAt"], 1, "DELIVERED", result))
        parcels: dict[str, dict[str, str]] = {}  # order: {tracking number: status}
        failed: set[str] = set()
        for at, _, code, result in sorted(steps, key=lambda s: (s[0], s[1])):
            order_id = result["titanOrderId"]
            if order_id in failed:
                continue
            try:
                if code == "PICKED_UP":
                    parcels[order_id] = self._label(order_id)
                for number, status in parcels[order_id].items():
                    if (code == "PICKED_UP" and status != "LABEL_PURCHASED") or status in (
                        "DELIVERED",
                        "LOST",
                    ):
                        continue  # a replay run again: the carrier told this already
                    self.as_staff(
                        "POST",
                        f"/sandbox/carriers/correio/parcels/{number}/events",
                        {"code": code, "at": at, "location": "Olist dataset"},
                    )
            except (HttpError, requests.RequestException, TimeoutError) as exc:
                print(f"  {order_id}: {code} failed: {str(exc)[:160]}", flush=True)
                failed.add(order_id)
        shipped = [o for o in parcels if o not in failed]
        delivered = self._until(shipped, "status", "DELIVERED", 60, "/orders/{}")
        released = self._until(delivered, "status", "RELEASED", release_wait, "/orders/{}/escrow")
        return {
            "shipped": len(shipped),
            "delivered": len(delivered),
            "released": len(released),
            "failed": len(failed),
        }

    def _label(self, order_id: str) -> dict[str, str]:
        """Pack and label each package of the order not yet labelled (its checkout's packed
        estimate as the box); ``{tracking number: status}``. The packages open
        asynchronously after the order."""
        deadline = time.monotonic() + 60
        while True:
            found = self._read(f"/orders/{order_id}/shipments")
            packages = [s for s in found.get("shipments", []) if s["direction"] == "OUTBOUND"]
            if packages and all(s["status"] != "AWAITING_PAYMENT" for s in packages):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"the packages of {order_id} did not open in 60 s")
            time.sleep(0.5)
        numbers = {}
        for package in packages:
            path = f"/shipments/{package['packageId']}"
            if package["status"] in ("AWAITING_PACKING", "PACKED"):
                self.as_staff("POST", f"{path}/pack", package.get("parcel") or DEFAULT_BOX)
                package = self.as_staff("POST", f"{path}/label", None)
            numbers[package["trackingNumber"]] = package["status"]
        return numbers

    def _read(self, path: str) -> dict:
        """A staff GET of ``path`` (its JSON, a 404's problem included), asked again after a
        lost connection: reads are safe to repeat."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self.as_staff("GET", path, None, expect=(200, 404))
            except requests.RequestException:
                if attempt == ATTEMPTS:
                    raise
                time.sleep(2 * attempt)
        raise AssertionError("unreachable")

    def _until(
        self, order_ids: list[str], field: str, wanted: str, seconds: float, path: str
    ) -> list[str]:
        """The orders whose ``path`` read shows ``field`` == ``wanted`` within ``seconds``."""
        waiting, done = set(order_ids), []
        deadline = time.monotonic() + seconds
        while waiting:
            for order_id in sorted(waiting):
                read = self._read(path.format(order_id))
                if read.get(field) == wanted:
                    done.append(order_id)
                    waiting.discard(order_id)
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(5)
        return done


def _in_progress(response) -> bool:
    return response.status_code == 409 and response.json().get("code") in (
        "REQUEST_IN_PROGRESS",
        "CHECKOUT_IN_PROGRESS",
    )


def summary(results: list[dict], seconds: float, total: int) -> str:
    placed = [r for r in results if r["outcome"] == "placed"]
    refused = collections.Counter(r["reason"] for r in results if r["outcome"] != "placed")
    mismatched = [r for r in placed if r["mismatch"]]
    reasons = collections.Counter(m.split(" (")[0] for r in mismatched for m in r["mismatch"])
    restocked = sum(1 for r in placed if "restocked" in r.get("notes", ()))
    latency = sorted(r["seconds"] for r in placed) or [0]
    out = [
        f"orders in the dataset: {total}",
        f"placed: {len(placed)} ({100 * len(placed) / total:.1f}%)",
        f"  with a total that matches the dataset's payments: {len(placed) - len(mismatched)}",
        f"  mismatches: {len(mismatched)}",
    ]
    out += [f"    {n} x {reason}" for reason, n in reasons.most_common()]
    if restocked:
        out.append(f"  restocked first (units sold by an earlier replay): {restocked}")
    out.append(f"refused or failed: {sum(refused.values())}")
    out += [f"    {n} x {reason}" for reason, n in refused.most_common()]
    out += [
        f"time: {seconds:.1f} s, {len(results) / seconds:.2f} orders/s",
        f"per order (all calls): p50 {latency[len(latency) // 2]:.2f} s, "
        f"p95 {latency[int(len(latency) * 0.95)]:.2f} s",
    ]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offset", type=int, default=0, help="skip the first N orders")
    parser.add_argument("--limit", type=int, default=None, help="N orders only")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--results", default=None, help="append each order's result to this file (JSON lines)"
    )
    parser.add_argument(
        "--release-wait",
        type=float,
        default=330,
        help="seconds to wait for the ledger's sweep to release the delivered orders' escrow",
    )
    parser.add_argument("--no-reviews", action="store_true", help="do not import the reviews")
    args = parser.parse_args(argv)
    from localcloud import cloud, seed

    outputs = (
        cloud.read_outputs()
        if hasattr(cloud, "read_outputs")
        else json.loads(cloud.OUTPUTS.read_text())
    )
    api = outputs["ApiUrl"]
    orders = load()[args.offset :][: args.limit]
    log = open(args.results, "a", encoding="utf-8") if args.results else None  # noqa: SIM115
    replay = Replay(
        api, lambda: seed.admin_token(api, outputs), outputs["PaymentWebhookSecret"], log
    )
    started = time.perf_counter()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        replay.run(orders, args.workers)
    except KeyboardInterrupt:  # stopped early: report what was done
        print("stopped early; waiting for the orders in flight", flush=True)
        orders = orders[: len(replay.results)]  # the ones started, all finished
    seconds = time.perf_counter() - started
    print(summary(list(replay.results), seconds, len(orders)))
    started = time.perf_counter()
    shipped = replay.ship_and_deliver(orders, args.release_wait)
    print(
        f"shipped through the sandbox carrier: {shipped['shipped']} orders "
        f"({shipped['failed']} failed); DELIVERED: {shipped['delivered']}; "
        f"escrow released: {shipped['released']} ({time.perf_counter() - started:.1f} s)"
    )
    placed = {r["orderId"]: r["titanOrderId"] for r in replay.results if r["outcome"] == "placed"}
    if not args.no_reviews:
        rows = import_reviews.rows_for(import_reviews.read_reviews(DATA), placed)
        done = import_reviews.run(api, replay.sign_in, rows, log=lambda _: None)
        print(import_reviews.summary(done, rows))
    return 0 if len(placed) >= 0.99 * len(orders) and not shipped["failed"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
