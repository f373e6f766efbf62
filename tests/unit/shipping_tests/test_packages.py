"""A cart's packages and their shipping options, the checkout's choice, the delivery promise
fitted on real orders, and the cart's and checkout's use of them."""

from __future__ import annotations

import statistics
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from apigw import call
from cart import api as cart_api
from shipping import domain, places, service, settings
from shipping import steps as shipping_steps
from tests.unit.shop import ADDRESS, ANA, P1, P2, SELLER
from titan.errors import Problem
from titan.saga import StepRefused

ROOT = Path(__file__).resolve().parents[3]
OTHER = "f" * 32
BOOK = {"weightGrams": 450, "lengthCm": 20.0, "heightCm": 10.0, "widthCm": 15.0}
MONDAY_NOON = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 12:00 in Brasilia


def _line(
    line_id, seller=SELLER, quantity=1, price=5000, freight=1500, parcel=BOOK, origin="13023"
):
    return {
        "lineId": line_id,
        "sellerId": seller,
        "quantity": quantity,
        "unitPrice": price,
        "freight": freight,
        "parcel": parcel,
        "originZip": origin,
    }


def test_allocation_is_exact_and_proportional():
    assert domain.allocate(1000, [1, 1, 1]) == [334, 333, 333]
    assert domain.allocate(999, [5000, 2500, 2500]) == [499, 250, 250]  # .5 < .75
    assert domain.allocate(7, [0, 0]) == [4, 3]
    for total, weights in ((12345, [3, 7, 11, 13]), (1, [9, 1]), (0, [4, 4])):
        assert sum(domain.allocate(total, weights)) == total
    with pytest.raises(ValueError):
        domain.allocate(10, [])
    with pytest.raises(ValueError):
        domain.allocate(10, [1, -1])


def test_items_pack_into_one_box_as_large_as_they_need():
    box = domain.Parcel.packed([domain.Parcel(450, 20, 10, 15), domain.Parcel(300, 5, 30, 12)])
    assert (box.weight_g, box.length_cm, box.width_cm, box.height_cm) == (750, 30, 15, 15)
    assert box.cubic_kg >= sum(
        p.cubic_kg for p in (domain.Parcel(450, 20, 10, 15), domain.Parcel(300, 5, 30, 12))
    )


def test_faster_services_promise_sooner_and_the_promise_falls_back_by_place():
    table = places.promise()
    assert domain.service_days(10, domain.SERVICES[1], "NATIONAL") < 10  # express
    assert domain.service_days(10, None, "LOCAL") == 10
    assert table.place_days("ZZ") == table.by_place[""]  # unknown state: the country's
    far = table.days("AM", None, 0)
    near = table.days("SP", None, 0)
    assert 1 <= near < far
    slow_seller = max(table.by_seller, key=table.by_seller.get)
    assert table.days("SP", slow_seller, 0) > near


def test_every_package_has_the_sellers_rate_and_the_carriers_that_take_it():
    lines = [_line("a", quantity=2), _line("b", seller=OTHER, parcel=None), _line("c", price=900)]
    packages = service.packages(lines, "69005-000", MONDAY_NOON)  # to Manaus
    assert [p["sellerId"] for p in packages] == [SELLER, OTHER]
    mine, theirs = packages
    assert mine["lineIds"] == ["a", "c"] and mine["itemsValue"] == 10900
    assert mine["parcel"]["weightGrams"] == 3 * 450  # three units in one box
    offered = {o["service"]: o for o in mine["options"]}
    assert set(offered) == {"SELLER", "POST_STANDARD", "POST_EXPRESS", "RAPIDO_ROAD", "MARKET"}
    assert offered["SELLER"]["freight"] == 2 * 1500 + 1500
    assert offered["POST_EXPRESS"]["promisedBy"] < offered["POST_STANDARD"]["promisedBy"]
    assert all(o["promisedBy"] > date(2026, 11, 30) for o in mine["options"])
    totals = [o["freight"] + o["insurance"] for o in mine["options"]]
    assert totals == sorted(totals)
    # an item without weight or dimensions can only go at the seller's rate
    assert [o["service"] for o in theirs["options"]] == ["SELLER"] and theirs["parcel"] is None


