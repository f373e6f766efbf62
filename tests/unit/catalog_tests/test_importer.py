"""The bulk importer: products, sellers and offers from Olist CSVs, row problems reported,
re-imports changing nothing."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from catalog import importer
from catalog.store import CategoryCount, Import, Offer, PriceChange, Product
from tests.unit.catalog_tests.helpers import (
    P1,
    P2,
    P3,
    PRODUCT_HEADER,
    S1,
    S2,
    counts,
    run,
)
from tests.unit.catalog_tests.tables import create_catalog_table
from titan import clock


@pytest.fixture
def catalog():
    with mock_aws():
        create_catalog_table()
        boto3.client("events").create_event_bus(Name="titan-test")
        yield


def test_products_import_creates_then_reimport_changes_nothing(catalog):
    text = (
        PRODUCT_HEADER
        + f"{P1},perfumaria,40,287,1,225,16,10,14\n{P2},artes,44,276,1,1000,30,18,20\n"
    )
    record, recorder = run("products", text)
    assert record.status == "COMPLETED"
    assert counts(record) == (2, 2, 0, 0, 0)
    assert [e.detail_type for e in recorder.events] == ["ProductCreated", "ProductCreated"]
    assert Product.get(*Product.key(P1)).title == "Perfumery 1e9e8e"
    again, recorder = run("products", text)
    assert counts(again) == (2, 0, 0, 2, 0)
    assert recorder.events == []


def test_an_updated_row_updates_the_product_and_moves_the_category_count(catalog):
    run("products", PRODUCT_HEADER + f"{P1},perfumaria,40,287,1,225,16,10,14\n")
    record, recorder = run("products", PRODUCT_HEADER + f"{P1},artes,40,287,1,225,16,10,14\n")
    assert counts(record) == (1, 0, 1, 0, 0)
    assert [e.detail_type for e in recorder.events] == ["ProductUpdated"]
    assert Product.get(*Product.key(P1)).category == "art"
    assert CategoryCount.get(*CategoryCount.key("perfumery")).products == 0
    assert CategoryCount.get(*CategoryCount.key("art")).products == 1


def test_bad_rows_are_reported_and_never_abort_the_import(catalog):
    text = (
        PRODUCT_HEADER
        + f"{P1},perfumaria,40,287,1,225,16,10,14\n"
        + "not-an-id,perfumaria,40,287,1,225,16,10,14\n"
        + f"{P2},no_such_category,1,1,1,1,1,1,1\n"
        + f"{P3},artes,1,1,1,heavy,1,1,1\n"
        + f"{P3},artes,1,1\n"
        + f"{P1},perfumaria,40,287,1,225,16,10,14\n"
    )
    record, _ = run("products", text)
    assert record.status == "COMPLETED"
    assert counts(record) == (6, 1, 0, 0, 5)
    reasons = {e.row: e.reason for e in record.errors}
    assert "32 hexadecimal" in reasons[2]
    assert "unknown category" in reasons[3]
    assert "not a number" in reasons[4]
    assert "expected 9 columns" in reasons[5]
    assert "duplicate id" in reasons[6]


def test_offers_need_their_product_and_seller_and_price_changes_are_recorded(catalog):
    run("products", PRODUCT_HEADER + f"{P1},perfumaria,40,287,1,225,16,10,14\n")
    run(
        "sellers",
        f"seller_id,seller_zip_code_prefix,seller_city,seller_state\n{S1},13023,campinas,SP\n",
    )
    header = "product_id,seller_id,price,freight_value,times_sold\n"
    record, recorder = run(
        "offers",
        header + f"{P1},{S1},34.99,16.05,3\n{P2},{S1},10.00,1.00,1\n{P1},{S2},10.00,1.00,1\n",
    )
    assert counts(record) == (3, 1, 0, 0, 2)
    assert {e.reason for e in record.errors} == {"unknown product_id", "unknown seller_id"}
    offer = Offer.get(*Offer.key(P1, S1))
    assert (offer.price, offer.freight, offer.currency) == (3499, 1605, "BRL")
    assert recorder.events[0].data["price"] == {"amount": 3499, "currency": "BRL"}
    record, recorder = run("offers", header + f"{P1},{S1},29.99,16.05,3\n")
    assert counts(record) == (1, 0, 1, 0, 0)
    changed = recorder.events[0]
    assert changed.detail_type == "OfferPriceChanged"
    assert (changed.data["previousPrice"]["amount"], changed.data["price"]["amount"]) == (
        3499,
        2999,
    )
    history = list(PriceChange.query(f"OFFER#{offer.offer_id}"))
    assert [h.price for h in history] == [3499, 2999]


def test_the_report_keeps_at_most_200_row_errors(catalog):
    text = PRODUCT_HEADER + "".join(f"bad{i},perfumaria,1,1,1,1,1,1,1\n" for i in range(250))
    record, _ = run("products", text)
    assert record.skipped == 250
    assert len(record.errors) == importer.MAX_REPORTED_ERRORS


def test_a_repeated_upload_notification_runs_the_import_once(catalog):
    record = Import(
        *Import.key("imp_once"),
        import_id="imp_once",
        kind="products",
        status="AWAITING_UPLOAD",
        object_key="imports/imp_once/products.csv",
        requested_by="acct_x",
        created_at=clock.iso(),
    )
    record.save()
    assert importer._claim("imp_once") is not None
    assert importer._claim("imp_once") is None
