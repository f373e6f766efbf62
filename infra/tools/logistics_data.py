"""Olist's orders as shipping cases, for fitting and evaluating the market service
(``fit_logistics.py``, ``make eval-logistics``): one case per seller's package in an order,
with the parcel of each item, the route from the seller to the buyer and the freight Olist
charged. Products and sellers come from the seeded catalog (infra/seed/olist/)."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "infra" / "seed" / "olist"
sys.path[0:0] = [str(ROOT / "functions"), str(ROOT / "layers" / "shared")]

from shipping import places  # noqa: E402
from shipping.domain import Parcel, Route  # noqa: E402

SIDES = ("length_cm", "height_cm", "width_cm")


@dataclass(frozen=True)
class Case:
    """One order item as shipped: its parcel, route, the items its seller's package held,
    its price (the declared value, minor units) and the freight charged for it (BRL)."""

    order_id: str
    parcel: Parcel
    route: Route
    items: int
    value: int
    freight: float


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cases(folder: Path) -> list[Case]:
    """The shipping cases of the Olist orders in ``folder`` (orders.csv, order_items.csv,
    customers.csv). Items whose product has no weight or dimensions, or whose freight was
    zero (free shipping), are left out."""
    products = {r["product_id"]: r for r in _rows(CATALOG / "products.csv")}
    sellers = {r["seller_id"]: r for r in _rows(CATALOG / "sellers.csv")}
    customers = {r["customer_id"]: r for r in _rows(folder / "customers.csv")}
    orders = {r["order_id"]: r for r in _rows(folder / "orders.csv")}
    items = _rows(folder / "order_items.csv")
    package = Counter((i["order_id"], i["seller_id"]) for i in items)
    found = []
    for item in items:
        order = orders.get(item["order_id"])
        product, seller = products.get(item["product_id"]), sellers.get(item["seller_id"])
        if order is None or product is None or seller is None:
            continue
        customer = customers.get(order["customer_id"])
        dimensions = [product[f"product_{k}"] for k in ("weight_g", *SIDES)]
        if customer is None or not all(dimensions) or float(item["freight_value"]) <= 0:
            continue
        weight, length, height, width = map(float, dimensions)
        found.append(
            Case(
                order_id=item["order_id"],
                parcel=Parcel(int(weight), length, height, width),
                route=Route(
                    places.place(seller["seller_zip_code_prefix"].zfill(5)),
                    places.place(customer["customer_zip_code_prefix"].zfill(5)),
                ),
                items=package[item["order_id"], item["seller_id"]],
                value=round(float(item["price"]) * 100),
                freight=float(item["freight_value"]),
            )
        )
    return found
