"""Reviews on moto, through the API handler: verified purchase, moderation, edits with
history, deletion, staff's decisions, reports, the seller's reply, helpful votes and ranking,
photos, and ratings that stay exact under concurrent writers."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from apigw import call
from orders import service as orders
from orders.store import CANCELLED
from reviews import api as reviews_api
from reviews import service as reviews
from reviews import settings
from reviews.store import PRODUCT, SELLER, Review
from tests.unit.returns_tests.refunds import call as steps_call
from tests.unit.returns_tests.refunds import delivered_order
from tests.unit.shop import ANA, BIA, CUSTOMER, P1, P2, STAFF
from tests.unit.shop import SELLER as SELLER_ID
from titan import clock

SELLER_CALLER = {
    "principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8SE11",
    "roles": "seller",
    "sellerId": SELLER_ID,
}
OTHER_SELLER = {
    "principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B80THR",
    "roles": "seller",
    "sellerId": "f" * 32,
}
CAIO = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8CA10", "roles": "customer"}
DAVI = {"principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8DAV1", "roles": "customer"}


@pytest.fixture
def market(shop, monkeypatch):
    monkeypatch.setattr(reviews, "invoke", steps_call)
    bucket = "titan-test-review-photos"
    boto3.client("s3").create_bucket(Bucket=bucket)
    monkeypatch.setattr(
        settings, "SETTINGS", settings.SETTINGS.model_copy(update={"review_photos_bucket": bucket})
    )
    return shop


def api(method, path, body=None, who=ANA, **kwargs):
    return call(reviews_api.handler, method, path, body, authorizer=who, **kwargs)


def write(order, who=ANA, **body):
    return api("POST", f"/orders/{order['orderId']}/reviews", body, who)


def line_of(order, product):
    return next(x for x in order["lines"] if x["productId"] == product)["lineId"]


def recount(kind: str, subject: str) -> tuple[int, ...]:
    """The subject's stars recounted from the reviews themselves."""
    counts = [0] * 5
    for review in Review.scan(Review.kind == kind):
        if review.subject_id == subject and review.counted:
            counts[int(review.score) - 1] += 1
    return tuple(counts)


def stars(kind: str, subject: str) -> tuple[int, ...]:
    return reviews.rating_of(kind, subject)[0].distribution


def test_a_buyer_reviews_each_product_and_the_seller_once(market):
    order = delivered_order(market, lines=((P1, 2), (P2, 1)))
    status, _, review = write(
        order, lineId=line_of(order, P1), rating=5, title="Ótimo", text="Chegou antes do prazo."
    )
    assert status == 201, review
    assert review["status"] == "PUBLISHED" and review["verifiedPurchase"] and review["mine"]
    status, _, seller_review = write(order, sellerId=SELLER_ID, rating=4, text="Bom vendedor")
    assert status == 201 and seller_review["kind"] == "SELLER"
    status, _, again = write(order, lineId=line_of(order, P1), rating=1)
    assert status == 409 and again["code"] == "ALREADY_REVIEWED"
    assert again["reviewId"] == review["reviewId"]
    assert stars(PRODUCT, P1) == (0, 0, 0, 0, 1) and stars(SELLER, SELLER_ID) == (0, 0, 0, 1, 0)
    kinds = market.kinds()
    assert kinds.count("ReviewPublished") == 2 and kinds.count("RatingChanged") == 2
    (changed,) = [e for e in market.of("RatingChanged") if e.payload.subject == "SELLER"]
    assert (changed.payload.average, changed.payload.count, changed.payload.sequence) == (4.0, 1, 1)
    status, _, page = api("GET", f"/products/{P1}/reviews", who=None)
    assert status == 200 and page["total"] == 1
    assert page["rating"] == {
        "average": 5.0,
        "count": 1,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1},
    }
    public = page["items"][0]
    assert (
        public["orderId"] is None
        and public["mine"] is False
        and public["text"] == "Chegou antes do prazo."
    )
    status, _, mine = api("GET", f"/orders/{order['orderId']}/reviews")
    assert status == 200
    left = [i for i in mine["items"] if i["review"] is None]
    assert [(i["kind"], i["productId"]) for i in left] == [("PRODUCT", P2)]


