"""Reviews at contention over HTTP on the local cloud: six buyers of one product review,
edit, vote on each other's reviews and delete at once. The product's rating equals a recount
of its published reviews, and each review's helpful count equals the votes cast on it."""

from __future__ import annotations

import collections
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from localcloud import seed
from shopper import Shopper, new_customer, new_offer

BUYERS = 6
CARD_OK = {"method": "card", "card": {"number": "4242424242424242"}}


def test_concurrent_reviews_edits_votes_and_deletions_keep_the_rating_exact(cloud, api_url):
    staff = Shopper(api_url, token=seed.admin_token(api_url, cloud))
    offer = new_offer(api_url, staff.token)

    def buyer(_: int) -> tuple[Shopper, dict]:
        ana = new_customer(api_url)
        ana.add(offer["productId"], offer["sellerId"], 1)
        placed = ana.checkout([CARD_OK]).json()
        for move in ("ship", "deliver"):
            staff.call("POST", f"/orders/{placed['orderId']}/{move}")
        return ana, ana.call("GET", f"/orders/{placed['orderId']}").json()

    with ThreadPoolExecutor(2) as pool:  # sign-ups hash passwords: gently, beside other tests
        buyers = list(pool.map(buyer, range(BUYERS)))
    ids: list[str | None] = [None] * BUYERS
    written = threading.Barrier(BUYERS)
    votes = collections.Counter()
    lock = threading.Lock()

    def act(n: int) -> None:
        ana, order = buyers[n]
        made = ana.call(
            "POST",
            f"/orders/{order['orderId']}/reviews",
            {"lineId": order["lines"][0]["lineId"], "rating": 1 + n % 5},
            headers={"Idempotency-Key": str(uuid.uuid4())},
            expect=(201,),
        ).json()
        ids[n] = made["reviewId"]
        written.wait(timeout=120)
        ana.call("PATCH", f"/reviews/{ids[n]}", {"rating": 5 - n % 5})
        for other in range(0, BUYERS, 2):  # the even ones stay
            if other != n:
                ana.call("POST", f"/reviews/{ids[other]}/votes", {"helpful": n % 3 != 0})
                with lock:
                    votes[(ids[other], n % 3 != 0)] += 1
        if n % 2:
            ana.call("DELETE", f"/reviews/{ids[n]}", expect=(204,))

    with ThreadPoolExecutor(BUYERS) as pool:
        list(pool.map(act, range(BUYERS)))

    page = (
        Shopper(api_url)
        .call("GET", f"/products/{offer['productId']}/reviews?limit=100&sort=recent")
        .json()
    )
    recount = collections.Counter(str(item["rating"]) for item in page["items"])
    assert page["rating"]["count"] == BUYERS // 2 == len(page["items"])
    assert page["rating"]["distribution"] == {s: recount.get(s, 0) for s in "12345"}
    for item in page["items"]:
        assert item["helpful"] == votes[(item["reviewId"], True)]
        assert item["unhelpful"] == votes[(item["reviewId"], False)]
