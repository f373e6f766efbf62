import csv
from pathlib import Path

import pytest

from catalog import domain

SEED = Path(__file__).resolve().parents[3] / "infra" / "seed" / "olist"


def _column(name: str, column: str) -> set[str]:
    with open(SEED / name, newline="") as file:
        return {row[column] for row in csv.DictReader(file)}


def test_every_olist_category_is_in_the_tree_with_an_english_name():
    used = _column("products.csv", "product_category_name")
    translated = _column("category_translation.csv", "product_category_name")
    for name in (used | translated) - {""}:
        category = domain.category_for(name)
        assert category is not None, name
        assert category.department in domain.DEPARTMENTS
        assert category.name[0].isupper() and "_" not in category.name
    assert domain.category_for("pc_gamer").name == "Gaming PCs"
    assert domain.category_for("") is domain.UNCATEGORISED
    assert len({c.slug for c in domain.CATEGORIES.values()}) == len(domain.CATEGORIES)


def test_categories_are_found_by_portuguese_name_or_slug():
    assert domain.category_for("perfumaria").slug == "perfumery"
    assert domain.category_for("perfumery").slug == "perfumery"
    assert domain.category_for("construcao_ferramentas_jardim").slug == "construction-tools-garden"
    assert domain.category_for("no-such-category") is None


def test_titles_are_deterministic_and_readable():
    perfumery = domain.category_for("perfumaria")
    assert domain.product_title("1e9e8ef04dbcff4541ed26657ea517e5", perfumery) == "Perfumery 1e9e8e"
    assert domain.product_title("abcdef" + "0" * 26, domain.UNCATEGORISED) == "Product abcdef"


PRODUCT = {
    "product_id": "1e9e8ef04dbcff4541ed26657ea517e5",
    "product_category_name": "perfumaria",
    "product_name_lenght": "40",
    "product_description_lenght": "287",
    "product_photos_qty": "1",
    "product_weight_g": "225",
    "product_length_cm": "16",
    "product_height_cm": "10",
    "product_width_cm": "14",
}


def test_a_product_row_becomes_product_fields():
    fields = domain.parse_product(PRODUCT)
    assert fields["title"] == "Perfumery 1e9e8e" and fields["category"] == "perfumery"
    assert (fields["weight_g"], fields["length_cm"], fields["photo_count"]) == (225, 16, 1)
    assert domain.parse_product({**PRODUCT, "product_weight_g": ""})["weight_g"] is None


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"product_id": "xyz"}, "32 hexadecimal"),
        ({"product_category_name": "foo_bar"}, "unknown category"),
        ({"product_weight_g": "heavy"}, "not a number"),
        ({"product_weight_g": "-3"}, "at least 0"),
        ({"product_photos_qty": "1.5"}, "whole number"),
    ],
)
def test_bad_product_rows_say_why(change, reason):
    with pytest.raises(domain.RowError, match=reason):
        domain.parse_product({**PRODUCT, **change})


OFFER = {
    "product_id": "001b72dfd63e9833e8c02742adf472e3",
    "seller_id": "8a32e327fe2c1b3511609d81aaf9f042",
    "price": "34.99",
    "freight_value": "16.05",
    "times_sold": "3",
}


def test_offer_prices_are_exact_centavos_and_ids_stable():
    fields = domain.parse_offer(OFFER)
    assert (fields["price"], fields["freight"]) == (3499, 1605)
    assert fields["offer_id"] == domain.parse_offer(OFFER)["offer_id"]
    assert fields["offer_id"] != domain.parse_offer({**OFFER, "seller_id": "0" * 32})["offer_id"]


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"price": "-1"}, "at least"),
        ({"price": "0"}, "at least"),
        ({"price": "abc"}, "not a number"),
        ({"price": "1.999"}, "more decimals"),
        ({"freight_value": "-0.01"}, "at least"),
        ({"seller_id": ""}, "32 hexadecimal"),
    ],
)
def test_bad_offer_rows_say_why(change, reason):
    with pytest.raises(domain.RowError, match=reason):
        domain.parse_offer({**OFFER, **change})


def test_seller_rows_are_validated():
    row = {
        "seller_id": "3442f8959a84dea7ee197c632cb2df15",
        "seller_zip_code_prefix": "1302",
        "seller_city": "campinas",
        "seller_state": "sp",
    }
    assert domain.parse_seller(row)["zip_prefix"] == "01302"
    assert domain.parse_seller(row)["state"] == "SP"
    with pytest.raises(domain.RowError, match="UF"):
        domain.parse_seller({**row, "seller_state": "XX"})