def test_only_the_buyer_of_a_delivered_order_within_the_window_reviews(market):
    order = delivered_order(market)
    line = line_of(order, P1)
    status, _, refused = write(order, who=BIA, lineId=line, rating=5)
    assert status == 404 and refused["code"] == "ORDER_NOT_FOUND"
    status, _, refused = write(order, lineId="nope", rating=5)
    assert status == 422 and refused["code"] == "UNKNOWN_LINE"
    status, _, refused = write(order, sellerId="f" * 32, rating=5)
    assert status == 422 and refused["code"] == "UNKNOWN_SELLER"
    status, _, refused = write(order, rating=5)  # neither a line nor a seller
    assert status == 422 and refused["code"] == "VALIDATION_FAILED"
    status, _, refused = write(order, lineId=line, sellerId=SELLER_ID, rating=5)
    assert status == 422
    status, _, refused = write(order, lineId=line, rating=6)
    assert status == 422
    later = clock.now() + timedelta(days=settings.SETTINGS.review_window_days + 1)
    clock.freeze(later)
    try:
        status, _, refused = write(order, lineId=line, rating=5)
    finally:
        clock.unfreeze()
    assert status == 409 and refused["code"] == "REVIEW_WINDOW_CLOSED"
    assert Review.count() == 0


def test_an_order_not_yet_delivered_cannot_be_reviewed(market):
    from cart import service as cart
    from tests.unit.checkout_tests.saga import card, checkout

    cart.add(CUSTOMER, P1, SELLER_ID, 1)
    placed = checkout([card()])["ok"]
    order = steps_call("ORDERS_STEPS_FUNCTION", "get", {"orderId": placed["orderId"]})
    status, _, refused = write(order, lineId=order["lines"][0]["lineId"], rating=5)
    assert status == 409 and refused["code"] == "ORDER_NOT_DELIVERED"
    orders.move(orders.get(placed["orderId"]), CANCELLED)


def test_a_line_refunded_in_full_cannot_be_reviewed(market):
    order = delivered_order(market)
    line = line_of(order, P1)
    item = orders.get(order["orderId"])
    item.update(
        actions=[
            type(item).refunds.set(
                [
                    {
                        "returnId": "ret_x",
                        "amount": 1,
                        "kind": "RETURN",
                        "lines": [{"lineId": line, "quantity": 2}],
                    }
                ]
            )
        ]
    )
    status, _, refused = write(order, lineId=line, rating=1)
    assert status == 409 and refused["code"] == "LINE_REFUNDED"
    status, _, refused = write(order, sellerId=SELLER_ID, rating=1)
    assert status == 409 and refused["code"] == "LINE_REFUNDED"


def test_held_words_wait_for_staff_but_the_stars_count(market):
    order = delivered_order(market)
    status, _, review = write(
        order, lineId=line_of(order, P1), rating=2, text="Me chama no zap 11 98765-4321"
    )
    assert status == 201 and review["status"] == "HELD"
    assert review["reasons"] == [{"code": "CONTACT_DATA", "detail": "phone, messenger"}]
    assert stars(PRODUCT, P1) == (0, 1, 0, 0, 0)
    assert "ReviewHeld" in market.kinds()
    status, _, page = api("GET", f"/products/{P1}/reviews", who=None)
    assert page["total"] == 0 and page["rating"]["count"] == 1
    status, _, hidden = api("GET", f"/reviews/{review['reviewId']}", who=None)
    assert status == 404
    status, _, queue = api("GET", "/admin/reviews", who=STAFF)
    assert [r["reviewId"] for r in queue["items"]] == [review["reviewId"]]
    status, _, _ = api("GET", "/admin/reviews", who=ANA)
    assert status == 403
    status, _, rejected = api(
        "POST",
        f"/admin/reviews/{review['reviewId']}/decision",
        {"outcome": "REJECT", "reason": "contact data"},
        STAFF,
    )
    assert status == 200 and rejected["status"] == "REJECTED"
    assert stars(PRODUCT, P1) == (0, 1, 0, 0, 0)  # the words were the problem, not the buyer
    status, _, again = api(
        "POST", f"/admin/reviews/{review['reviewId']}/decision", {"outcome": "PUBLISH"}, STAFF
    )
    assert status == 409 and again["code"] == "REVIEW_NOT_HELD"


