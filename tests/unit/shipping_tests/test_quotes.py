"""Shipping quotes: billable weight, routes and zones, the carriers' rate tables, insurance,
the market rate fitted on real orders, and the public quote route."""

import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from apigw import call
from shipping import places
from shipping.api import handler
from shipping.domain import SERVICES, Parcel, Route

ROOT = Path(__file__).resolve().parents[3]
STANDARD, EXPRESS, ROAD = SERVICES
SAO_PAULO, CAMPINAS, MANAUS = "01001", "13023", "69005"


def test_billable_weight_is_the_larger_of_actual_and_cubic():
    pillow = Parcel(weight_g=800, length_cm=60, height_cm=40, width_cm=30)  # 72,000 cm3
    assert pillow.cubic_kg == 12.0 and pillow.billable_kg == 12.0
    anvil = Parcel(weight_g=9000, length_cm=20, height_cm=10, width_cm=10)
    assert anvil.billable_kg == 9.0


def test_routes_measure_the_great_circle_and_fall_in_zones():
    here = places.place(SAO_PAULO)
    assert Route(here, here).km == 0 and Route(here, here).zone == "LOCAL"
    campinas = Route(here, places.place(CAMPINAS))
    assert 60 < campinas.km < 100 and campinas.zone == "STATE"
    manaus = Route(here, places.place(MANAUS))
    assert 2600 < manaus.km < 2800  # Sao Paulo to Manaus, as the crow flies
    assert (manaus.zone, manaus.regions) == ("NATIONAL", "SE>N")
    assert Route(here, places.place("20010")).zone == "REGIONAL"  # Rio de Janeiro


def test_a_prefix_the_data_lacks_takes_the_nearest_known_one():
    prefixes, known = places._places()
    missing = next(f"{n:05d}" for n in range(int(prefixes[100]), 99999) if f"{n:05d}" not in known)
    found = places.place(missing + "-123")
    assert abs(int(found.prefix) - int(missing)) == min(abs(int(p) - int(missing)) for p in known)
    with pytest.raises(ValueError):
        places.place("12a45")


def test_freight_counts_the_first_kg_then_each_started_kg():
    route = Route(places.place(SAO_PAULO), places.place(MANAUS))
    light = Parcel(300, 10, 10, 10)
    assert STANDARD.freight(light, route) == STANDARD.first_kg["NATIONAL"]
    two_and_a_bit = Parcel(2100, 10, 10, 10)  # 3 started kg
    assert STANDARD.freight(two_and_a_bit, route) == (
        STANDARD.first_kg["NATIONAL"] + 2 * STANDARD.extra_kg["NATIONAL"]
    )
    assert EXPRESS.freight(light, route) > STANDARD.freight(light, route)


def test_insurance_is_charged_on_the_value_above_the_free_part():
    assert STANDARD.insurance(2500) == 0
    assert STANDARD.insurance(12550) == 101  # 1% of 100.50 BRL, half up
    assert ROAD.insurance(10000) == 80


def test_services_refuse_what_they_cannot_carry():
    heavy = Parcel(40_000, 50, 40, 40)
    assert STANDARD.refusal(heavy) == "heavier than 30 kg"
    assert ROAD.refusal(heavy) is None
    long = Parcel(1000, 120, 10, 10)
    assert STANDARD.refusal(long) == "a side over 100 cm"


def _quote(**query):
    params = {
        "fromZip": SAO_PAULO,
        "toZip": MANAUS,
        "weightGrams": 500,
        "lengthCm": 20,
        "heightCm": 10,
        "widthCm": 15,
        **query,
    }
    return call(handler, "GET", "/shipping/quotes?" + urlencode(params))


def test_the_quote_route_lists_every_service_cheapest_first():
    status, _, body = _quote(declaredValue=15000, toZip="69005-010")
    assert status == 200, body
    assert (body["zone"], body["billableWeightGrams"]) == ("NATIONAL", 500)
    codes = [o["service"] for o in body["options"]]
    assert set(codes) == {"POST_STANDARD", "POST_EXPRESS", "RAPIDO_ROAD", "MARKET"}
    totals = [o["total"]["amount"] for o in body["options"]]
    assert totals == sorted(totals)
    standard = next(o for o in body["options"] if o["service"] == "POST_STANDARD")
    assert standard["insurance"] == {"amount": 125, "currency": "BRL"}
    assert standard["transitDays"] == 12


def test_a_heavy_parcel_gets_only_the_services_that_take_it():
    status, _, body = _quote(weightGrams=40_000)
    assert status == 200
    assert {o["service"] for o in body["options"]} == {"RAPIDO_ROAD", "MARKET"}
    status, _, body = _quote(weightGrams=60_000)
    assert (status, body["code"]) == (422, "PARCEL_NOT_CARRIED")
    assert "heavier than 50 kg" in body["detail"]


@pytest.mark.parametrize(
    "bad",
    [{"fromZip": "1234"}, {"toZip": "abcde"}, {"weightGrams": 0}, {"lengthCm": -1}, {"items": 0}],
)
def test_bad_input_is_a_problem_naming_the_parameter(bad):
    status, headers, body = _quote(**bad)
    assert (status, body["code"]) == (400, "INVALID_PARAMETER"), body
    assert headers["content-type"] == "application/problem+json"
    assert body["errors"][0]["location"] == f"query.{next(iter(bad))}"


def test_the_market_rate_is_within_15_percent_of_what_olist_charged_on_unseen_orders():
    """Five-fold cross-validation over the real orders shipped in the repo: each fold is
    priced by a table fitted without it (infra/tools/fit_logistics.py)."""
    sys.path.insert(0, str(ROOT / "infra" / "tools"))
    import fit_logistics
    from logistics_data import cases

    every = cases(ROOT / "infra" / "seed" / "olist" / "orders")
    errors = fit_logistics.cross_validate(every)
    assert len(every) > 2000 and max(errors) <= 0.15, errors
    assert fit_logistics.main(["--check"]) == 0  # market.json is the fit of these orders
