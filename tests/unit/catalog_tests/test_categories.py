"""Staff categories: create, use (API, import, search), rename, delete only when empty."""

import os

import boto3
import pytest
from moto import mock_aws

from apigw import call
from catalog import api
from tests.unit.catalog_tests.helpers import PRODUCT_HEADER, Recorder, run
from tests.unit.catalog_tests.tables import create_catalog_table
from titan.events import EventPublisher

STAFF = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9D0", "roles": "staff"}
P9 = "9" * 32


@pytest.fixture
def catalog(monkeypatch):
    with mock_aws():
        create_catalog_table()
        boto3.client("s3").create_bucket(Bucket=os.environ["CATALOG_SEARCH_BUCKET"])
        recorder = Recorder()
        monkeypatch.setattr(EventPublisher, "publish", lambda self, *e: recorder.publish(*e))
        yield recorder


def staff(method, path, body=None):
    status, _, payload = call(api.handler, method, path, body, authorizer=STAFF)
    return status, payload


def node(tree, slug):
    return next((c for d in tree["departments"] for c in d["categories"] if c["id"] == slug), None)


def test_a_staff_category_is_created_used_renamed_and_deleted(catalog):
    body = {
        "id": "vinyl-records",
        "name": "Vinyl Records",
        "department": "books-media",
        "sourceName": "discos_vinil",
    }
    status, created = staff("POST", "/categories", body)
    assert status == 201 and created["builtIn"] is False
    tree = call(api.handler, "GET", "/categories")[2]
    assert node(tree, "vinyl-records") == {
        "id": "vinyl-records",
        "name": "Vinyl Records",
        "productCount": 0,
        "builtIn": False,
    }
    record, _ = run("products", PRODUCT_HEADER + f"{P9},discos_vinil,40,287,1,225,16,10,14\n")
    assert record.created == 1
    assert call(api.handler, "GET", f"/products/{P9}")[2]["category"]["id"] == "vinyl-records"
    status, problem = staff("DELETE", "/categories/vinyl-records")
    assert (status, problem["code"]) == (409, "CATEGORY_NOT_EMPTY")
    status, renamed = staff("PATCH", "/categories/vinyl-records", {"name": "Vinyl"})
    assert status == 200 and renamed["name"] == "Vinyl"
    assert staff("PATCH", f"/products/{P9}", {"category": "audio"})[0] == 200
    assert staff("DELETE", "/categories/vinyl-records")[0] == 204
    assert node(call(api.handler, "GET", "/categories")[2], "vinyl-records") is None
    assert [e.detail_type for e in catalog.events if e.detail_type.startswith("Category")] == [
        "CategoryCreated",
        "CategoryUpdated",
        "CategoryDeleted",
    ]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        (
            "POST",
            "/categories",
            {"id": "perfumery", "name": "x", "department": "home"},
            409,
            "CATEGORY_EXISTS",
        ),
        (
            "POST",
            "/categories",
            {"id": "x-y", "name": "x", "department": "home", "sourceName": "perfumaria"},
            409,
            "CATEGORY_EXISTS",
        ),
        (
            "POST",
            "/categories",
            {"id": "x-y", "name": "x", "department": "nope"},
            422,
            "UNKNOWN_DEPARTMENT",
        ),
        (
            "POST",
            "/categories",
            {"id": "Not A Slug", "name": "x", "department": "home"},
            422,
            "VALIDATION_FAILED",
        ),
        ("PATCH", "/categories/perfumery", {"name": "Scents"}, 409, "BUILT_IN_CATEGORY"),
        ("DELETE", "/categories/perfumery", None, 409, "BUILT_IN_CATEGORY"),
        ("PATCH", "/categories/no-such", {"name": "x"}, 404, "CATEGORY_NOT_FOUND"),
        ("DELETE", "/categories/no-such", None, 404, "CATEGORY_NOT_FOUND"),
    ],
)
def test_category_edits_refuse_what_they_must(catalog, method, path, body, status, code):
    got_status, problem = staff(method, path, body)
    assert (got_status, problem["code"]) == (status, code)


def test_only_staff_edit_categories(catalog):
    customer = {"principalId": "acct_x", "roles": "customer"}
    body = {"id": "x-y", "name": "x", "department": "home"}
    assert call(api.handler, "POST", "/categories", body, authorizer=customer)[0] == 403
    assert call(api.handler, "POST", "/categories", body)[0] == 401
