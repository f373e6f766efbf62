"""Inventory: its API, reservations and the worker that opens new offers' stock."""

from __future__ import annotations

import pytest

from apigw import FakeContext, call
from delivery import sqs_batch
from inventory import api as inventory_api
from inventory import service as inventory
from inventory import settings
from tests.unit.shop import P1, SELLER, STAFF
from titan.events import DomainEvent


def test_inventory_is_for_the_offers_seller_and_staff(world):
    from catalog.domain import offer_id

    offer = offer_id(P1, SELLER)
    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    other = {"principalId": "acct_other", "roles": "seller", "sellerId": "f" * 32}
    status, _, stock = call(
        inventory_api.handler, "GET", f"/inventory/offers/{offer}", authorizer=seller
    )
    assert (status, stock["available"], stock["movements"][0]["kind"]) == (200, 5, "RECEIVE")
    assert (
        call(inventory_api.handler, "GET", f"/inventory/offers/{offer}", authorizer=other)[0] == 404
    )
    status, _, received = call(
        inventory_api.handler,
        "POST",
        f"/inventory/offers/{offer}/receipts",
        {"quantity": 10},
        authorizer=STAFF,
    )
    assert (status, received["warehouses"][0]["onHand"], received["available"]) == (201, 15, 15)
    assert inventory.open_stock(offer, P1, SELLER, {}, 99) is False  # opening twice changes nothing


def test_reservations_never_oversell_and_are_idempotent(world):
    from catalog.domain import offer_id

    line = [{"offerId": offer_id(P1, SELLER), "quantity": 3}]
    first = inventory.reserve("chk_a", line)
    assert [e.detail_type for e in first.events] == ["StockReserved", "LowStock"]  # 5 -> 2 (< 5)
    assert inventory.reserve("chk_a", line).events == []  # a retried step holds nothing more
    with pytest.raises(Exception) as short:
        inventory.reserve("chk_b", line)
    assert short.value.code == "OUT_OF_STOCK"
    inventory.release("chk_a", "TEST")
    assert inventory.release("chk_a", "TEST") == []
    assert inventory.release("chk_never", "TEST") == []
    with pytest.raises(Exception) as late:
        inventory.reserve("chk_never", line)  # after its compensation ran
    assert late.value.code == "RESERVATION_RELEASED"
    assert inventory.reserve("chk_b", line).reservation.status == "RESERVED"


def test_the_inventory_worker_opens_a_batch_of_new_offers_once(world):
    from inventory import consumers
    from inventory.store import Movement, Stock

    def offer(n: int) -> DomainEvent:
        data = {
            "offerId": f"off_{n:020d}",
            "productId": P1,
            "sellerId": f"{n:032d}",
            "price": {"amount": 1000, "currency": "BRL"},
            "freight": {"amount": 500, "currency": "BRL"},
            "origin": {"city": "campinas", "state": "SP", "zipPrefix": "13023"},
        }
        return DomainEvent.of("OfferCreated", data)

    offers = [offer(n) for n in range(30)]
    assert consumers.handler(sqs_batch(*offers), FakeContext()) == {"batchItemFailures": []}
    consumers.handler(sqs_batch(*offers[:5]), FakeContext())  # redelivered: nothing changes
    stocks = [
        s for s in Stock.scan(Stock.sk.startswith("WH#")) if s.offer_id.startswith("off_0000")
    ]
    assert len(stocks) == 30 and {int(s.available) for s in stocks} == {
        settings.SETTINGS.seed_stock_units
    }
    moves = Movement.scan(Movement.sk.startswith("MOVE#"))
    assert sum(1 for m in moves if m.offer_id.startswith("off_0000")) == 30


def test_a_seller_adds_a_warehouse_receives_into_it_and_adjusts_with_reasons(world, monkeypatch):
    from catalog.domain import offer_id

    offer = offer_id(P1, SELLER)
    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    other = {"principalId": "acct_other", "roles": "seller", "sellerId": "f" * 32}
    monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(
        update={"low_stock_threshold": 3}))  # fmt: skip

    def api(method, path, body=None, who=seller):
        return call(inventory_api.handler, method, path, body, authorizer=who)

    place = {"name": "CD Jundiaí", "location": {"city": "Jundiaí", "state": "SP",
                                                "zipPrefix": "13201"}}  # fmt: skip
    assert api("POST", f"/inventory/sellers/{SELLER}/warehouses", place, who=other)[0] == 404
    status, _, made = api("POST", f"/inventory/sellers/{SELLER}/warehouses", place)
    assert status == 201 and made["warehouseId"].startswith("wh_")
    listed = api("GET", f"/inventory/sellers/{SELLER}/warehouses")[2]["items"]
    assert [w["warehouseId"] for w in listed] == [f"wh_{SELLER}", made["warehouseId"]]

    receipt = {"quantity": 4, "warehouseId": made["warehouseId"]}
    status, _, view = api("POST", f"/inventory/offers/{offer}/receipts", receipt)
    assert (status, view["available"]) == (201, 9)
    there = next(w for w in view["warehouses"] if w["warehouseId"] == made["warehouseId"])
    assert (there["onHand"], there["location"]["city"]) == (4, "Jundiaí")
    theirs = {"quantity": 1, "warehouseId": "wh_someone_else"}
    status, _, problem = api("POST", f"/inventory/offers/{offer}/receipts", theirs)
    assert (status, problem["code"]) == (422, "UNKNOWN_WAREHOUSE")

    # two units broke in the seller's own warehouse (5 -> 3: not below the threshold yet)
    damaged = {"change": -2, "reason": "DAMAGED"}
    status, _, view = api("POST", f"/inventory/offers/{offer}/adjustments", damaged)
    assert status == 201 and view["movements"][0]["kind"] == "ADJUST"
    assert view["movements"][0]["reference"] == "DAMAGED"
    assert view["movements"][0]["onHandChange"] == -2
    assert not world.of("LowStock")
    lost = {"change": -1, "reason": "LOST"}
    assert api("POST", f"/inventory/offers/{offer}/adjustments", lost)[0] == 201
    (low,) = world.of("LowStock")
    assert (low.payload.available, low.payload.warehouseId) == (2, f"wh_{SELLER}")
    too_many = {"change": -3, "reason": "LOST"}
    status, _, problem = api("POST", f"/inventory/offers/{offer}/adjustments", too_many)
    assert (status, problem["code"], problem["available"]) == (409, "STOCK_TOO_LOW", 2)
    empty = {"change": 0, "reason": "FOUND"}
    assert api("POST", f"/inventory/offers/{offer}/adjustments", empty)[2]["code"] == (
        "ADJUSTMENT_EMPTY"
    )
    assert api("POST", f"/inventory/offers/{offer}/adjustments", lost, who=other)[0] == 404
