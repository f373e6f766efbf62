"""Search: the indexer (events -> tantivy index in S3) and the browse and search routes."""

import json
import os
import uuid

import boto3
import pytest
from moto import mock_aws

from apigw import FakeContext, call
from catalog import api, consumers, index_files, queries, search
from catalog.index_files import LocalIndex, StaleIndex
from catalog.store import Product
from tests.unit.catalog_tests.helpers import (
    P1,
    P2,
    P3,
    PRODUCT_HEADER,
    S1,
    S2,
    Recorder,
    run,
)
from tests.unit.catalog_tests.tables import create_catalog_table
from titan.events import DomainEvent, EventPublisher

SELLERS = (
    "seller_id,seller_zip_code_prefix,seller_city,seller_state\n"
    f"{S1},13023,campinas,SP\n{S2},20000,rio de janeiro,RJ\n"
)
PRODUCTS = PRODUCT_HEADER + (
    f"{P1},perfumaria,40,287,1,225,16,10,14\n"
    f"{P2},perfumaria,40,287,1,225,16,10,14\n"
    f"{P3},beleza_saude,40,287,1,225,16,10,14\n"
)
OFFERS = (
    "product_id,seller_id,price,freight_value,times_sold\n"
    f"{P1},{S1},34.99,16.05,3\n{P1},{S2},30.00,10.00,1\n{P2},{S2},120.00,20.00,1\n"
)


def sqs(events) -> dict:
    """The SQS batch the indexer gets when ``events`` went EventBridge -> SQS."""
    records = []
    for event in events:
        body = event.as_delivered()
        records.append(
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "r",
                "body": json.dumps(body),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:index",
                "awsRegion": "us-east-1",
            }
        )
    return {"Records": records}


@pytest.fixture
def catalog(tmp_path, monkeypatch):
    with mock_aws():
        create_catalog_table()
        boto3.client("s3").create_bucket(Bucket=os.environ["CATALOG_SEARCH_BUCKET"])
        boto3.client("events").create_event_bus(Name="titan-test")
        monkeypatch.setattr(consumers, "_local", LocalIndex(tmp_path / "indexer"))
        reader = LocalIndex(tmp_path / "reader")
        monkeypatch.setattr(queries, "local_index", lambda: reader)
        monkeypatch.setattr(consumers, "_seller_states", {})
        monkeypatch.setattr("catalog.index_files.REFRESH_SECONDS", 0)
        yield


def index(*events) -> dict:
    return consumers.index_handler(sqs(events), FakeContext())


def seed() -> list:
    events = []
    for kind, text in (("sellers", SELLERS), ("products", PRODUCTS), ("offers", OFFERS)):
        events += run(kind, text)[1].events
    index(*events)
    return events


def get(path: str) -> tuple[int, dict]:
    status, _, body = call(api.handler, "GET", path)
    return status, body


def test_search_matches_english_and_portuguese_with_and_without_accents(catalog):
    seed()
    for q in ("perfume", "Perfumery", "perfumaria", "PERFUMÁRIA", "perf", "beauty perfum"):
        status, body = get(f"/search?q={q}")
        assert status == 200, body
        assert {i["productId"] for i in body["items"]} == {P1, P2}, q
    status, body = get("/search?q=saude")  # beleza_saude: "Health & Beauty"
    assert [i["productId"] for i in body["items"]] == [P3] or body["total"] == 0
    assert get("/search?q=zzzz")[1]["total"] == 0


def test_search_returns_the_best_offer_and_facets(catalog):
    seed()
    status, body = get("/search?q=perfume")
    assert status == 200 and body["total"] == 2 and body["nextCursor"] is None
    first = next(i for i in body["items"] if i["productId"] == P1)
    assert first["offerCount"] == 2
    assert first["bestOffer"]["sellerId"] == S2  # 30.00 + 10.00 beats 34.99 + 16.05
    assert first["bestOffer"]["price"] == {"amount": 3000, "currency": "BRL"}
    assert body["facets"]["category"] == [{"id": "perfumery", "name": "Perfumery", "count": 2}]
    assert {f["state"]: f["count"] for f in body["facets"]["sellerState"]} == {"RJ": 2, "SP": 1}
    prices = {(f["min"], f["max"]): f["count"] for f in body["facets"]["price"]}
    assert prices[(None, 5000)] == 1 and prices[(10000, 20000)] == 1
    assert sum(prices.values()) == 2