def test_an_advertisement_is_rejected_and_its_stars_never_count(market):
    order = delivered_order(market)
    status, _, spam = write(
        order,
        lineId=line_of(order, P1),
        rating=5,
        text="Mais barato em www.outraloja.com.br, zap 11 98765-4321",
    )
    assert status == 201 and spam["status"] == "REJECTED"
    assert spam["reasons"] == [{"code": "SPAM", "detail": "link, phone, messenger"}]
    assert stars(PRODUCT, P1) == (0, 0, 0, 0, 0)
    assert "ReviewPublished" not in market.kinds() and "ReviewHeld" not in market.kinds()
    status, _, fixed = api("PATCH", f"/reviews/{spam['reviewId']}", {"text": "Produto bom."})
    assert fixed["status"] == "PUBLISHED" and stars(PRODUCT, P1) == (0, 0, 0, 0, 1)


def test_the_same_text_from_another_account_is_held_and_not_counted_until_staff_publish(market):
    text = "Produto excelente, chegou muito antes do prazo e bem embalado, recomendo a todos!"
    order = delivered_order(market)
    status, _, first = write(order, lineId=line_of(order, P1), rating=5, text=text)
    assert first["status"] == "PUBLISHED"
    other = reviews.Target(PRODUCT, P1, "LINE#x", SELLER_ID, "x", P1)
    copied, _ = reviews.create(
        "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9XY",
        other,
        CAIO["principalId"],
        {"rating": 5, "text": text},
        "rev_01JDQ6R8V9W3X4Y5Z6A7B8C9XY",
    )
    assert copied.status == "HELD" and [r["code"] for r in copied.reasons] == ["DUPLICATE_TEXT"]
    assert stars(PRODUCT, P1) == (0, 0, 0, 0, 1)
    status, published = api(
        "POST", f"/admin/reviews/{copied.review_id}/decision", {"outcome": "PUBLISH"}, STAFF
    )[:2]
    assert status == 200
    assert stars(PRODUCT, P1) == (0, 0, 0, 0, 2) == recount(PRODUCT, P1)


def test_a_burst_of_reviews_on_one_product_is_held(market, monkeypatch):
    monkeypatch.setattr(
        settings, "SETTINGS", settings.SETTINGS.model_copy(update={"review_burst_per_hour": 3})
    )
    made = []
    for n in range(5):
        target = reviews.Target(PRODUCT, P2, f"LINE#{n}", SELLER_ID, str(n), P2)
        review, _ = reviews.create(
            f"ord_01JDQ6R8V9W3X4Y5Z6A7B8C9{n:02d}",
            target,
            f"acct_01JDQ6R8V9W3X4Y5Z6A7B8C9{n:02d}",
            {"rating": 5},
            f"rev_01JDQ6R8V9W3X4Y5Z6A7B8C9{n:02d}",
        )
        made.append(review.status)
    assert made == ["PUBLISHED"] * 3 + ["HELD"] * 2
    assert stars(PRODUCT, P2) == (0, 0, 0, 0, 3)


