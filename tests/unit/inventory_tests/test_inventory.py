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
