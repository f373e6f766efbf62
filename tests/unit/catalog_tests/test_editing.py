"""Staff edits: products and offers created, changed and deleted through the API."""

import os

import boto3
import pytest
from moto import mock_aws

from apigw import call
from catalog import api
from catalog.store import CategoryCount, Offer, PriceChange, Product
from tests.unit.catalog_tests.helpers import P1, PRODUCT_HEADER, S1, S2, Recorder, run
from tests.unit.catalog_tests.tables import create_catalog_table
from tests.unit.tables import create_tables
from titan.events import EventPublisher

STAFF = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9D0", "roles": "staff"}
SELLER1 = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9D1", "roles": "seller", "sellerId": S1}
CUSTOMER = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9D2", "roles": "customer"}


@pytest.fixture
def catalog(monkeypatch):
    with mock_aws():
        create_catalog_table()
        boto3.client("s3").create_bucket(Bucket=os.environ["CATALOG_SEARCH_BUCKET"])
        run("products", PRODUCT_HEADER + f"{P1},perfumaria,40,287,1,225,16,10,14\n")
        run(
            "sellers",
            "seller_id,seller_zip_code_prefix,seller_city,seller_state\n"
            f"{S1},13023,campinas,SP\n{S2},20000,rio de janeiro,RJ\n",
        )
        published = Recorder()
        monkeypatch.setattr(EventPublisher, "publish", lambda self, *e: published.publish(*e))
        yield published


def types(recorder: Recorder) -> list[str]:
    return [e.detail_type for e in recorder.events]


def products() -> int:
    return sum(1 for _ in Product.scan(Product.sk == "PRODUCT"))


def offers() -> int:
    return sum(
        1 for _ in Offer.scan(Offer.pk.startswith("PRODUCT#") & Offer.sk.startswith("OFFER#"))
    )


def count(slug: str) -> int:
    return int(CategoryCount.get(*CategoryCount.key(slug)).products)


def test_staff_create_change_and_delete_a_product(catalog):
    body = {
        "title": "Eau de Parfum 100 ml",
        "category": "perfumaria",
        "description": "Floral.",
        "photoCount": 3,
        "attributes": {"weightG": 350, "heightCm": 12},
    }
    status, _, created = call(api.handler, "POST", "/products", body, authorizer=STAFF)
    assert status == 201, created
    product_id = created["productId"]
    assert created["category"]["id"] == "perfumery" and created["status"] == "ACTIVE"
    assert created["attributes"]["weightG"] == 350 and created["offers"] == []
    assert count("perfumery") == 2
    patch = {"category": "beleza_saude", "status": "INACTIVE", "attributes": {"weightG": None}}
    status, _, changed = call(
        api.handler, "PATCH", f"/products/{product_id}", patch, authorizer=STAFF
    )
    assert status == 200, changed
    assert changed["category"]["id"] == "health-beauty" and changed["status"] == "INACTIVE"
    assert changed["attributes"]["weightG"] is None and changed["attributes"]["heightCm"] == 12
    assert (count("perfumery"), count("health-beauty")) == (1, 1)
    assert call(api.handler, "PATCH", f"/products/{product_id}", patch, authorizer=STAFF)[0] == 200
    status, _, _ = call(api.handler, "DELETE", f"/products/{product_id}", authorizer=STAFF)
    assert status == 204
    assert call(api.handler, "GET", f"/products/{product_id}")[0] == 404
    assert count("health-beauty") == 0
    assert types(catalog) == ["ProductCreated", "ProductUpdated", "ProductDeleted"]


def test_product_edits_refuse_bad_input_and_strangers(catalog):
    post = lambda body, who=STAFF: call(api.handler, "POST", "/products", body, authorizer=who)  # noqa: E731
    assert post({"title": "x", "category": "perfumery"}, CUSTOMER)[0] == 403
    assert call(api.handler, "POST", "/products", {"title": "x", "category": "perfumery"})[0] == 401
    status, _, problem = post({"title": "x", "category": "nope"})
    assert (status, problem["code"]) == (422, "UNKNOWN_CATEGORY")
    for bad in (
        {"title": "", "category": "perfumery"},
        {"title": "x"},
        {"title": "x", "category": "perfumery", "price": 1},
        {"title": "x", "category": "perfumery", "attributes": {"weightG": -1}},
    ):
        status, _, problem = post(bad)
        assert (status, problem["code"]) == (422, "VALIDATION_FAILED"), bad
    missing = "0" * 32
    status, _, problem = call(
        api.handler, "PATCH", f"/products/{missing}", {"title": "y"}, authorizer=STAFF
    )
    assert (status, problem["code"]) == (404, "PRODUCT_NOT_FOUND")
    assert call(api.handler, "DELETE", "/products/not-an-id", authorizer=STAFF)[0] == 400
    assert products() == 1 and catalog.events == []