def test_browse_filters_sorts_and_pages(catalog):
    seed()
    status, body = get("/products?category=perfumery&sort=price_desc")
    assert status == 200
    assert [i["productId"] for i in body["items"]] == [P2, P1]
    assert get("/products?category=perfumaria&sort=price_asc")[1]["items"][0]["productId"] == P1
    # P3 has no offer: only listed on request, and never within a price range
    assert get("/products?department=health-beauty")[1]["total"] == 2
    assert get("/products?department=health-beauty&includeUnavailable=true")[1]["total"] == 3
    assert get("/products?minPrice=5000&maxPrice=20000")[1]["total"] == 1
    assert get(f"/products?sellerId={S1}")[1]["total"] == 1
    page1 = get("/products?includeUnavailable=true&limit=2")[1]
    assert len(page1["items"]) == 2 and page1["total"] == 3
    page2 = get(f"/products?includeUnavailable=true&limit=2&cursor={page1['nextCursor']}")[1]
    assert page2["nextCursor"] is None
    seen = [i["productId"] for i in page1["items"] + page2["items"]]
    assert sorted(seen) == sorted([P1, P2, P3])


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("/products?category=nope", "INVALID_PARAMETER"),
        ("/products?department=nope", "INVALID_PARAMETER"),
        ("/products?minPrice=-1", "INVALID_PARAMETER"),
        ("/products?minPrice=abc", "INVALID_PARAMETER"),
        ("/products?minPrice=500&maxPrice=100", "INVALID_PARAMETER"),
        ("/products?limit=0", "INVALID_PARAMETER"),
        ("/products?limit=101", "INVALID_PARAMETER"),
        ("/products?sort=cheapest", "INVALID_PARAMETER"),
        ("/products?sellerId=xyz", "INVALID_PARAMETER"),
        ("/products?cursor=garbage!", "INVALID_CURSOR"),
        ("/search", "INVALID_PARAMETER"),
        ("/search?q=%20%2B%2B", "INVALID_PARAMETER"),
    ],
)
def test_bad_parameters_are_400_problems(catalog, query, code):
    status, _, body = call(api.handler, "GET", query)
    assert (status, body["code"]) == (400, code)


def test_an_empty_catalog_answers_with_no_items(catalog):
    assert get("/products")[1] == {"items": [], "total": 0, "nextCursor": None}
    assert get("/search?q=perfume")[1]["total"] == 0


def test_price_changes_and_deletions_reach_the_index(catalog):
    seed()
    product = Product.get(*Product.key(P1))
    product.update(actions=[Product.status.set("INACTIVE")])
    changed = run("offers", OFFERS.replace("120.00", "10.00"))[1].events
    assert [e.detail_type for e in changed] == ["OfferPriceChanged"]
    inactive = DomainEvent.of(
        "ProductUpdated",
        {"productId": P1, "title": "x", "category": "perfumery", "status": "INACTIVE"},
    )
    index(*changed, inactive)
    body = get("/search?q=perfume")[1]
    assert [i["productId"] for i in body["items"]] == [P2]
    assert body["items"][0]["bestOffer"]["price"]["amount"] == 1000


def test_duplicate_and_reordered_events_give_the_same_index(catalog):
    def listed():  # products created at the same instant: their order is the index's own
        body = get("/products?includeUnavailable=true")[1]
        return body["total"], sorted(body["items"], key=lambda item: item["productId"])

    events = seed()
    before = listed()
    index(*reversed(events))
    index(*events[:3])
    assert listed() == before


def test_unparseable_messages_fail_alone(catalog):
    index(DomainEvent.of("SearchReindexRequested", {"requestedBy": "acct_staff"}))  # version 1
    events = run("products", PRODUCTS)[1].events
    batch = sqs(events)
    batch["Records"][0]["body"] = "not json"
    batch["Records"][1]["body"] = json.dumps(
        {"detail-type": "ProductCreated", "detail": {"data": {"productId": "x"}}}
    )
    response = consumers.index_handler(batch, FakeContext())
    failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    assert failed == {batch["Records"][0]["messageId"], batch["Records"][1]["messageId"]}
    assert get("/products?includeUnavailable=true")[1]["total"] == 1


def test_two_indexers_racing_both_land(catalog, tmp_path):
    run("sellers", SELLERS)
    events = run("products", PRODUCTS)[1].events
    first, second = LocalIndex(tmp_path / "a"), LocalIndex(tmp_path / "b")
    first.latest(), second.latest()  # both start from the same (empty) version
    changes_a, changes_b = consumers.Changes(), consumers.Changes()
    changes_a.add(consumers.parse(sqs(events[:1])["Records"][0]["body"]))
    for record in sqs(events[1:])["Records"]:
        changes_b.add(consumers.parse(record["body"]))
    assert consumers.apply(changes_a, first) == 1
    with pytest.raises(StaleIndex):
        second.publish(documents=0)  # a stale writer cannot move the pointer
    assert consumers.apply(changes_b, second) == 2  # apply reloads and lands on top
    assert get("/products?includeUnavailable=true")[1]["total"] == 3


def test_cursors_round_trip_and_refuse_forgeries():
    assert search.decode_cursor(search.encode_cursor(40)) == 40
    assert search.decode_cursor(None) == 0
    for bad in ("x", search.encode_cursor(-1), search.encode_cursor(search.MAX_RESULT_WINDOW)):
        with pytest.raises(search.InvalidCursor):
            search.decode_cursor(bad)


def test_only_the_last_versions_stay_in_the_bucket(catalog):
    events = seed()
    for _ in range(4):
        index(events[0])
    listed = boto3.client("s3").list_objects_v2(Bucket=os.environ["CATALOG_SEARCH_BUCKET"])
    assert len(listed["Contents"]) == index_files.KEEP_VERSIONS
    assert get("/products")[1]["total"] == 2