def test_a_package_over_the_minimum_ships_free_at_the_platforms_cost(monkeypatch):
    monkeypatch.setattr(
        settings, "SETTINGS", settings.SETTINGS.model_copy(update={"free_shipping_minimum": 10000})
    )
    cheap, dear = (
        service.packages([_line("a", price=price)], "69005", MONDAY_NOON)[0]
        for price in (9999, 10000)
    )
    standard = lambda p: next(o for o in p["options"] if o["service"] == "POST_STANDARD")  # noqa: E731
    assert standard(cheap)["freight"] > 0 and "subsidy" not in standard(cheap)
    free = standard(dear)
    assert (free["freight"], free["insurance"], free["fundedBy"]) == (0, 0, "PLATFORM")
    assert free["subsidy"] == standard(cheap)["freight"] + standard(cheap)["insurance"]
    assert dear["options"][0]["service"] == "POST_STANDARD"  # now the cheapest


def test_the_choice_sets_each_lines_freight_and_the_package():
    lines = [_line("a", quantity=2), _line("b", price=10000), _line("c", seller=OTHER)]
    packages = service.packages(lines, "01001", MONDAY_NOON)
    chosen = service.choose(packages, {SELLER: "POST_EXPRESS"}, lines)
    express = next(o for o in packages[0]["options"] if o["service"] == "POST_EXPRESS")
    first, second = chosen["packages"]
    assert (first["service"], first["freight"]) == (
        "POST_EXPRESS",
        express["freight"] + express["insurance"],
    )
    assert first["promisedBy"] == express["promisedBy"].isoformat()
    freights = {line["lineId"]: line["lineFreight"] for line in chosen["lines"]}
    assert freights["a"] + freights["b"] == first["freight"]
    assert abs(freights["a"] - freights["b"]) <= 1  # equal value, equal share to the centavo
    assert (second["service"], freights["c"]) == ("SELLER", 1500)  # not named: seller's rate
    assert chosen["freight"] == sum(freights.values())


@pytest.mark.parametrize(
    "choices", [{SELLER: "TELEPORT"}, {"0" * 32: "POST_STANDARD"}, {OTHER: "POST_STANDARD"}]
)
def test_a_choice_the_cart_does_not_offer_is_refused(choices):
    lines = [_line("a"), _line("b", seller=OTHER, parcel=None)]
    with pytest.raises(Problem) as refused:
        service.choose(service.packages(lines, "01001"), choices, lines)
    assert refused.value.code == "SHIPPING_OPTION_UNAVAILABLE"
    event = {"lines": lines, "destinationZip": "01001", "choices": []}
    assert shipping_steps.ship(event)["freight"] == 3000
    with pytest.raises(StepRefused) as bad_zip:
        shipping_steps.ship({**event, "destinationZip": "ABCDE"})
    assert bad_zip.value.code == "ADDRESS_NOT_SHIPPABLE"


def test_the_promise_keeps_its_late_share_and_errs_less_than_olists_on_unseen_orders():
    """Five folds: each is promised by a table fitted on the other four. The promise is late
    no more often than the fit aims for (within the issue's 8%), and its mean error is below
    that of Olist's estimate (which is late less often on these orders: docs/logistics.md
    shows the trade-off)."""
    sys.path.insert(0, str(ROOT / "infra" / "tools"))
    import fit_promise
    from logistics_data import CATALOG, deliveries

    every = deliveries(CATALOG / "orders")
    quantile = places.promise().quantile
    scores = fit_promise.cross_validate(every, quantile)
    mae = statistics.mean(m for m, _ in scores)
    late = statistics.mean(share for _, share in scores)
    olist_mae, _ = fit_promise.olist_scores(every)
    assert late <= fit_promise.TARGET_LATE + 0.005
    assert mae < olist_mae - 0.5


def test_the_cart_quotes_each_sellers_package_for_an_address(world):
    for product in (P1, P2):
        call(
            cart_api.handler,
            "POST",
            "/cart/items",
            {"productId": product, "sellerId": SELLER, "quantity": 1},
            authorizer=ANA,
        )
    status, _, body = call(
        cart_api.handler, "GET", f"/cart/shipping-options?addressId={ADDRESS}", authorizer=ANA
    )
    assert status == 200, body
    (package,) = body["packages"]
    assert len(package["lineIds"]) == 2
    # P2 has no dimensions: the package goes at the seller's rate only
    assert [o["service"] for o in package["options"]] == ["SELLER"]
    assert package["options"][0]["total"]["amount"] == 1605 + 2000
    missing = call(
        cart_api.handler,
        "GET",
        "/cart/shipping-options?addressId=addr_01J00000000000000000000000",
        authorizer=ANA,
    )
    assert (missing[0], missing[2]["code"]) == (422, "ADDRESS_NOT_FOUND")
    bad = call(cart_api.handler, "GET", "/cart/shipping-options?addressId=x", authorizer=ANA)
    assert bad[0] == 400
