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
