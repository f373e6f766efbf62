"""The shopping-core world: moto tables, a seller's offers with stock, a customer with an
address and a cart, and the events published (the ``world`` fixture), for the tests of every
context that takes part in shopping."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from titan import clock
from titan.events import EventPublisher
from titan.saga import StepRefused

P1, P2 = "1e9e8ef04dbcff4541ed26657ea517e5", "3aa071139cb16b67ca9e5dea641aaa2f"
SELLER = "8a32e327fe2c1b3511609d81aaf9f042"
CUSTOMER = "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9D0"
ADDRESS = "addr_01JDQ6R8V9W3X4Y5Z6A7B8C9D1"
CARD_OK, CARD_DECLINED, CARD_NO_FUNDS = "4242424242424242", "4000000000000002", "4000000000009995"
#: Callers as the authorizer passes them: the customer, another customer, staff.
ANA = {"principalId": CUSTOMER, "roles": "customer"}
BIA = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9ZZ", "roles": "customer"}
STAFF = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8STAF", "roles": "staff"}
CARD = {"method": "card", "card": {"number": CARD_OK}}


def ledger_call(function_env: str, action: str, payload: dict) -> dict:
    """What ``titan.saga.invoke`` does over Lambda for the ledger's steps (wallet and
    voucher authorizations): a refusal becomes its Problem."""
    from ledger import steps as ledger_steps

    assert function_env == "LEDGER_STEPS_FUNCTION"
    try:
        return ledger_steps.handler.actions[action]({"action": action, **payload})
    except StepRefused as refused:
        raise refused.problem() from None


def issue_voucher(amount: int, code: str = "GIFT-2026", days: int = 30) -> dict:
    """A gift voucher staff issued (the ledger's), as a checkout payment of ``amount``."""
    from datetime import timedelta

    from ledger import service as ledger

    expires = clock.iso(clock.now() + timedelta(days=days))
    ledger.issue_voucher(code, amount, "BRL", expires, "acct_staff", None)
    return {"method": "voucher", "amount": amount, "voucherCode": code}


class World:
    def __init__(self, events: list) -> None:
        self.events = events

    def kinds(self) -> list[str]:
        return [e.detail_type for e in self.events]

    def of(self, kind: str) -> list:
        return [e for e in self.events if e.detail_type == kind]


def seed_catalog() -> None:
    from catalog.domain import offer_id
    from catalog.store import Offer, Product, Seller

    now = clock.iso()
    Seller(
        *Seller.key(SELLER),
        seller_id=SELLER,
        city="campinas",
        state="SP",
        zip_prefix="13023",
        created_at=now,
        updated_at=now,
    ).save()
    sizes = {P1: {"weight_g": 450, "length_cm": 20, "height_cm": 10, "width_cm": 15}, P2: {}}
    for product, price, freight in ((P1, 3499, 1605), (P2, 12000, 2000)):
        Product(
            *Product.key(product),
            **sizes[product],
            product_id=product,
            title=f"Product {product[:6]}",
            category="perfumery",
            gsi1pk="x",
            gsi1sk="y",
            created_at=now,
            updated_at=now,
        ).save()
        oid = offer_id(product, SELLER)
        Offer(
            *Offer.key(product, SELLER),
            **Offer.index_keys(product, SELLER, oid),
            offer_id=oid,
            product_id=product,
            seller_id=SELLER,
            price=price,
            freight=freight,
            created_at=now,
            updated_at=now,
        ).save()


def seed_identity() -> None:
    from identity.store import Account, Address

    now = clock.iso()
    Account(
        *Account.key(CUSTOMER),
        account_id=CUSTOMER,
        email="ana@example.com",
        name="Ana",
        password_hash="x",
        roles={"customer"},
        created_at=now,
        updated_at=now,
    ).save()
    Address(
        *Address.key(CUSTOMER, ADDRESS),
        address_id=ADDRESS,
        recipient_name="Ana",
        street="Rua A",
        number="1",
        city="Campinas",
        state="SP",
        postal_code="13023-000",
        created_at=now,
    ).save()


def steps_call(function_env: str, action: str, payload: dict) -> dict:
    """What ``titan.calls.invoke`` does over Lambda, in-process: the named context's steps
    function runs the action; a refusal comes back as its problem."""
    import importlib

    context = function_env.removesuffix("_STEPS_FUNCTION").lower()
    handler = importlib.import_module(f"{context}.steps").handler
    try:
        return json.loads(json.dumps(handler.actions[action](payload)))
    except StepRefused as refused:
        raise refused.problem() from None


@pytest.fixture
def world(monkeypatch):
    from cart import service as cart_service
    from catalog.domain import offer_id
    from inventory import service as inventory
    from payments import provider
    from tests.unit.tables import create_tables

    with mock_aws():
        create_tables()
        boto3.client("events").create_event_bus(Name="titan-test")
        events: list = []
        monkeypatch.setattr(EventPublisher, "publish", lambda self, *e: events.extend(e))

        monkeypatch.setattr(cart_service, "invoke", steps_call)
        monkeypatch.setattr(provider, "invoke", ledger_call)
        seed_catalog()
        seed_identity()
        for product in (P1, P2):
            inventory.open_stock(
                offer_id(product, SELLER), product, SELLER, {"city": "campinas", "state": "SP"}, 5
            )
        yield World(events)


def published_shoes(units: tuple[int, int] = (1, 4)) -> tuple:
    """A listing of SELLER's published through the catalog's use cases, shoes in sizes 39
    (19990) and 40 (20990), with ``units`` of each in stock: (product, [offer 39, offer 40])."""
    from catalog import listings
    from catalog.store import Product
    from inventory import service as inventory

    made, offers, events = listings.create(
        SELLER,
        {
            "title": "Tênis corrida",
            "category": "fashion-shoes",
            "categoryAttributes": {"brand": "Olympikus", "condition": "NEW"},
            "options": [{"name": "Size", "values": ["39", "40"]}],
            "variants": [
                {"options": {"Size": "39"}, "price": 19990, "freight": 1500, "stock": units[0]},
                {"options": {"Size": "40"}, "price": 20990, "freight": 1500, "stock": units[1]},
            ],
        },
        "acct_seller",
    )
    opened = [e.data | {"occurredAt": clock.iso()} for e in events if "skuId" in e.data]
    assert inventory.open_stocks(opened) == 2
    made.update(actions=[Product.images.set(["uploads/x/img.png"])])  # uploaded, as checked
    made, _ = listings.submit(made)
    made, _ = listings.publish(made, None)
    return made, offers
