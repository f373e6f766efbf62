"""Bulk import over HTTP as an operator runs it: ask, upload to the presigned URL, read the
report. Uses its own small files, so it runs on a seeded or an empty catalog alike."""

import uuid

import pytest
import requests

from localcloud import seed


@pytest.fixture(scope="module")
def staff_token(cloud, api_url):
    return seed.admin_token(api_url, cloud)


@pytest.fixture
def upload(api_url, staff_token, tmp_path):
    """``upload(kind, text)``: import a CSV through the API as ``make up`` does; the report."""

    def run(kind: str, text: str) -> dict:
        path = tmp_path / f"{kind}.csv"
        path.write_text(text)
        return seed.import_file(api_url, staff_token, kind, path, timeout_s=120)

    return run


def test_import_report_reimport_price_change_and_public_reads(api_url, staff_token, upload):
    product, seller = uuid.uuid4().hex, uuid.uuid4().hex
    sellers = (
        f"seller_id,seller_zip_code_prefix,seller_city,seller_state\n{seller},01310,sao paulo,SP\n"
    )
    products = (
        "product_id,product_category_name,product_name_lenght,product_description_lenght,"
        "product_photos_qty,product_weight_g,product_length_cm,product_height_cm,"
        f"product_width_cm\n{product},perfumaria,40,287,1,225,16,10,14\n"
        f"{uuid.uuid4().hex},no_such_category,1,1,1,1,1,1,1\n"
        "broken-row,perfumaria\n"
    )
    offers = (
        f"product_id,seller_id,price,freight_value,times_sold\n{product},{seller},34.99,16.05,3\n"
    )
    assert upload("sellers", sellers)["counts"]["created"] == 1
    report = upload("products", products)
    assert report["status"] == "COMPLETED"
    assert report["counts"] == {"rows": 3, "created": 1, "updated": 0, "unchanged": 0, "skipped": 2}
    assert {e["row"] for e in report["errors"]} == {2, 3}
    assert upload("offers", offers)["counts"]["created"] == 1
    again = upload("products", products)
    assert (again["counts"]["created"], again["counts"]["unchanged"]) == (0, 1)

    detail = requests.get(f"{api_url}/products/{product}", timeout=30).json()
    assert detail["title"] == f"Perfumery {product[:6]}"
    assert detail["offers"][0]["price"] == {"amount": 3499, "currency": "BRL"}
    assert requests.get(f"{api_url}/sellers/{seller}", timeout=30).json()["offerCount"] == 1
    offer_id = detail["offers"][0]["offerId"]
    changed = requests.patch(
        f"{api_url}/offers/{offer_id}",
        json={"price": 2999},
        headers={"Authorization": f"Bearer {staff_token}"},
        timeout=30,
    )
    assert changed.status_code == 200, changed.text
    history = requests.get(f"{api_url}/offers/{offer_id}", timeout=30).json()["priceHistory"]
    assert [h["price"]["amount"] for h in history] == [3499, 2999]
    assert (
        requests.patch(f"{api_url}/offers/{offer_id}", json={"price": 1}, timeout=30).status_code
        == 401
    )
    tree = requests.get(f"{api_url}/categories", timeout=30).json()
    assert tree["productCount"] == sum(d["productCount"] for d in tree["departments"]) >= 1


def test_only_staff_may_import(api_url):
    assert (
        requests.post(
            f"{api_url}/admin/catalog/imports", json={"kind": "products"}, timeout=30
        ).status_code
        == 401
    )
