"""Reviews over HTTP on the local cloud: a buyer reviews what was delivered, with a photo
uploaded to S3 by a presigned POST; moderation holds contact data for staff; votes, reports
and the seller's reply; the stars reach the catalog's product and seller reads and search.
Then real Olist orders are replayed and their real reviews imported: the seller's rating is
the mean of their orders' reviews in the CSV."""

from __future__ import annotations

import csv
import struct
import tempfile
import uuid
import zlib
from pathlib import Path

import pytest
import requests

from localcloud import seed
from shopper import Shopper, new_customer, new_offer, new_seller
from tests.e2e import polling

TIMEOUT_S = 90
CARD_OK = {"method": "card", "card": {"number": "4242424242424242"}}
DATA = Path(__file__).resolve().parents[2] / "infra" / "seed" / "olist" / "orders"
#: A seller of the shared orders with four orders, all reviewed (scores 1, 5, 5 and one more).
OLIST_SELLER = "8b28d096634035667e8263d57ba3368c"


def until(read, accept, what: str):
    return polling.until(read, accept, what, TIMEOUT_S)


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG image (RGB, white), built by hand: signature, IHDR, IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff" * 3 * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def staff(cloud, api_url) -> Shopper:
    return Shopper(api_url, token=seed.admin_token(api_url, cloud))


def delivered(api_url, staff) -> tuple[Shopper, dict, dict]:
    offer = new_offer(api_url, staff.token)
    ana = new_customer(api_url)
    ana.add(offer["productId"], offer["sellerId"], 1)
    placed = ana.checkout([CARD_OK]).json()
    for move in ("ship", "deliver"):
        staff.call("POST", f"/orders/{placed['orderId']}/{move}")
    return ana, offer, ana.call("GET", f"/orders/{placed['orderId']}").json()


def review(buyer: Shopper, order: dict, expect=(201,), **body):
    return buyer.call(
        "POST",
        f"/orders/{order['orderId']}/reviews",
        body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
        expect=expect,
    )


def test_a_buyer_reviews_with_a_photo_and_the_stars_reach_the_catalog(api_url, staff):
    ana, offer, order = delivered(api_url, staff)
    line = order["lines"][0]["lineId"]
    image = png()
    form = ana.call(
        "POST", "/reviews/photos", {"contentType": "image/png", "size": len(image)}, expect=(201,)
    ).json()
    wrong = requests.post(
        form["url"], data=form["fields"], files={"file": ("x.png", image + b"0" * 10)}, timeout=30
    )
    assert wrong.status_code in (400, 403)  # larger than announced: S3 refuses it
    upload = requests.post(
        form["url"], data=form["fields"], files={"file": ("x.png", image)}, timeout=30
    )
    assert upload.status_code in (200, 201, 204), upload.text
    written = review(
        ana,
        order,
        lineId=line,
        rating=4,
        title="Bom",
        text="Cheiro ótimo, chegou rápido.",
        photos=[form["key"]],
    ).json()
    assert written["status"] == "PUBLISHED" and written["rating"] == 4
    assert requests.get(written["photos"][0], timeout=30).content == image
    seller_review = review(
        ana, order, sellerId=offer["sellerId"], rating=2, text="Demorou a enviar"
    ).json()
    again = review(ana, order, expect=(409,), lineId=line, rating=5).json()
    assert again["code"] == "ALREADY_REVIEWED"

    page = Shopper(api_url).call("GET", f"/products/{offer['productId']}/reviews").json()
    assert page["rating"]["count"] == 1 and page["items"][0]["reviewId"] == written["reviewId"]
    product = until(  # the product's and the seller's ratings arrive as separate events
        lambda: Shopper(api_url).call("GET", f"/products/{offer['productId']}").json(),
        lambda p: p["rating"]["count"] == 1 and p["offers"][0]["sellerRating"]["count"] == 1,
        "the product's and the seller's ratings in the catalog",
    )
    assert product["rating"]["average"] == 4.0
    assert product["offers"][0]["sellerRating"] == {"average": 2.0, "count": 1}
    seller = until(
        lambda: Shopper(api_url).call("GET", f"/sellers/{offer['sellerId']}").json(),
        lambda s: s["rating"]["count"] == 1,
        "the seller's rating in the catalog",
    )
    assert seller["rating"]["distribution"]["2"] == 1
    found = until(
        lambda: Shopper(api_url)
        .call("GET", f"/products?sellerId={offer['sellerId']}&minRating=4&sort=rating_desc")
        .json(),
        lambda p: p["total"] == 1,
        "search by rating",
    )
    assert found["items"][0]["rating"] == {"average": 4.0, "count": 1}

    # the seller answers once; others vote; the author cannot vote on their own review
    owner = new_seller(api_url, staff.token, offer["sellerId"])
    replied = owner.call(
        "POST", f"/reviews/{seller_review['reviewId']}/reply", {"text": "Pedimos desculpas."}
    ).json()
    assert replied["reply"]["text"] == "Pedimos desculpas."
    bia = new_customer(api_url)
    voted = bia.call("POST", f"/reviews/{written['reviewId']}/votes", {"helpful": True}).json()
    assert voted["helpful"] == 1
    own = ana.call(
        "POST", f"/reviews/{written['reviewId']}/votes", {"helpful": True}, expect=(403,)
    )
    assert own.json()["code"] == "OWN_REVIEW"
    edit = bia.call("PATCH", f"/reviews/{written['reviewId']}", {"rating": 1}, expect=(403,))
    assert edit.json()["code"] == "NOT_YOUR_REVIEW"
    bia.call("DELETE", f"/reviews/{written['reviewId']}", expect=(403,))


