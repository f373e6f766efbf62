"""Flash sales over HTTP on the local cloud: a sale set aside from an offer's stock, public
listing, reservations under the per-customer limit until sold out, the checkout of a
reservation at the sale price (once), an unpaid reservation given back by the expiry queue,
and the purchase route's rate limit."""

from __future__ import annotations

import threading
import uuid

import pytest
import requests

from flash_crowd import new_sale
from localcloud import seed
from shopper import Shopper, new_customer, new_offer
from tests.e2e import polling

CARD_OK = {"method": "card", "card": {"number": "4242424242424242"}}


@pytest.fixture(scope="module")
def staff(cloud, api_url) -> Shopper:
    return Shopper(api_url, token=seed.admin_token(api_url, cloud))


def test_a_flash_sale_from_listing_to_paid_order_and_expiry(api_url, staff):
    offer = new_offer(api_url, staff.token)  # R$ 89,90 + R$ 15,00 freight, 50 in stock
    # Holds of 30 s: long enough for the five reservations below on a loaded CI machine (at
    # 10 s, Ana's hold once expired before the sold-out check), short enough to wait out.
    sale = new_sale(api_url, staff.token, offer, quantity=3, limit=2, hold_seconds=30)
    assert sale["salePrice"]["amount"] == 4495 and sale["remaining"] == 3
    stock = staff.call("GET", f"/inventory/offers/{offer['offerId']}").json()
    assert stock["available"] == 50  # 3 more were received, and set aside for the sale
    listed = requests.get(f"{api_url}/flash-sales?phase=ACTIVE", timeout=30).json()["sales"]
    assert sale["saleId"] in [s["saleId"] for s in listed]

    ana, bia, cid = new_customer(api_url), new_customer(api_url), new_customer(api_url)
    key = str(uuid.uuid4())
    held = ana.reserve(sale["saleId"], 2, key=key).json()
    assert held["unitPrice"]["amount"] == 4495
    assert ana.reserve(sale["saleId"], 2, key=key).json()["reservationId"] == held["reservationId"]
    over = ana.reserve(sale["saleId"], 1, expect=(409,)).json()
    assert over["code"] == "LIMIT_REACHED"
    bia_held = bia.reserve(sale["saleId"], 1).json()
    assert cid.reserve(sale["saleId"], 1, expect=(409,)).json()["code"] == "SOLD_OUT"

    # Ana pays hers: one line at the sale price with the offer's freight, once.
    placed = ana.checkout([CARD_OK], reservation=held["reservationId"]).json()
    assert placed["status"] == "CONFIRMED"
    assert placed["total"]["amount"] == 2 * 4495 + 2 * 1500
    order = ana.call("GET", f"/orders/{placed['orderId']}").json()
    assert [(line["unitPrice"]["amount"], line["quantity"]) for line in order["lines"]] == [
        (4495, 2)
    ]
    again = ana.checkout([CARD_OK], reservation=held["reservationId"], expect=(409,)).json()
    assert again["code"] == "RESERVATION_USED"

    # Bia never pays: the expiry queue gives her unit back to the sale after 30 s.
    polling.until(
        lambda: requests.get(f"{api_url}/flash-sales/{sale['saleId']}", timeout=30).json(),
        lambda body: body["remaining"] == 1,
        "the unpaid reservation's unit back in the sale",
        90,
    )
    late = bia.checkout([CARD_OK], reservation=bia_held["reservationId"], expect=(409,)).json()
    assert late["code"] == "RESERVATION_EXPIRED"
    # the unit is back; a reservation function that cached the sale as sold out sees it
    # reopened within SALE_CACHE_SECONDS (1 s)
    reserved = polling.until(
        lambda: cid.reserve(sale["saleId"], 1, expect=(201, 409)),
        lambda response: response.status_code == 201,
        "a reservation of the unit given back",
        10,
    )
    assert reserved.status_code == 201


def test_bad_requests_and_the_rate_limit(api_url, staff):
    offer = new_offer(api_url, staff.token)
    sale = new_sale(api_url, staff.token, offer, quantity=1, limit=1)
    dan = new_customer(api_url)
    no_key = dan.call(
        "POST", f"/flash-sales/{sale['saleId']}/reservations", {"quantity": 1}, expect=(400,)
    )
    assert no_key.json()["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    bad = dan.reserve(sale["saleId"], 0, expect=(422,))
    assert bad.headers["Content-Type"].startswith("application/problem+json")
    unknown = dan.reserve("fs_01JDQ6R8V9W3X4Y5Z6A7B8C9D0", 1, expect=(404,)).json()
    assert unknown["code"] == "SALE_NOT_FOUND"
    anonymous = requests.post(
        f"{api_url}/flash-sales/{sale['saleId']}/reservations", json={"quantity": 1}, timeout=30
    )
    assert anonymous.status_code == 401
    # A customer gets 5 attempts at once, then one a second: a burst of 10 meets a 429.
    answers: list = []
    threads = [
        threading.Thread(target=lambda: answers.append(dan.reserve(sale["saleId"], 1, expect=None)))
        for _ in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert limited[0].json()["code"] == "RATE_LIMITED"
    assert int(limited[0].headers["Retry-After"]) >= 1
