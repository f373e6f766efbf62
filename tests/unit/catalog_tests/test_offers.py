"""Offer prices: who may change them, history, events, concurrency."""

import json
from pathlib import Path

import boto3
import pytest
from jsonschema import Draft202012Validator
from moto import mock_aws

from apigw import call
from catalog import api, queries
from catalog.domain import offer_id
from catalog.store import Offer
from tests.unit.catalog_tests.helpers import P1, PRODUCT_HEADER, S1, S2, run
from tests.unit.catalog_tests.tables import create_catalog_table
from titan.events import EventPublisher

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[3] / "events" / "schemas" / "OfferPriceChanged.json"
    ).read_text()
)
STAFF = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9D0", "roles": "staff"}
OFFER = offer_id(P1, S1)


@pytest.fixture
def offer(monkeypatch):
    with mock_aws():
        create_catalog_table()
        boto3.client("events").create_event_bus(Name="titan-test")
        run("products", PRODUCT_HEADER + f"{P1},perfumaria,40,287,1,225,16,10,14\n")
        run(
            "sellers",
            f"seller_id,seller_zip_code_prefix,seller_city,seller_state\n{S1},13023,campinas,SP\n",
        )
        run(
            "offers",
            f"product_id,seller_id,price,freight_value,times_sold\n{P1},{S1},34.99,16.05,3\n",
        )
        published = []
        monkeypatch.setattr(EventPublisher, "publish", lambda self, *e: published.extend(e))
        yield published


def test_staff_change_a_price_with_history_and_an_event(offer):
    status, _, body = call(
        api.handler, "PATCH", f"/offers/{OFFER}", {"price": 2999}, authorizer=STAFF
    )
    assert status == 200
    assert body["price"] == {"amount": 2999, "currency": "BRL"}
    assert body["freight"]["amount"] == 1605  # untouched
    assert [h["price"]["amount"] for h in body["priceHistory"]] == [3499, 2999]
    assert body["priceHistory"][-1]["changedBy"] == STAFF["principalId"]
    (event,) = offer
    Draft202012Validator(SCHEMA).validate(event.data)
    assert (event.data["previousPrice"]["amount"], event.data["price"]["amount"]) == (3499, 2999)
    assert call(api.handler, "GET", f"/offers/{OFFER}")[2]["price"]["amount"] == 2999


def test_the_same_price_again_changes_nothing(offer):
    call(
        api.handler, "PATCH", f"/offers/{OFFER}", {"price": 3499, "freight": 1605}, authorizer=STAFF
    )
    assert offer == []
    assert len(call(api.handler, "GET", f"/offers/{OFFER}")[2]["priceHistory"]) == 1


def test_only_the_owning_seller_may_change_it(offer):
    owner = {"principalId": "acct_seller", "roles": "seller", "sellerId": S1}
    other = {"principalId": "acct_other", "roles": "seller", "sellerId": S2}
    assert (
        call(api.handler, "PATCH", f"/offers/{OFFER}", {"freight": 0}, authorizer=owner)[0] == 200
    )
    assert (
        call(api.handler, "PATCH", f"/offers/{OFFER}", {"freight": 1}, authorizer=other)[0] == 404
    )
    customer = {"principalId": "acct_c", "roles": "customer"}
    assert (
        call(api.handler, "PATCH", f"/offers/{OFFER}", {"price": 1}, authorizer=customer)[0] == 403
    )
    assert call(api.handler, "PATCH", f"/offers/{OFFER}", {"price": 1})[0] == 401


@pytest.mark.parametrize(
    "body",
    [
        {"price": -1},
        {"price": 0},
        {"price": 10.5},
        {"freight": -5},
        {"price": "cheap"},
        {"discount": 1},
    ],
)
def test_bad_prices_are_422(offer, body):
    status, _, problem = call(api.handler, "PATCH", f"/offers/{OFFER}", body, authorizer=STAFF)
    assert (status, problem["code"]) == (422, "VALIDATION_FAILED")


def test_unknown_offers_are_404(offer):
    assert (
        call(api.handler, "GET", "/offers/off_00000000000000000000")[2]["code"] == "OFFER_NOT_FOUND"
    )


def test_a_change_based_on_a_stale_read_is_refused(offer, monkeypatch):
    stale = Offer.get(*Offer.key(P1, S1))
    call(api.handler, "PATCH", f"/offers/{OFFER}", {"price": 2500}, authorizer=STAFF)
    monkeypatch.setattr(queries, "get_offer", lambda _id: stale)
    status, _, problem = call(
        api.handler, "PATCH", f"/offers/{OFFER}", {"price": 2000}, authorizer=STAFF
    )
    assert (status, problem["code"]) == (409, "CONCURRENT_UPDATE")
    assert Offer.get(*Offer.key(P1, S1)).price == 2500
