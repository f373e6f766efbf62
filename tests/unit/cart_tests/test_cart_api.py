"""The cart's HTTP side."""

from __future__ import annotations

from apigw import call
from cart import api as cart_api
from tests.unit.shop import ANA, BIA, P1, SELLER


def test_cart_lines_add_up_and_are_each_customers_own(world):
    status, _, line = call(
        cart_api.handler,
        "POST",
        "/cart/items",
        {"productId": P1, "sellerId": SELLER, "quantity": 2},
        authorizer=ANA,
    )
    assert status == 201 and line["quantity"] == 2 and line["unitPrice"]["amount"] == 3499
    status, _, again = call(
        cart_api.handler,
        "POST",
        "/cart/items",
        {"productId": P1, "sellerId": SELLER, "quantity": 3},
        authorizer=ANA,
    )
    assert (status, again["lineId"], again["quantity"]) == (201, line["lineId"], 5)
    too_many = call(
        cart_api.handler,
        "POST",
        "/cart/items",
        {"productId": P1, "sellerId": SELLER, "quantity": 95},
        authorizer=ANA,
    )
    assert (too_many[0], too_many[2]["code"]) == (422, "QUANTITY_LIMIT")
    status, _, cart = call(cart_api.handler, "GET", "/cart", authorizer=ANA)
    assert cart["total"]["amount"] == 5 * (3499 + 1605) and cart["itemCount"] == 5
    assert call(cart_api.handler, "GET", "/cart", authorizer=BIA)[2]["lines"] == []
    other = call(
        cart_api.handler, "PATCH", f"/cart/items/{line['lineId']}", {"quantity": 1}, authorizer=BIA
    )
    assert (other[0], other[2]["code"]) == (404, "LINE_NOT_FOUND")
    assert (
        call(
            cart_api.handler,
            "PATCH",
            f"/cart/items/{line['lineId']}",
            {"quantity": 1},
            authorizer=ANA,
        )[2]["quantity"]
        == 1
    )
    assert (
        call(cart_api.handler, "DELETE", f"/cart/items/{line['lineId']}", authorizer=ANA)[0] == 204
    )
    assert (
        call(cart_api.handler, "DELETE", f"/cart/items/{line['lineId']}", authorizer=ANA)[0] == 404
    )
    unknown = call(
        cart_api.handler,
        "POST",
        "/cart/items",
        {"productId": P1, "sellerId": "0" * 32, "quantity": 1},
        authorizer=ANA,
    )
    assert (unknown[0], unknown[2]["code"]) == (409, "OFFER_UNAVAILABLE")
    assert call(cart_api.handler, "GET", "/cart")[0] == 401
