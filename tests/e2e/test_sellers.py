"""Applying to sell over HTTP on the local cloud: an account applies with its documents
uploaded to S3, staff review, ask for more, and approve through the approval saga; the
applicant, signed in again, acts for the new seller (the catalog knows the seller, the ledger
its balance) and was told at each step in their inbox."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from PIL import Image

from localcloud import seed
from shopper import TEST_ADDRESS, Shopper
from tests.e2e import polling
from tests.e2e.selling import apply_and_approve, shirt_listing, upload_image


@pytest.fixture(scope="module")
def staff(cloud, api_url) -> Shopper:
    return Shopper(api_url, token=seed.admin_token(api_url, cloud))


def test_an_account_applies_staff_approve_and_it_sells(api_url, staff):
    made = apply_and_approve(api_url, staff)
    ana, seller_id = made["shopper"], made["sellerId"]
    me = ana.call("GET", "/me").json()
    assert "seller" in me["roles"]
    assert staff.call("GET", f"/sellers/{seller_id}").json()["sellerId"] == seller_id
    balance = ana.call("GET", f"/sellers/{seller_id}/balance").json()
    assert balance["available"]["amount"] == 0
    shop = Shopper(api_url).call("GET", f"/shops/{made['slug']}").json()
    assert (shop["sellerId"], shop["city"], shop["productCount"]) == (seller_id, "Campinas", 0)
    told = polling.until(
        lambda: ana.call("GET", "/me/notifications").json()["items"],
        lambda items: {"seller_info_requested", "seller_approved"} <= {n["kind"] for n in items},
        "the applicant told of the request and the approval",
        90,
    )
    approval = next(n for n in told if n["kind"] == "seller_approved")
    assert approval["link"] == f"/seller-applications/{made['applicationId']}"


def test_a_seller_lists_two_variants_and_a_buyer_buys_one(api_url, staff):
    made = apply_and_approve(api_url, staff)
    seller, seller_id = made["shopper"], made["sellerId"]
    white, black = (
        upload_image(seller, seller_id, (250, 250, 250)),
        upload_image(seller, seller_id, (10, 10, 10)),
    )
    word = f"camiseta{uuid.uuid4().hex[:6]}"
    listing = shirt_listing(
        word,
        [
            {"options": {"Cor": "Branca"}, "price": 5990, "freight": 1500, "stock": 5,
             "gtin": "7891000315507", "images": [white]},
            {"options": {"Cor": "Preta"}, "price": 6490, "freight": 1500, "stock": 2,
             "images": [black]},
        ],
        [white, black],
    )  # fmt: skip
    product = seller.call("POST", f"/sellers/{seller_id}/products", listing, expect=(201,)).json()
    pid = product["productId"]
    assert product["moderation"] == "DRAFT" and len(product["offers"]) == 2
    # thumbnails are made by the S3-triggered function, real WebP
    thumb = product["images"][0]["thumbnails"]["200"]
    got = polling.until(
        lambda: requests.get(thumb, timeout=30),
        lambda r: r.status_code == 200,
        "the image's thumbnail",
        60,
    )
    with Image.open(io.BytesIO(got.content)) as small:
        assert (small.format, small.size) == ("WEBP", (200, 133))
    Shopper(api_url).call("GET", f"/products/{pid}", expect=(404,))  # a draft is not public
    seller.call("POST", f"/sellers/{seller_id}/products/{pid}/submit")
    queue = staff.call("GET", "/admin/listings?limit=100").json()["items"]
    assert pid in {p["productId"] for p in queue}
    live = staff.call("POST", f"/admin/listings/{pid}/publish").json()
    assert live["status"] == "ACTIVE"
    found = polling.until(
        lambda: Shopper(api_url).call("GET", f"/search?q={word}").json()["items"],
        lambda items: [i["productId"] for i in items] == [pid],
        "the published listing in search",
        60,
    )
    assert found[0]["bestOffer"]["price"]["amount"] == 5990
    dark = next(o for o in live["offers"] if o["options"] == {"Cor": "Preta"})

    buyer = Shopper(api_url).register(
        f"buyer-{uuid.uuid4().hex[:10]}@example.com", "Bia Lima", TEST_ADDRESS
    )
    polling.until(  # inventory opens each SKU's stock from OfferCreated, a moment later
        lambda: seller.call("GET", f"/inventory/offers/{dark['offerId']}", expect=None),
        lambda r: r.status_code == 200 and r.json()["available"] == 2,
        "the variant's stock opened",
        60,
    )
    buyer.add(pid, seller_id, 1, dark["skuId"])
    # a shop voucher: 10% off the shop's lines, funded by the seller
    code = f"LOJA{uuid.uuid4().hex[:6].upper()}"
    voucher = {"code": code, "type": "percentage", "value": 1000}
    seller.call("POST", f"/sellers/{seller_id}/vouchers", voucher, expect=(201,))
    card = {"method": "card", "card": {"number": "4242424242424242"}}
    placed = buyer.checkout([card], coupon=code).json()
    assert placed["status"] == "CONFIRMED"
    order = buyer.call("GET", f"/orders/{placed['orderId']}").json()
    (line,) = order["lines"]
    assert line["title"] == f"Camiseta {word} algodão (Cor Preta)"
    assert line["unitPrice"]["amount"] == 6490
    assert order["totals"]["discount"]["amount"] == 649
    stock = seller.call("GET", f"/inventory/offers/{dark['offerId']}").json()
    assert stock["available"] == 1

    # the seller sees it in its dashboard, equal to a recount from the records
    day = datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    days = f"from={day - timedelta(days=1)}&to={day + timedelta(days=1)}"
    today = polling.until(
        lambda: seller.call("GET", f"/sellers/{seller_id}/stats?{days}"),
        lambda r: r.json()["totals"]["orders"] == 1,
        "the order in the seller's stats",
        60,
    ).json()
    assert (today["totals"]["gmv"], today["totals"]["units"]) == (6490, 1)
    assert today["topProducts"][0]["productId"] == pid
    recount = staff.call("GET", f"/sellers/{seller_id}/stats/recount?{days}").json()
    assert (recount["orders"], recount["gmv"], recount["units"]) == (1, 6490, 1)

    # on vacation: out of search and of the cart, checkout refused; then back
    shop = f"/shops/{made['slug']}"
    seller.call("PATCH", shop, {"vacation": {"onVacation": True, "message": "Volto já"}})
    cart = buyer.call("POST", "/cart/items", {"productId": pid, "sellerId": seller_id,
                      "quantity": 1, "skuId": dark["skuId"]}, expect=(409,))  # fmt: skip
    assert cart.json()["code"] == "SHOP_ON_VACATION"
    polling.until(
        lambda: Shopper(api_url).call("GET", f"/search?q={word}").json()["items"],
        lambda items: items == [],
        "the shop's listing out of search",
        60,
    )
    seller.call("PATCH", shop, {"vacation": {"onVacation": False}})
    assert buyer.add(pid, seller_id, 1, dark["skuId"])["available"]
