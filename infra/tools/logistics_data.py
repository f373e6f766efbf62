"""Olist's orders as shipping cases, for fitting and evaluating the market service
(``fit_logistics.py``, ``make eval-logistics``): one case per seller's package in an order,
with the parcel of each item, the route from the seller to the buyer and the freight Olist
charged. Products and sellers come from the seeded catalog (infra/seed/olist/)."""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
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


@dataclass(frozen=True)
class Delivery:
    """One delivered Olist order, for the delivery promise: its (first) seller, the buyer's
    state, when it was bought, handed to the carrier (None if unrecorded) and delivered, and
    the date Olist promised."""

    order_id: str
    seller_id: str
    state: str
    purchased: datetime
    handed_over: datetime | None
    delivered: datetime
    olist_promise: datetime

    @property
    def days(self) -> int:
        """Calendar days from the purchase date to the delivery date."""
        return (self.delivered.date() - self.purchased.date()).days

    @property
    def handover_days(self) -> float | None:
        if self.handed_over is None:
            return None
        return (self.handed_over - self.purchased).total_seconds() / 86400


def _time(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def deliveries(folder: Path) -> list[Delivery]:
    """The delivered orders in ``folder`` (Olist's orders.csv, order_items.csv and
    customers.csv), with the buyer's state from the zip prefix."""
    customers = {r["customer_id"]: r for r in _rows(folder / "customers.csv")}
    seller_of: dict[str, str] = {}
    for item in _rows(folder / "order_items.csv"):
        seller_of.setdefault(item["order_id"], item["seller_id"])
    found = []
    for order in _rows(folder / "orders.csv"):
        customer = customers.get(order["customer_id"])
        delivered = _time(order["order_delivered_customer_date"])
        promised = _time(order["order_estimated_delivery_date"])
        if (
            order["order_status"] != "delivered"
            or customer is None
            or delivered is None
            or promised is None
            or order["order_id"] not in seller_of
        ):
            continue
        found.append(
            Delivery(
                order_id=order["order_id"],
                seller_id=seller_of[order["order_id"]],
                state=places.place(customer["customer_zip_code_prefix"].zfill(5)).state,
                purchased=_time(order["order_purchase_timestamp"]),
                handed_over=_time(order["order_delivered_carrier_date"]),
                delivered=delivered,
                olist_promise=promised,
            )
        )
    return found


def promise_scores(promised: list[datetime], every: list[Delivery]) -> tuple[float, float]:
    """(mean absolute error in days, share delivered late) of promised dates (midnight, as
    Olist's estimates are) against when each order was delivered; late means delivered on a
    later date than promised."""
    errors = [
        abs((p - d.delivered).total_seconds()) / 86400 for p, d in zip(promised, every, strict=True)
    ]
    late = sum(d.delivered.date() > p.date() for p, d in zip(promised, every, strict=True))
    return sum(errors) / len(errors), late / len(every)


def fold_of(order_id: str, folds: int) -> int:
    """The cross-validation fold of an order: a hash of its id, so folds never change."""
    return int(hashlib.sha256(order_id.encode()).hexdigest(), 16) % folds