def test_imports_arrive_at_once_without_bursts_and_keep_their_stars_when_held(market, monkeypatch):
    """A bulk import arrives in one go by design and Olist's dates have day precision: no
    burst is counted. Its words are still moderated; a held import keeps its stars (the
    marketplace it came from counted them)."""
    monkeypatch.setattr(
        settings, "SETTINGS", settings.SETTINGS.model_copy(update={"review_burst_per_hour": 3})
    )
    text = "Comprei dois e os dois chegaram quebrados, a embalagem veio toda amassada"
    made = []
    for n in range(5):
        target = reviews.Target(PRODUCT, P2, f"LINE#{n}", SELLER_ID, str(n), P2)
        review, _ = reviews.create(
            f"ord_01JDQ6R8V9W3X4Y5Z6A7B8C9{n:02d}",
            target,
            f"acct_01JDQ6R8V9W3X4Y5Z6A7B8C9{n:02d}",
            {"rating": 1, "text": text if n >= 3 else ""},
            f"rev_01JDQ6R8V9W3X4Y5Z6A7B8C9{n:02d}",
            source="IMPORT",
            source_id=f"olist:{n}",
        )
        made.append((review.status, [r["code"] for r in review.reasons], review.counted))
    assert made[:4] == [("PUBLISHED", [], True)] * 4
    assert made[4] == ("HELD", ["DUPLICATE_TEXT"], True)
    assert stars(PRODUCT, P2) == (5, 0, 0, 0, 0) == recount(PRODUCT, P2)


def test_the_author_edits_within_the_period_and_the_history_is_kept(market):
    order = delivered_order(market)
    status, _, review = write(order, lineId=line_of(order, P1), rating=2, text="Demorou")
    rid = review["reviewId"]
    status, _, edited = api("PATCH", f"/reviews/{rid}", {"rating": 4, "text": "Demorou, mas é bom"})
    assert status == 200 and edited["rating"] == 4 and edited["edited"]
    assert [h["rating"] for h in edited["history"]] == [2] and edited["history"][0][
        "text"
    ] == "Demorou"
    assert stars(PRODUCT, P1) == (0, 0, 0, 1, 0) == recount(PRODUCT, P1)
    status, _, refused = api("PATCH", f"/reviews/{rid}", {"rating": 1}, BIA)
    assert status == 403 and refused["code"] == "NOT_YOUR_REVIEW"
    status, _, held = api("PATCH", f"/reviews/{rid}", {"text": "porra, que merda"})
    assert held["status"] == "HELD" and held["reasons"][0]["code"] == "PROFANITY"
    assert stars(PRODUCT, P1) == (0, 0, 0, 1, 0)
    status, _, clean = api("PATCH", f"/reviews/{rid}", {"text": "Bom produto"})
    assert clean["status"] == "PUBLISHED" and len(clean["history"]) == 3
    clock.freeze(clock.now() + timedelta(days=settings.SETTINGS.review_edit_days + 1))
    try:
        status, _, late = api("PATCH", f"/reviews/{rid}", {"rating": 5})
    finally:
        clock.unfreeze()
    assert status == 409 and late["code"] == "EDIT_WINDOW_CLOSED"


def test_deleting_removes_the_stars_and_lets_the_line_be_reviewed_again(market):
    order = delivered_order(market)
    line = line_of(order, P1)
    _, _, review = write(order, lineId=line, rating=1)
    status, _, refused = api("DELETE", f"/reviews/{review['reviewId']}", who=BIA)
    assert status == 403
    status, _, _ = api("DELETE", f"/reviews/{review['reviewId']}")
    assert status == 204
    assert stars(PRODUCT, P1) == (0, 0, 0, 0, 0)
    assert api("GET", f"/reviews/{review['reviewId']}", who=None)[0] == 404
    status, _, again = write(order, lineId=line, rating=3)
    assert status == 201 and stars(PRODUCT, P1) == (0, 0, 1, 0, 0)


