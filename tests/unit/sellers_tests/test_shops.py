"""Shops on moto: the approval makes the applicant's shop, the Olist sellers get theirs by
import (again: nothing changes), the public page with the catalog's counts, the seller's
edits (description, logo checked as an image of theirs), and vacation: the shop's offers
leave the cart and checkout with SHOP_ON_VACATION until it is back."""

from __future__ import annotations

import boto3
import pytest

from apigw import call
from cart import api as cart_api
from sellers import api as sellers_api
from sellers import service, settings, shops
from tests.unit.sellers_tests.test_approval import approvals  # noqa: F401  (a fixture)
from tests.unit.shop import ANA, BIA, P1, SELLER, STAFF, steps_call

LOGOS = "titan-test-shop-media"
OWNER = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
OTHER = {"principalId": "acct_other", "roles": "seller", "sellerId": "f" * 32}


def api(method, path, body=None, who=ANA):
    return call(sellers_api.handler, method, path, body, authorizer=who)


@pytest.fixture
def olist(world, monkeypatch):
    boto3.client("s3").create_bucket(Bucket=LOGOS)
    update = {"shop_media_bucket": LOGOS}
    monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(update=update))
    monkeypatch.setattr(shops, "invoke", steps_call)
    rows = {"sellers": [{"sellerId": SELLER, "city": "campinas", "state": "SP"}]}
    status, _, made = api("POST", "/admin/shops/olist", rows, who=STAFF)
    assert (status, made) == (200, {"created": 1, "existing": 0, "taken": 0})
    assert api("POST", "/admin/shops/olist", rows, who=STAFF)[2]["existing"] == 1
    assert api("POST", "/admin/shops/olist", rows)[0] == 403
    return world


def test_an_imported_seller_has_a_public_page(olist):
    slug = f"loja-{SELLER[:8]}"
    status, _, page = api("GET", f"/shops/{slug}", who=None)
    assert status == 200
    assert (page["name"], page["city"], page["state"]) == (
        f"Loja {SELLER[:8].upper()} (Campinas)", "Campinas", "SP",
    )  # fmt: skip
    assert (page["productCount"], page["offerCount"], page["onVacation"]) == (2, 2, False)
    assert api("GET", f"/sellers/{SELLER}/shop", who=None)[2]["slug"] == slug
    assert api("GET", "/shops/no-such-shop", who=None)[0] == 404


def test_the_seller_edits_its_shop_and_no_one_else_does(olist):
    slug = f"loja-{SELLER[:8]}"
    assert api("PATCH", f"/shops/{slug}", {"description": "x"}, who=OTHER)[0] == 404
    assert api("PATCH", f"/shops/{slug}", {"description": "x"}, who=BIA)[0] == 403
    status, _, form = api("POST", f"/shops/{slug}/logo", {"contentType": "image/png"}, who=OWNER)
    assert status == 201
    s3 = boto3.client("s3")
    s3.put_object(Bucket=LOGOS, Key=form["key"], Body=b"%PDF-1.4", ContentType="image/png")
    status, _, problem = api("PATCH", f"/shops/{slug}", {"logo": form["key"]}, who=OWNER)
    assert (status, problem["code"]) == (422, "LOGO_INVALID")
    s3.put_object(Bucket=LOGOS, Key=form["key"], Body=b"\x89PNG\r\n", ContentType="image/png")
    change = {"logo": form["key"], "description": "Perfumes importados desde 2016."}
    status, _, page = api("PATCH", f"/shops/{slug}", change, who=OWNER)
    assert status == 200 and page["description"] == change["description"]
    assert page["logoUrl"].startswith("http")


def test_vacation_takes_the_shop_out_of_carts_and_checkout_until_it_is_back(olist):
    slug = f"loja-{SELLER[:8]}"
    cart = lambda: call(cart_api.handler, "GET", "/cart", authorizer=ANA)[2]  # noqa: E731
    add = lambda: call(  # noqa: E731
        cart_api.handler,
        "POST",
        "/cart/items",
        {"productId": P1, "sellerId": SELLER, "quantity": 1},
        authorizer=ANA,
    )
    assert add()[0] == 201
    assert [line["available"] for line in cart()["lines"]] == [True]
    away = {"vacation": {"onVacation": True, "message": "De volta dia 10."}}
    status, _, page = api("PATCH", f"/shops/{slug}", away, who=OWNER)
    assert (status, page["onVacation"], page["vacationMessage"]) == (200, True, "De volta dia 10.")
    assert [e.payload.onVacation for e in olist.of("SellerVacationChanged")] == [True]
    lines = cart()["lines"]
    assert lines and {line["unavailableReason"] for line in lines} == {"SHOP_ON_VACATION"}
    assert cart()["total"]["amount"] == 0
    status, _, problem = add()
    assert (status, problem["code"]) == (409, "SHOP_ON_VACATION")
    back = {"vacation": {"onVacation": False}}
    page = api("PATCH", f"/shops/{slug}", back, who=OWNER)[2]
    assert (page["onVacation"], page["vacationMessage"]) == (False, None)
    assert [line["available"] for line in cart()["lines"]] == [True]


def test_the_approval_opens_the_applicants_shop(approvals, monkeypatch):  # noqa: F811
    monkeypatch.setattr(shops, "invoke", steps_call)
    api("POST", f"{approvals.path}/approve", who=STAFF)
    page = api("GET", "/shops/cantinho-da-ana", who=None)[2]
    assert page["sellerId"] == service.seller_id_of(approvals.application_id)
    assert (page["name"], page["city"], page["productCount"]) == ("Cantinho da Ana", "Campinas", 0)
    # an imported seller cannot take a slug an applicant holds
    from sellers.store import Claim

    Claim(*Claim.slug_key("loja-abcdef01"), application_id="sap_someone").save()
    rows = {"sellers": [{"sellerId": "abcdef01" + "0" * 24, "city": "x", "state": "SP"}]}
    made = api("POST", "/admin/shops/olist", rows, who=STAFF)[2]
    assert made == {"created": 0, "existing": 0, "taken": 1}


def test_a_shop_whose_seller_the_catalog_does_not_know_still_has_a_page(olist):
    rows = {"sellers": [{"sellerId": "0" * 32, "city": "x", "state": "SP"}]}
    api("POST", "/admin/shops/olist", rows, who=STAFF)
    status, _, page = api("GET", f"/sellers/{'0' * 32}/shop", who=None)
    assert status == 200
    assert (page["productCount"], page["rating"]) == (0, {"average": None, "count": 0})
