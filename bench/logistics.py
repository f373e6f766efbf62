"""Logistics figures for ``make bench``, over HTTP on the local cloud.

- ``GET /shipping/quotes``: p50/p95 of 200 sequential quotes on varied routes and parcels;
- ``GET /cart/shipping-options``: p50/p95 of 50 reads of a two-seller cart (the cart, the
  catalog's quote, the address and shipping's packages: three Lambda-to-Lambda calls);
- carriers' tracking webhooks: signed events (``POST /carriers/correio/events``), each of 40
  labelled parcels taken through its five scans: by one client (8 parcels), then by 8 client
  threads at once (32 parcels); events per second, and p50/p95 per event.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid

import requests

from figures import percentile
from fulfilment.carriers import key_of
from shopper import Shopper, new_customer, new_offer
from titan import webhooks

ZIPS = ["01001", "13023", "20010", "30130", "40010", "69005", "80010", "88010", "90010"]
BOX = {"weightGrams": 800, "lengthCm": 25, "heightCm": 10, "widthCm": 18}
CARD = {"method": "card", "card": {"number": "4242424242424242"}}
SCANS = ("PICKED_UP", "IN_TRANSIT", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED")


def _timed(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 50):6.1f} ms   p95 {percentile(samples, 95):6.1f} ms"


def quotes(api: str, n: int = 200) -> list[float]:
    session, rng, samples = requests.Session(), random.Random(7), []
    for i in range(n + 10):
        query = {
            "fromZip": rng.choice(ZIPS),
            "toZip": rng.choice(ZIPS),
            "weightGrams": rng.randint(100, 20000),
            "lengthCm": rng.randint(10, 80),
            "heightCm": rng.randint(2, 40),
            "widthCm": rng.randint(10, 60),
            "declaredValue": rng.randint(0, 50000),
        }
        began = time.perf_counter()
        session.get(f"{api}/shipping/quotes", params=query, timeout=30).raise_for_status()
        if i >= 10:  # the first ten warm the functions
            samples.append((time.perf_counter() - began) * 1000)
    return samples


def cart_options(api: str, staff_token: str, n: int = 50) -> list[float]:
    buyer = new_customer(api)
    for _ in range(2):
        offer = new_offer(api, staff_token)
        buyer.add(offer["productId"], offer["sellerId"], 1)
    path = f"/cart/shipping-options?addressId={buyer.address_id}"
    samples = []
    for i in range(n + 5):
        began = time.perf_counter()
        buyer.call("GET", path)
        if i >= 5:
            samples.append((time.perf_counter() - began) * 1000)
    return samples


def _parcels(api: str, staff_token: str, count: int) -> list[str]:
    """Tracking numbers of ``count`` labelled parcels (orders of one offer, packed and
    labelled by staff for the seller)."""
    staff = Shopper(api, token=staff_token)
    offer = new_offer(api, staff_token)
    staff.call("POST", f"/inventory/offers/{offer['offerId']}/receipts", {"quantity": count})
    numbers = []
    for _ in range(count):
        buyer = new_customer(api)
        buyer.add(offer["productId"], offer["sellerId"], 1)
        order_id = buyer.checkout([CARD]).json()["orderId"]
        deadline = time.monotonic() + 60
        while True:
            found = staff.call("GET", f"/orders/{order_id}/shipments", expect=(200, 404)).json()
            if found.get("shipments"):
                break
            if time.monotonic() > deadline:
                raise TimeoutError("packages did not open")
            time.sleep(0.3)
        path = f"/shipments/{found['shipments'][0]['packageId']}"
        staff.call("POST", f"{path}/pack", BOX)
        numbers.append(staff.call("POST", f"{path}/label").json()["trackingNumber"])
    return numbers


def webhooks_per_second(api: str, secret: str, numbers: list[str], threads: int = 8):
    """Each parcel taken through ``SCANS`` by signed webhooks, parcels shared out among
    ``threads`` clients: (events per second, per-event latencies in ms, answers by status)."""
    key = key_of(secret, "correio")
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(mine: list[str]) -> None:
        session = requests.Session()
        for number in mine:
            for code in SCANS:
                body = json.dumps(
                    {
                        "eventId": str(uuid.uuid4()),
                        "trackingNumber": number,
                        "code": code,
                        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    }
                ).encode()
                began = time.perf_counter()
                answer = session.post(
                    f"{api}/carriers/correio/events",
                    data=body,
                    headers={"X-Titan-Signature": webhooks.sign(key, body)},
                    timeout=60,
                )
                with lock:
                    latencies.append((time.perf_counter() - began) * 1000)
                    statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

    pool = [threading.Thread(target=client, args=(numbers[t::threads],)) for t in range(threads)]
    began = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies) / (time.perf_counter() - began), latencies, statuses


def figures(outputs: dict, staff_token: str) -> list[str]:
    api = outputs["ApiUrl"]
    out = [f"  GET /shipping/quotes, 200 in a row        {_timed(quotes(api))}"]
    out.append(
        f"  GET /cart/shipping-options (2 sellers)     {_timed(cart_options(api, staff_token))}"
    )
    numbers = _parcels(api, staff_token, 40)
    secret = outputs["CarrierWebhookSecret"]
    for clients, parcels in ((1, numbers[:8]), (8, numbers[8:])):
        rate, latencies, statuses = webhooks_per_second(api, secret, parcels, clients)
        out.append(
            f"  carrier webhooks, {clients} client(s), {len(latencies)} events: {rate:5.1f}/s; "
            f"per event {_timed(latencies)}; answers {dict(sorted(statuses.items()))}"
        )
    return out
