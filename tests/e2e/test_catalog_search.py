"""Browse and search over HTTP, kept in sync by the indexer: staff create a product and an
offer, change the price, delete the product, and search follows each step within seconds.
Uses its own product (a unique title word), so it runs on a seeded or an empty catalog."""

import uuid

import pytest
import requests

from localcloud import seed
from tests.e2e import polling

SYNC_TIMEOUT_S = 90


@pytest.fixture(scope="module")
def staff(cloud, api_url):
    return {"Authorization": f"Bearer {seed.admin_token(api_url, cloud)}"}


def until(read, accept, what: str):
    """Poll until the index, eventually consistent, shows ``what``."""
    return polling.until(read, accept, what, SYNC_TIMEOUT_S)


def test_search_follows_staff_edits(api_url, staff, tmp_path):
    seller = uuid.uuid4().hex
    path = tmp_path / "sellers.csv"
    path.write_text(
        f"seller_id,seller_zip_code_prefix,seller_city,seller_state\n{seller},69005,manaus,AM\n"
    )
    seed.import_file(api_url, staff["Authorization"].split()[1], "sellers", path, timeout_s=120)
    word = f"zq{uuid.uuid4().hex[:10]}"
    create = {
        "url": f"{api_url}/products",
        "json": {"title": f"Colônia {word} 50 ml", "category": "perfumaria"},
        "headers": {**staff, "Idempotency-Key": f"create-{word}"},
        "timeout": 30,
    }
    created, retried = requests.post(**create), requests.post(**create)
    assert created.status_code == retried.status_code == 201, created.text
    product = created.json()["productId"]
    assert retried.json()["productId"] == product  # one product for one key
    offer = requests.post(
        f"{api_url}/offers",
        json={"productId": product, "sellerId": seller, "price": 8990, "freight": 1500},
        headers=staff,
        timeout=30,
    )
    assert offer.status_code == 201, offer.text

    def found():
        return requests.get(f"{api_url}/search", params={"q": f"colonia {word}"}, timeout=30).json()

    hits = until(found, lambda r: r["total"] == 1, "new product in search")
    item = hits["items"][0]
    assert item["productId"] == product and item["bestOffer"]["sellerId"] == seller
    assert hits["facets"]["sellerState"] == [{"state": "AM", "count": 1}]
    assert hits["facets"]["category"][0]["id"] == "perfumery"

    patched = requests.patch(
        f"{api_url}/offers/{offer.json()['offerId']}",
        json={"price": 4990},
        headers=staff,
        timeout=30,
    )
    assert patched.status_code == 200, patched.text
    until(
        found,
        lambda r: r["total"] == 1 and r["items"][0]["bestOffer"]["price"]["amount"] == 4990,
        "price change in search",
    )
    browse = requests.get(
        f"{api_url}/products",
        params={"sellerId": seller, "maxPrice": 5000, "sort": "price_asc"},
        timeout=30,
    ).json()
    assert [i["productId"] for i in browse["items"]] == [product]

    assert (
        requests.delete(f"{api_url}/products/{product}", headers=staff, timeout=30).status_code
        == 204
    )
    until(found, lambda r: r["total"] == 0, "deleted product gone from search")


def test_bad_browse_parameters_are_400_problems(api_url):
    for params in ({"minPrice": "-5"}, {"sort": "cheapest"}, {"category": "nope"}, {"cursor": "x"}):
        response = requests.get(f"{api_url}/products", params=params, timeout=30)
        assert response.status_code == 400, (params, response.text)
        assert response.headers["Content-Type"].startswith("application/problem+json")