def test_contact_data_is_held_for_staff_who_publish_it(api_url, staff):
    ana, offer, order = delivered(api_url, staff)
    held = review(
        ana,
        order,
        lineId=order["lines"][0]["lineId"],
        rating=5,
        text="Chama no zap (11) 98765-4321",
    ).json()
    assert held["status"] == "HELD" and held["reasons"][0]["code"] == "CONTACT_DATA"
    Shopper(api_url).call("GET", f"/reviews/{held['reviewId']}", expect=(404,))
    queue = staff.call("GET", "/admin/reviews?limit=100").json()
    assert held["reviewId"] in [r["reviewId"] for r in queue["items"]]
    ana.call("GET", "/admin/reviews", expect=(403,))
    published = staff.call(
        "POST", f"/admin/reviews/{held['reviewId']}/decision", {"outcome": "PUBLISH"}
    ).json()
    assert published["status"] == "PUBLISHED"
    assert Shopper(api_url).call("GET", f"/reviews/{held['reviewId']}").json()["rating"] == 5


def test_reviews_refuse_bad_input_with_problems(api_url, staff):
    ana, offer, order = delivered(api_url, staff)
    path = f"/orders/{order['orderId']}/reviews"
    for body, status in (
        ({"rating": 5}, 422),
        ({"lineId": order["lines"][0]["lineId"], "rating": 0}, 422),
        ({"lineId": "nope", "rating": 3}, 422),
        ({"sellerId": "f" * 32, "rating": 3}, 422),
    ):
        answer = ana.call("POST", path, body, expect=(status,))
        assert answer.headers["Content-Type"].startswith("application/problem+json")
    new_customer(api_url).call(
        "POST", path, {"lineId": order["lines"][0]["lineId"], "rating": 3}, expect=(404,)
    )
    Shopper(api_url).call(
        "GET", f"/products/{offer['productId']}/reviews?cursor=zzz", expect=(400,)
    )


def olist_orders_of(seller_id: str) -> tuple[set[str], list[int]]:
    """The Olist orders with an item of ``seller_id`` and their reviews' scores."""
    with (DATA / "order_items.csv").open(encoding="utf-8") as handle:
        orders = {
            row["order_id"] for row in csv.DictReader(handle) if row["seller_id"] == seller_id
        }
    with (DATA / "reviews.csv").open(encoding="utf-8") as handle:
        scores = [int(r["review_score"]) for r in csv.DictReader(handle) if r["order_id"] in orders]
    return orders, scores


def import_catalog_of(api_url: str, staff: Shopper, orders: list[dict]) -> None:
    """The Olist sellers, products and offers ``orders`` buy, imported through the catalog's
    bulk import (what ``make up`` seeds whole), their stock open."""
    import replay

    keys = {(line["productId"], line["sellerId"]) for order in orders for line in order["lines"]}
    wanted = {
        "sellers.csv": ("seller_id", {s for _, s in keys}),
        "products.csv": ("product_id", {p for p, _ in keys}),
    }
    catalog = DATA.parent
    with tempfile.TemporaryDirectory() as folder:
        for kind, name in (
            ("sellers", "sellers.csv"),
            ("products", "products.csv"),
            ("offers", "offers.csv"),
        ):
            lines = (catalog / name).read_text(encoding="utf-8").splitlines()
            header, rows = lines[0], list(csv.DictReader(lines))
            if name == "offers.csv":
                keep = [i for i, r in enumerate(rows) if (r["product_id"], r["seller_id"]) in keys]
            else:
                column, ids = wanted[name]
                keep = [i for i, r in enumerate(rows) if r[column] in ids]
            path = Path(folder) / name
            path.write_text("\n".join([header, *(lines[i + 1] for i in keep)]) + "\n")
            seed.import_file(api_url, staff.token, kind, path, timeout_s=120)
    for product, seller in keys:
        until(
            lambda p=product, s=seller: staff.call(
                "GET", f"/inventory/offers/{replay.offer_id(p, s)}", expect=None
            ).status_code,
            lambda status: status == 200,
            "the offer's stock open",
        )


def test_real_reviews_of_replayed_orders_give_the_seller_the_csv_mean(cloud, api_url, staff):
    import import_reviews
    import replay

    wanted, scores = olist_orders_of(OLIST_SELLER)
    orders = [o for o in replay.load() if o["orderId"] in wanted]
    import_catalog_of(api_url, staff, orders)
    run = replay.Replay(
        api_url, lambda: seed.admin_token(api_url, cloud), cloud["PaymentWebhookSecret"]
    )
    run.run(orders, workers=1)
    placed = {r["orderId"]: r["titanOrderId"] for r in run.results if r["outcome"] == "placed"}
    assert set(placed) == wanted, run.results
    run.ship_and_deliver(orders, release_wait=0)
    rows = import_reviews.rows_for(import_reviews.read_reviews(DATA), placed)
    done = import_reviews.run(api_url, lambda: staff.token, rows, log=lambda _: None)
    assert {r["outcome"] for r in done["results"]} <= {"PUBLISHED", "HELD", "ALREADY_IMPORTED"}
    mean = round(sum(scores) / len(scores), 2)
    rating = Shopper(api_url).call("GET", f"/sellers/{OLIST_SELLER}/reviews").json()["rating"]
    assert (rating["count"], rating["average"]) == (len(scores), mean)
    catalog = until(
        lambda: Shopper(api_url).call("GET", f"/sellers/{OLIST_SELLER}").json(),
        lambda s: s["rating"]["count"] == len(scores),
        "the Olist seller's rating in the catalog",
    )
    assert catalog["rating"]["average"] == mean
    again = import_reviews.run(api_url, lambda: staff.token, rows, log=lambda _: None)
    assert {r["outcome"] for r in again["results"]} == {"ALREADY_IMPORTED"}