def test_the_seller_replies_once_without_contact_data_and_cannot_remove_it(market):
    order = delivered_order(market)
    _, _, review = write(order, sellerId=SELLER_ID, rating=2, text="Atrasou")
    rid = review["reviewId"]
    status, _, refused = api("POST", f"/reviews/{rid}/reply", {"text": "Sorry"}, OTHER_SELLER)
    assert status == 403 and refused["code"] == "NOT_YOUR_REVIEW"
    status, _, refused = api(
        "POST", f"/reviews/{rid}/reply", {"text": "Fale comigo: loja@ex.com.br"}, SELLER_CALLER
    )
    assert status == 422 and refused["code"] == "REPLY_NOT_ALLOWED"
    status, _, replied = api(
        "POST", f"/reviews/{rid}/reply", {"text": "Pedimos desculpas pelo atraso."}, SELLER_CALLER
    )
    assert status == 200 and replied["reply"]["text"] == "Pedimos desculpas pelo atraso."
    status, _, twice = api("POST", f"/reviews/{rid}/reply", {"text": "De novo"}, SELLER_CALLER)
    assert status == 409 and twice["code"] == "ALREADY_REPLIED"
    assert api("DELETE", f"/reviews/{rid}", who=SELLER_CALLER)[0] == 403
    assert "SellerReplied" in market.kinds()


def test_votes_once_per_account_never_on_your_own_and_rank_by_wilson(market):
    order = delivered_order(market, lines=((P1, 1), (P2, 1)))
    _, _, mine = write(order, lineId=line_of(order, P1), rating=5, text="Muito bom")
    rid = mine["reviewId"]
    status, _, refused = api("POST", f"/reviews/{rid}/votes", {"helpful": True})
    assert status == 403 and refused["code"] == "OWN_REVIEW"
    for who in (BIA, CAIO, BIA):  # BIA twice: one vote
        status, _, voted = api("POST", f"/reviews/{rid}/votes", {"helpful": True}, who)
        assert status == 200
    assert (voted["helpful"], voted["unhelpful"]) == (2, 0)
    _, _, changed = api("POST", f"/reviews/{rid}/votes", {"helpful": False}, CAIO)
    assert (changed["helpful"], changed["unhelpful"]) == (1, 1)
    # an older review with more helpful votes ranks above a newer one with none
    target = reviews.Target(PRODUCT, P1, "LINE#old", SELLER_ID, "old", P1)
    clock.freeze(clock.now() - timedelta(days=30))
    try:
        old, _ = reviews.create(
            "ord_01JDQ6R8V9W3X4Y5Z6A7B8C90Z",
            target,
            DAVI["principalId"],
            {"rating": 4, "text": "Bom"},
            "rev_01JDQ6R8V9W3X4Y5Z6A7B8C90Z",
        )
    finally:
        clock.unfreeze()
    for n in range(6):
        reviews.vote(
            reviews.Principal(f"acct_01JDQ6R8V9W3X4Y5Z6A7B8CV{n:02d}", frozenset({"customer"})),
            old.review_id,
            True,
        )
    _, _, helpful = api("GET", f"/products/{P1}/reviews?sort=helpful", who=None)
    assert [r["reviewId"] for r in helpful["items"]] == [old.review_id, rid]
    _, _, recent = api("GET", f"/products/{P1}/reviews?sort=recent", who=None)
    assert [r["reviewId"] for r in recent["items"]] == [rid, old.review_id]
    _, _, fours = api("GET", f"/products/{P1}/reviews?rating=4", who=None)
    assert [r["reviewId"] for r in fours["items"]] == [old.review_id]
    _, _, first = api("GET", f"/products/{P1}/reviews?limit=1&sort=recent", who=None)
    _, _, second = api(
        "GET", f"/products/{P1}/reviews?limit=1&sort=recent&cursor={first['nextCursor']}", who=None
    )
    assert [r["reviewId"] for r in second["items"]] == [old.review_id] and second[
        "nextCursor"
    ] is None
    status, _, bad = api(
        "GET", f"/products/{P1}/reviews?sort=helpful&cursor={first['nextCursor']}", who=None
    )
    assert status == 400 and bad["code"] == "INVALID_CURSOR"


