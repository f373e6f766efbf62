"""Seller center figures for ``make bench``, over HTTP on the local cloud, as staff acting
for one of the Olist sellers:

- ``POST /sellers/{sellerId}/products``: p50/p95 of 30 listings of 2 variants with an image
  each (checks of the image's upload, attributes and GTIN, one transaction);
- ``GET /products/{productId}`` of a published listing (with its variants, image links and
  ratings) and ``GET /shops/{slug}`` (with the catalog's counts): p50/p95 of 100;
- ``GET /sellers/{sellerId}/stats`` over 30 days: p50/p95 of 100.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from PIL import Image

from figures import percentile
from shopper import Shopper

LISTINGS = 30
READS = 100
SELLERS = Path(__file__).resolve().parents[1] / "infra" / "seed" / "olist" / "sellers.csv"


def _timed(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 50):6.1f} ms   p95 {percentile(samples, 95):6.1f} ms"


def _clock(call, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def _image(staff: Shopper, seller_id: str) -> str:
    form = staff.call(
        "POST", f"/sellers/{seller_id}/product-images", {"contentType": "image/png"}
    ).json()
    picture = io.BytesIO()
    Image.new("RGB", (900, 600), (30, 90, 160)).save(picture, "PNG")
    sent = requests.post(
        form["url"], data=form["fields"], files={"file": ("p.png", picture.getvalue())}, timeout=30
    )
    sent.raise_for_status()
    return form["key"]


def _listing(n: int, image: str) -> dict:
    return {
        "title": f"Camiseta bench {n}",
        "category": "fashion-male-clothing",
        "categoryAttributes": {"brand": "Bench", "condition": "NEW"},
        "options": [{"name": "Tamanho", "values": ["M", "G"]}],
        "variants": [
            {"options": {"Tamanho": size}, "price": 4990, "stock": 5, "images": [image]}
            for size in ("M", "G")
        ],
        "images": [image],
    }


def figures(outputs: dict, staff_token: str) -> list[str]:
    api = outputs["ApiUrl"]
    staff = Shopper(api, token=staff_token)
    with open(SELLERS, newline="") as handle:
        seller_id = next(csv.DictReader(handle))["seller_id"]
    image = _image(staff, seller_id)
    made: list[str] = []

    def create() -> None:
        body = _listing(len(made), image)
        made.append(
            staff.call("POST", f"/sellers/{seller_id}/products", body, expect=(201,)).json()[
                "productId"
            ]
        )

    creates = _clock(create, LISTINGS)
    pid = made[0]
    staff.call("POST", f"/sellers/{seller_id}/products/{pid}/submit")
    staff.call("POST", f"/admin/listings/{pid}/publish")
    reads = _clock(lambda: staff.call("GET", f"/products/{pid}"), READS)
    slug = staff.call("GET", f"/sellers/{seller_id}/shop").json()["slug"]
    shops = _clock(lambda: staff.call("GET", f"/shops/{slug}"), READS)
    day = datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    window = f"from={day - timedelta(days=29)}&to={day}"
    stats = _clock(lambda: staff.call("GET", f"/sellers/{seller_id}/stats?{window}"), READS)
    rows = [
        (f"POST /sellers/{{id}}/products (2 variants, {LISTINGS})", creates),
        (f"GET /products/{{id}} (a listing, {READS})", reads),
        (f"GET /shops/{{slug}} ({READS})", shops),
        (f"GET /sellers/{{id}}/stats (30 days, {READS})", stats),
    ]
    return [f"  {label:<46} {_timed(samples)}" for label, samples in rows]