def test_a_seller_offers_a_product_pauses_and_withdraws_it(catalog):
    offer = {"productId": P1, "sellerId": S1, "price": 4990, "freight": 1200}
    status, _, created = call(api.handler, "POST", "/offers", offer, authorizer=SELLER1)
    assert status == 201, created
    assert created["price"] == {"amount": 4990, "currency": "BRL"}
    assert len(created["priceHistory"]) == 1
    status, _, problem = call(api.handler, "POST", "/offers", offer, authorizer=STAFF)
    assert (status, problem["code"]) == (409, "OFFER_EXISTS")
    other = {**offer, "sellerId": S2}
    status, _, problem = call(api.handler, "POST", "/offers", other, authorizer=SELLER1)
    assert (status, problem["code"]) == (403, "NOT_YOUR_SELLER")
    offer_id = created["offerId"]
    status, _, paused = call(
        api.handler, "PATCH", f"/offers/{offer_id}", {"status": "INACTIVE"}, authorizer=SELLER1
    )
    assert status == 200 and paused["status"] == "INACTIVE"
    assert call(api.handler, "DELETE", f"/offers/{offer_id}", authorizer=SELLER1)[0] == 204
    assert call(api.handler, "GET", f"/offers/{offer_id}")[0] == 404
    assert PriceChange.count(f"OFFER#{offer_id}") == 1  # the history stays
    assert types(catalog) == ["OfferCreated", "OfferUpdated", "OfferDeleted"]


def test_offers_need_a_product_and_a_seller(catalog):
    missing = "0" * 32
    for body, code in (
        ({"productId": missing, "sellerId": S1, "price": 100, "freight": 0}, "PRODUCT_NOT_FOUND"),
        ({"productId": P1, "sellerId": missing, "price": 100, "freight": 0}, "SELLER_NOT_FOUND"),
    ):
        status, _, problem = call(api.handler, "POST", "/offers", body, authorizer=STAFF)
        assert (status, problem["code"]) == (404, code)
    bad = {"productId": P1, "sellerId": S1, "price": 0, "freight": 0}
    assert call(api.handler, "POST", "/offers", bad, authorizer=STAFF)[0] == 422
    assert offers() == 0


def test_deleting_a_product_takes_its_offers(catalog):
    for seller in (S1, S2):
        body = {"productId": P1, "sellerId": seller, "price": 1000, "freight": 100}
        assert call(api.handler, "POST", "/offers", body, authorizer=STAFF)[0] == 201
    assert call(api.handler, "DELETE", f"/products/{P1}", authorizer=STAFF)[0] == 204
    assert offers() == 0
    assert types(catalog)[-3:] == ["OfferDeleted", "OfferDeleted", "ProductDeleted"]


def _idempotency_table():
    create_tables("IdempotencyTable")


def test_a_retried_create_with_the_same_idempotency_key_makes_one_product(catalog):
    _idempotency_table()
    body = {"title": "Eau de Parfum", "category": "perfumery"}
    key = {"Idempotency-Key": "create-parfum-1"}
    first = call(api.handler, "POST", "/products", body, headers=key, authorizer=STAFF)
    again = call(api.handler, "POST", "/products", body, headers=key, authorizer=STAFF)
    assert first[0] == again[0] == 201
    assert first[2]["productId"] == again[2]["productId"]
    assert products() == 2 and count("perfumery") == 2
    assert types(catalog).count("ProductCreated") == 1
    other = call(
        api.handler, "POST", "/products", {**body, "title": "Other"}, headers=key, authorizer=STAFF
    )
    assert (other[0], other[2]["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    bad = call(
        api.handler, "POST", "/products", body, headers={"Idempotency-Key": "a b"}, authorizer=STAFF
    )
    assert (bad[0], bad[2]["code"]) == (400, "INVALID_IDEMPOTENCY_KEY")
    fresh = call(
        api.handler, "POST", "/products", body, headers={"Idempotency-Key": "k2"}, authorizer=STAFF
    )
    assert fresh[0] == 201 and fresh[2]["productId"] != first[2]["productId"]