def test_enough_reports_take_a_review_back_to_staff(market):
    order = delivered_order(market)
    _, _, review = write(order, lineId=line_of(order, P1), rating=1, text="Não gostei")
    rid = review["reviewId"]
    assert api("POST", f"/reviews/{rid}/reports", {"reason": "SPAM"})[0] == 403
    for who in (BIA, CAIO):
        assert api("POST", f"/reviews/{rid}/reports", {"reason": "OFFENSIVE"}, who)[0] == 202
    status, _, twice = api("POST", f"/reviews/{rid}/reports", {"reason": "OFFENSIVE"}, BIA)
    assert status == 409 and twice["code"] == "ALREADY_REPORTED"
    assert Review.get(*Review.key(rid)).status == "PUBLISHED"
    api("POST", f"/reviews/{rid}/reports", {"reason": "FAKE"}, DAVI)
    held = Review.get(*Review.key(rid))
    assert held.status == "HELD" and held.reasons[-1]["code"] == "REPORTED"
    assert stars(PRODUCT, P1) == (1, 0, 0, 0, 0)
    status, _, gone = api(
        "POST", f"/admin/reviews/{rid}/decision", {"outcome": "REJECT", "genuine": False}, STAFF
    )
    assert gone["status"] == "REJECTED" and stars(PRODUCT, P1) == (0, 0, 0, 0, 0)
    assert api("PATCH", f"/reviews/{rid}", {"rating": 5})[2]["code"] == "REVIEW_REJECTED"


def test_photos_are_uploaded_by_presigned_post_and_checked(market):
    order = delivered_order(market)
    status, _, form = api("POST", "/reviews/photos", {"contentType": "image/png", "size": 1000})
    assert status == 201 and form["key"].startswith(f"uploads/{CUSTOMER}/")
    assert form["fields"]["Content-Type"] == "image/png" and "policy" in form["fields"]
    s3 = boto3.client("s3")
    bucket = settings.SETTINGS.review_photos_bucket
    s3.put_object(
        Bucket=bucket, Key=form["key"], Body=b"\x89PNG" + b"0" * 100, ContentType="image/png"
    )
    status, _, refused = write(
        order, lineId=line_of(order, P1), rating=5, photos=[form["key"].replace(".png", "x.png")]
    )
    assert status == 422 and refused["code"] == "PHOTO_NOT_FOUND"
    other = f"uploads/{BIA['principalId']}/pho_01JDQ6R8V9W3X4Y5Z6A7B8C9D0.png"
    s3.put_object(Bucket=bucket, Key=other, Body=b"x", ContentType="image/png")
    status, _, refused = write(order, lineId=line_of(order, P1), rating=5, photos=[other])
    assert status == 422 and refused["code"] == "PHOTO_NOT_FOUND"
    text_key = f"uploads/{CUSTOMER}/pho_01JDQ6R8V9W3X4Y5Z6A7B8C9D1.png"
    s3.put_object(Bucket=bucket, Key=text_key, Body=b"x", ContentType="text/html")
    status, _, refused = write(order, lineId=line_of(order, P1), rating=5, photos=[text_key])
    assert status == 422 and refused["code"] == "PHOTO_INVALID"
    status, _, review = write(order, lineId=line_of(order, P1), rating=5, photos=[form["key"]])
    assert status == 201 and len(review["photos"]) == 1 and form["key"] in review["photos"][0]
    _, _, with_photos = api("GET", f"/products/{P1}/reviews?withPhotos=true", who=None)
    assert with_photos["total"] == 1
    status, _, refused = api("POST", "/reviews/photos", {"contentType": "image/gif", "size": 10})
    assert status == 422
    status, _, refused = api(
        "POST", "/reviews/photos", {"contentType": "image/png", "size": 6 * 1024 * 1024}
    )
    assert status == 422


def racing(monkeypatch, function_name, rival):
    """Make ``rival()`` run once between a use case's read and its conditional write, as a
    concurrent writer would (moto is not thread-safe, so the race is set up, not hoped for;
    tests/integration/test_review_contention.py races real threads on the local cloud)."""
    real = getattr(reviews, function_name)
    ran = []

    def first_loses(*args, **kwargs):
        if not ran:
            ran.append(True)
            rival()
        return real(*args, **kwargs)

    monkeypatch.setattr(reviews, function_name, first_loses)


def author(review_id: str) -> reviews.Principal:
    return reviews.Principal(Review.get(*Review.key(review_id)).author_id, frozenset({"customer"}))


