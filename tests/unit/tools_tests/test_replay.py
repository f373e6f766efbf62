"""The replay's scheduler (infra/tools/replay.py): every order is placed exactly once, in
purchase order, and two orders sharing an offer never overlap."""

import threading
import time

import replay


def order(number: int, *offers: str) -> dict:
    return {
        "orderId": f"o{number}",
        "lines": [{"productId": offer, "sellerId": "s"} for offer in offers],
    }


class Recording(replay.Replay):
    """A replay whose orders take ``seconds`` and record when they ran, without HTTP."""

    def __init__(self, seconds: float) -> None:
        super().__init__("http://127.0.0.1:9", sign_in=lambda: "token", webhook_secret="s")
        self.seconds = seconds
        self.running: set[str] = set()
        self.overlaps: list[tuple[str, str]] = []
        self.started: list[str] = []
        self.guard = threading.Lock()

    def _place_retrying(self, order: dict) -> dict:
        offers = {line["productId"] for line in order["lines"]}
        with self.guard:
            self.started.append(order["orderId"])
            self.overlaps += [(order["orderId"], o) for o in offers & self.running]
            self.running |= offers
        time.sleep(self.seconds)
        with self.guard:
            self.running -= offers
        return {"outcome": "placed", "notes": []}


def test_every_order_is_placed_once_the_last_one_too():
    orders = [order(n, f"p{n}") for n in range(60)]
    for _ in range(5):  # the last order used to be dropped when it had not started yet
        run = Recording(seconds=0)
        run.run(orders, workers=2)
        assert sorted(r["orderId"] for r in run.results) == sorted(o["orderId"] for o in orders)


def test_orders_sharing_an_offer_never_overlap_and_run_in_purchase_order():
    orders = [order(n, "shared" if n % 2 else f"p{n}", f"q{n}") for n in range(12)]
    run = Recording(seconds=0.01)
    run.run(orders, workers=3)
    assert run.overlaps == []
    sharing = [o["orderId"] for o in orders if o["lines"][0]["productId"] == "shared"]
    assert [o for o in run.started if o in sharing] == sharing
    assert len(run.results) == 12


class Shipping(replay.Replay):
    """A replay that records the carrier's scans it would send, without HTTP."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9", sign_in=lambda: "token", webhook_secret="s")
        self.sent: list[tuple[str, str, str]] = []

    def _label(self, order_id: str) -> dict[str, str]:
        return {f"parcel-of-{order_id}": "LABEL_PURCHASED"}

    def as_staff(self, method: str, path: str, body: dict, **kwargs) -> dict:
        if "/sandbox/carriers/" in path:
            self.sent.append((body["at"], body["code"], path.split("/")[-2]))
        return {}

    def _until(self, order_ids, field, wanted, seconds, path):
        return list(order_ids)


def test_deliveries_follow_olists_timestamps_across_orders():
    shipping = Shipping()
    shipping.results = [
        {"outcome": "placed", "orderId": "a", "titanOrderId": "ord_a"},
        {"outcome": "placed", "orderId": "b", "titanOrderId": "ord_b"},
        {"outcome": "placed", "orderId": "c", "titanOrderId": "ord_c"},
    ]
    orders = [
        {
            "orderId": "a",
            "status": "delivered",
            "handedOverAt": "2018-01-02T10:00:00Z",
            "deliveredAt": "2018-01-20T10:00:00Z",
        },
        {
            "orderId": "b",
            "status": "delivered",
            "handedOverAt": "2018-01-05T10:00:00Z",
            "deliveredAt": "2018-01-09T10:00:00Z",
        },
        {"orderId": "c", "status": "canceled", "handedOverAt": None, "deliveredAt": None},
    ]
    counts = shipping.ship_and_deliver(orders, release_wait=0)
    assert [(code, parcel) for _, code, parcel in shipping.sent] == [
        ("PICKED_UP", "parcel-of-ord_a"),
        ("PICKED_UP", "parcel-of-ord_b"),
        ("DELIVERED", "parcel-of-ord_b"),
        ("DELIVERED", "parcel-of-ord_a"),
    ]
    assert counts == {"shipped": 2, "delivered": 2, "released": 2, "failed": 0}


def test_olist_times_are_read_as_brasilia_time():
    assert replay._utc("2017-12-12 23:35:51") == "2017-12-13T02:35:51Z"
    assert replay._utc("") is None
    first = replay.load()[0]
    assert {"handedOverAt", "deliveredAt"} <= set(first)
