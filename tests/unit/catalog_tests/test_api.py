"""Catalog routes: import control for staff, public reads."""

import os

import boto3
import pytest
from moto import mock_aws

from apigw import call
from catalog.api import handler
from tests.unit.catalog_tests.helpers import P1, PRODUCT_HEADER, S1, run
from tests.unit.catalog_tests.tables import create_catalog_table

STAFF = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9D0", "roles": "staff"}


@pytest.fixture
def catalog():
    with mock_aws():
        create_catalog_table()
        boto3.client("s3").create_bucket(Bucket=os.environ["CATALOG_IMPORTS_BUCKET"])
        boto3.client("events").create_event_bus(Name="titan-test")
        yield


def test_staff_start_an_import_and_get_an_upload_url(catalog):
    status, _, body = call(
        handler, "POST", "/admin/catalog/imports", {"kind": "products"}, authorizer=STAFF
    )
    assert status == 201
    assert body["status"] == "AWAITING_UPLOAD" and body["upload"]["method"] == "PUT"
    assert f"imports/{body['importId']}/products.csv" in body["upload"]["url"]
    status, _, report = call(
        handler, "GET", f"/admin/catalog/imports/{body['importId']}", authorizer=STAFF
    )
    assert status == 200 and report["counts"]["rows"] == 0


def test_imports_are_for_staff_and_admins_only(catalog):
    customer = {"principalId": "acct_x", "roles": "customer"}
    assert (
        call(handler, "POST", "/admin/catalog/imports", {"kind": "products"}, authorizer=customer)[
            0
        ]
        == 403
    )
    assert call(handler, "POST", "/admin/catalog/imports", {"kind": "products"})[0] == 401
    status, _, body = call(
        handler, "POST", "/admin/catalog/imports", {"kind": "coupons"}, authorizer=STAFF
    )
    assert (status, body["code"]) == (422, "VALIDATION_FAILED")
    assert call(handler, "GET", "/admin/catalog/imports/imp_nope", authorizer=STAFF)[0] == 404


def test_categories_tree_counts_sum_to_the_products(catalog):
    run(
        "products",
        PRODUCT_HEADER + f"{P1},perfumaria,40,287,1,225,16,10,14\n"
        "3aa071139cb16b67ca9e5dea641aaa2f,,1,1,1,1,1,1,1\n",
    )
    status, _, tree = call(handler, "GET", "/categories")
    assert status == 200 and tree["productCount"] == 2
    beauty = next(d for d in tree["departments"] if d["id"] == "health-beauty")
    assert next(c for c in beauty["categories"] if c["id"] == "perfumery")["productCount"] == 1
    assert sum(d["productCount"] for d in tree["departments"]) == 2


def test_a_product_comes_with_its_offers_in_minor_units(catalog):
    run("products", PRODUCT_HEADER + f"{P1},perfumaria,40,287,1,225,16,10,14\n")
    run(
        "sellers",
        f"seller_id,seller_zip_code_prefix,seller_city,seller_state\n{S1},13023,campinas,SP\n",
    )
    run("offers", f"product_id,seller_id,price,freight_value,times_sold\n{P1},{S1},34.99,16.05,3\n")
    status, _, product = call(handler, "GET", f"/products/{P1}")
    assert status == 200
    assert product["category"] == {
        "id": "perfumery",
        "name": "Perfumery",
        "department": "health-beauty",
    }
    assert product["offers"][0]["price"] == {"amount": 3499, "currency": "BRL"}
    status, _, seller = call(handler, "GET", f"/sellers/{S1}")
    assert (status, seller["offerCount"], seller["state"]) == (200, 1, "SP")


def test_unknown_and_malformed_ids(catalog):
    assert call(handler, "GET", f"/products/{'0' * 32}")[2]["code"] == "PRODUCT_NOT_FOUND"
    assert call(handler, "GET", "/products/not-an-id")[0] == 400
    assert call(handler, "GET", f"/sellers/{'0' * 32}")[2]["code"] == "SELLER_NOT_FOUND"