def test_a_reindex_rebuilds_from_the_table_what_events_missed(catalog, monkeypatch):
    run("sellers", SELLERS)
    run("products", PRODUCTS)
    run("offers", OFFERS)  # no events indexed at all: as if they all went to the DLQ
    assert get("/products?includeUnavailable=true")[1]["total"] == 0
    staff = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8C9D0", "roles": "staff"}
    recorder = Recorder()
    monkeypatch.setattr(EventPublisher, "publish", lambda self, *e: recorder.publish(*e))
    status, _, body = call(api.handler, "POST", "/admin/search/reindex", authorizer=staff)
    assert (status, body) == (202, {"status": "QUEUED", "currentVersion": 0})
    assert call(api.handler, "POST", "/admin/search/reindex")[0] == 401
    index(*recorder.events)  # SearchReindexRequested, as the queue delivers it
    everything = get("/products?includeUnavailable=true")[1]
    assert everything["total"] == 3
    best = {i["productId"]: i["bestOffer"] for i in everything["items"]}
    assert best[P1]["sellerId"] == S2 and best[P3] is None
    assert get("/search?q=perfumaria")[1]["facets"]["sellerState"] == [
        {"state": "RJ", "count": 2},
        {"state": "SP", "count": 1},
    ]


def test_a_product_new_to_the_index_comes_with_the_offers_it_already_has(catalog):
    run("sellers", SELLERS)
    run("products", PRODUCTS)
    run("offers", OFFERS)  # nothing indexed yet
    updated = DomainEvent.of(
        "ProductUpdated",
        {"productId": P1, "title": "x", "category": "perfumery", "status": "ACTIVE"},
    )
    index(updated)
    item = get("/products")[1]["items"][0]
    assert (item["productId"], item["offerCount"]) == (P1, 2)
    assert item["bestOffer"]["sellerId"] == S2


def rated(subject: str, subject_id: str, scores: tuple[int, ...], sequence: int) -> DomainEvent:
    """RatingChanged as the reviews context publishes it, for ``scores`` (reviews per 1-5)."""
    count = sum(scores)
    total = sum(n * s for n, s in zip(scores, range(1, 6), strict=True))
    return DomainEvent.of(
        "RatingChanged",
        {
            "subject": subject,
            "subjectId": subject_id,
            "average": round(total / count, 2) if count else None,
            "count": count,
            "distribution": {str(s): n for s, n in zip(range(1, 6), scores, strict=True)},
            "sequence": sequence,
        },
    )


def test_ratings_reach_reads_and_search_and_the_newest_wins(catalog):
    seed()
    index(
        rated("PRODUCT", P1, (0, 0, 0, 1, 1), 2),
        rated("PRODUCT", P1, (0, 0, 0, 0, 1), 1),  # older, delivered later: ignored
        rated("PRODUCT", P2, (1, 0, 0, 0, 0), 1),
        rated("SELLER", S2, (0, 0, 1, 1, 0), 2),
    )
    _, product = get(f"/products/{P1}")
    assert product["rating"] == {
        "average": 4.5,
        "count": 2,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
    }
    by_seller = {o["sellerId"]: o["sellerRating"] for o in product["offers"]}
    assert by_seller[S2] == {"average": 3.5, "count": 2}
    assert by_seller[S1] == {"average": None, "count": 0}
    assert get(f"/sellers/{S2}")[1]["rating"]["count"] == 2
    offer = product["offers"][0]["offerId"]
    assert get(f"/offers/{offer}")[1]["productRating"] == {"average": 4.5, "count": 2}
    best = get("/products?sort=rating_desc&includeUnavailable=true")[1]["items"]
    assert [i["productId"] for i in best][:2] == [P1, P2]
    assert best[0]["rating"] == {"average": 4.5, "count": 2}
    good = get("/search?q=perfume&minRating=4")[1]["items"]
    assert [i["productId"] for i in good] == [P1]
    assert get("/products?minRating=6")[0] == 400


def test_a_shop_on_vacation_leaves_search_until_it_is_back(catalog, monkeypatch):
    from catalog import steps

    seed()
    published = []
    monkeypatch.setattr(EventPublisher, "publish", lambda self, *e: published.extend(e))
    assert steps.set_vacation({"sellerId": S2, "onVacation": True}) == {"changed": True}
    assert steps.set_vacation({"sellerId": S2, "onVacation": True}) == {"changed": False}
    assert [e.detail_type for e in published] == ["SellerVacationChanged"]
    index(*published)
    body = get("/search?q=perfume")[1]
    # P1 keeps S1's offer only; P2 (S2's alone) is gone
    assert [i["productId"] for i in body["items"]] == [P1]
    assert body["items"][0]["bestOffer"]["sellerId"] == S1
    published.clear()
    steps.set_vacation({"sellerId": S2, "onVacation": False})
    index(*published)
    body = get("/search?q=perfume")[1]
    assert {i["productId"] for i in body["items"]} == {P1, P2}
    assert next(i for i in body["items"] if i["productId"] == P1)["offerCount"] == 2