def test_an_edit_that_lost_a_race_reads_again_and_counts_once(market, monkeypatch):
    order = delivered_order(market)
    _, _, review = write(order, lineId=line_of(order, P1), rating=2)
    rid = review["reviewId"]
    racing(monkeypatch, "_write_change", lambda: reviews.edit(author(rid), rid, {"rating": 3}))
    edited = reviews.edit(author(rid), rid, {"rating": 5})
    assert int(edited.score) == 5 and [h["rating"] for h in edited.history] == [2, 3]
    assert stars(PRODUCT, P1) == (0, 0, 0, 0, 1) == recount(PRODUCT, P1)


def test_an_edit_racing_a_deletion_finds_the_review_gone(market, monkeypatch):
    order = delivered_order(market)
    _, _, review = write(order, lineId=line_of(order, P1), rating=2)
    rid = review["reviewId"]
    racing(monkeypatch, "_write_change", lambda: reviews.delete(author(rid), rid))
    with pytest.raises(reviews.NotFound):
        reviews.edit(author(rid), rid, {"rating": 5})
    assert stars(PRODUCT, P1) == (0, 0, 0, 0, 0) == recount(PRODUCT, P1)


def test_staff_deciding_twice_at_once_counts_the_stars_once(market, monkeypatch):
    text = "Comprei e recomendo, o vendedor respondeu rápido e o produto é excelente mesmo"
    for n, who in enumerate((CAIO, DAVI)):
        target = reviews.Target(PRODUCT, P2, f"LINE#{n}", SELLER_ID, str(n), P2)
        copy, _ = reviews.create(
            f"ord_01JDQ6R8V9W3X4Y5Z6A7B8C9R{n}",
            target,
            who["principalId"],
            {"rating": 4, "text": text},
            f"rev_01JDQ6R8V9W3X4Y5Z6A7B8C9R{n}",
        )
    assert copy.status == "HELD" and stars(PRODUCT, P2) == (0, 0, 0, 1, 0)
    staff = reviews.Principal(STAFF["principalId"], frozenset({"staff"}))
    racing(
        monkeypatch,
        "_write_change",
        lambda: reviews.decide(staff, copy.review_id, "PUBLISH", None, True),
    )
    with pytest.raises(reviews.Conflict) as late:
        reviews.decide(staff, copy.review_id, "PUBLISH", None, True)
    assert late.value.code == "REVIEW_NOT_HELD"
    assert stars(PRODUCT, P2) == (0, 0, 0, 2, 0) == recount(PRODUCT, P2)


def test_a_vote_that_lost_a_race_to_the_same_account_counts_once(market, monkeypatch):
    order = delivered_order(market)
    _, _, review = write(order, lineId=line_of(order, P1), rating=5)
    rid = review["reviewId"]
    bia = reviews.Principal(BIA["principalId"], frozenset({"customer"}))
    racing(monkeypatch, "transaction", lambda: reviews.vote(bia, rid, True))
    voted = reviews.vote(bia, rid, False)
    assert (int(voted.helpful), int(voted.unhelpful)) == (0, 1)


def test_two_reviews_of_one_line_at_once_make_one(market, monkeypatch):
    order = delivered_order(market)
    line = line_of(order, P1)
    racing(
        monkeypatch,
        "transaction",
        lambda: reviews.submit(
            CUSTOMER,
            order["orderId"],
            {"lineId": line, "rating": 1},
            "rev_01JDQ6R8V9W3X4Y5Z6A7B8C9RA",
        ),
    )
    with pytest.raises(reviews.Conflict) as second:
        reviews.submit(
            CUSTOMER,
            order["orderId"],
            {"lineId": line, "rating": 5},
            "rev_01JDQ6R8V9W3X4Y5Z6A7B8C9RB",
        )
    assert second.value.code == "ALREADY_REVIEWED"
    assert stars(PRODUCT, P1) == (1, 0, 0, 0, 0) == recount(PRODUCT, P1)
