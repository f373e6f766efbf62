"""The ledger and refunds at full contention, run in-process against the local cloud's
DynamoDB (the service code, not HTTP), for the integration tests and ``make bench``:

- ``race``: a captured payment of R$ 100,00 and 12 refunds of R$ 30,00 sent at once, by 12
  threads, to the payments context and, separately, to the order's escrow in the ledger.
  Exactly 3 may win in each; nothing beyond what was captured is ever given back.
- ``timeout``: a return approved by rule whose goods never come: the deployed refund saga's
  task token times out (after 3 s) and the return ends EXPIRED.
- ``bench``: ledger posts (wallet to wallet, 4 threads) and refunds (payments split +
  escrow hold + settlement) per second, with latency percentiles.

Each prints one JSON line: ``python infra/tools/ledger_load.py race|timeout|bench``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path

from figures import percentile

ROOT = Path(__file__).resolve().parents[2]
CAPTURED, PART, RACERS = 10000, 3000, 12


def _env() -> None:
    """Name the deployed tables and the state machine, and point the SDKs at the local cloud."""
    from localcloud import cloud as local

    outputs = json.loads(local.OUTPUTS.read_text())
    os.environ.update(local.aws_env())
    os.environ.update(
        PAYMENTS_TABLE=outputs["PaymentsTableName"],
        LEDGER_TABLE=outputs["LedgerTableName"],
        RETURNS_TABLE=outputs["ReturnsTableName"],
        REFUND_STATE_MACHINE=outputs["RefundStateMachineArn"],
        EVENT_BUS_NAME=outputs["EventBusName"],
        AWS_ENDPOINT_URL=local.ENDPOINT,
    )
    sys.path[0:0] = [str(ROOT / "functions"), str(ROOT / "layers" / "shared")]


#: The buyer of the load's orders (a well-formed account id: events carry it).
LOAD_CUSTOMER = "acct_" + "0" * 26


def _ulid() -> str:
    from ulid import ULID

    return str(ULID())


def _captured_payment(checkout_id: str, amount: int) -> None:
    from payments.store import Change, Payment
    from titan import clock

    now = clock.iso()
    pid = f"pay_{checkout_id.split('_', 1)[1]}_0"
    Payment(
        *Payment.key(pid),
        gsi1pk=f"CHECKOUT#{checkout_id}",
        gsi1sk="00",
        payment_id=pid,
        checkout_id=checkout_id,
        order_id="ord_" + checkout_id.split("_", 1)[1],
        customer_id=LOAD_CUSTOMER,
        provider="sandbox",
        reference=f"sbx_{pid}",
        method="card",
        amount=amount,
        currency="BRL",
        status="CAPTURED",
        captured=amount,
        history=[Change(status="CAPTURED", at=now)],
        created_at=now,
        updated_at=now,
    ).save()


def _funded_escrow(order_id: str, seller: str, amount: int) -> None:
    from contracts.orders import OrderPlaced
    from ledger import service as ledger
    from titan.ids import related

    brl = lambda amount: {"amount": amount, "currency": "BRL"}  # noqa: E731
    line = {
        "lineId": f"{order_id}-1",
        "cartLineId": "load",
        "productId": seller,
        "sellerId": seller,
        "offerId": "off_" + seller[:20],
        "quantity": 1,
        "title": "load",
        "unitPrice": brl(amount),
        "freight": brl(0),
    }
    placed = {
        "orderId": order_id,
        "checkoutId": related("chk", order_id),
        "customerId": "acct_" + order_id.removeprefix("ord_"),
        "customerEmail": "",
        "customerName": "load",
        "status": "CONFIRMED",
        "lines": [line],
        "total": brl(amount),
        "payments": [],
        "discount": brl(0),
    }
    ledger.open_escrow(OrderPlaced.model_validate(placed))
    ledger.post(
        f"capture:load-{order_id}",
        "CAPTURE",
        [("provider:sandbox", -amount), (f"escrow:{order_id}", amount)],
        "BRL",
    )


def _together(work, count: int) -> list:
    """Run ``work(i)`` on ``count`` threads released at once; their results or exceptions."""
    gate, out = threading.Barrier(count), [None] * count

    def run(i):
        gate.wait()
        try:
            out[i] = work(i)
        except Exception as exc:
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def race() -> dict:
    from ledger import service as ledger
    from payments import service as payments
    from payments.store import Payment
    from titan.saga import StepRefused

    checkout_id = f"chk_{_ulid()}"
    _captured_payment(checkout_id, CAPTURED)
    paid = _together(
        lambda i: payments.refund(f"ret_race{i}_{checkout_id}", checkout_id, PART), RACERS
    )
    (payment,) = Payment.of_checkout(checkout_id)
    order_id, seller = f"ord_{_ulid()}", uuid.uuid4().hex
    _funded_escrow(order_id, seller, CAPTURED)
    held = _together(
        lambda i: ledger.hold_refund(
            f"ret_{_ulid()}",
            order_id,
            PART,
            "BRL",
            "wallet",
            f"acct_{i:026d}",
            {seller: {"items": PART, "freight": 0}},
            0,
        ),
        RACERS,
    )
    escrow = f"escrow:{order_id}"
    return {
        "payments": {
            "won": sum(1 for r in paid if isinstance(r, tuple)),
            "refused": sum(1 for r in paid if isinstance(r, StepRefused)),
            "other": [repr(r) for r in paid if not isinstance(r, tuple | StepRefused)],
            "refunded": int(payment.refunded),
            "captured": int(payment.captured),
            "status": payment.status,
        },
        "escrow": {
            "won": sum(1 for r in held if isinstance(r, ledger.Posted)),
            "refused": sum(1 for r in held if isinstance(r, ledger.InsufficientFunds)),
            "other": [
                repr(r) for r in held if not isinstance(r, ledger.Posted | ledger.InsufficientFunds)
            ],
            "balance": ledger.balance(escrow),
            "entriesSum": ledger.entries_sum(escrow),
        },
    }


def timeout() -> dict:
    from returns import service as returns
    from returns import settings

    order_id = f"ord_{_ulid()}"
    order = {
        "orderId": order_id,
        "checkoutId": "chk_" + order_id[4:],
        "customerId": LOAD_CUSTOMER,
        "lines": [
            {
                "lineId": f"{order_id}-1",
                "sellerId": uuid.uuid4().hex,
                "offerId": "off_x",
                "quantity": 1,
                "unitPrice": {"amount": 1000},
                "freight": {"amount": 0},
            }
        ],
        "totals": {"discount": {"amount": 0}, "total": {"amount": 1000, "currency": "BRL"}},
    }
    item = returns.record(
        order, [{"lineId": f"{order_id}-1", "quantity": 1, "reason": "DAMAGED"}], "original"
    )
    settings.SETTINGS = settings.SETTINGS.model_copy(update={"return_goods_timeout_seconds": 3})
    started = time.monotonic()
    returns.start(item)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        item.refresh(consistent_read=True)
        if item.status in ("EXPIRED", "REFUNDED", "FAILED"):
            break
        time.sleep(0.5)
    return {
        "status": item.status,
        "history": [h["status"] for h in item.history],
        "seconds": round(time.monotonic() - started, 1),
        "returned": returns.returned_so_far(order_id),
    }


def bench(posts: int = 400, refunds: int = 60, threads: int = 4) -> dict:
    from ledger import service as ledger
    from payments import service as payments

    run = uuid.uuid4().hex[:8]
    ledger.post(
        f"fund:{run}", "TEST", [("provider:sandbox", -(10**9)), (f"wallet:{run}-0", 10**9)], "BRL"
    )
    latencies: list[float] = []
    lock = threading.Lock()

    def poster(t):
        for n in range(posts // threads):
            begin = time.perf_counter()
            ledger.post(
                f"bench:{run}:{t}:{n}",
                "TEST",
                [(f"wallet:{run}-0", -1), (f"wallet:{run}-{t + 1}", 1)],
                "BRL",
            )
            with lock:
                latencies.append(time.perf_counter() - begin)

    begin = time.perf_counter()
    _together(poster, threads)
    post_seconds = time.perf_counter() - begin
    orders = []
    for _ in range(refunds):
        checkout_id = f"chk_{_ulid()}"
        _captured_payment(checkout_id, CAPTURED)
        order_id, seller = "ord_" + checkout_id[4:], uuid.uuid4().hex
        _funded_escrow(order_id, seller, CAPTURED)
        orders.append((checkout_id, order_id, seller))
    refund_latencies: list[float] = []

    def refunder(t):
        for checkout_id, order_id, seller in orders[t::threads]:
            return_id = f"ret_{_ulid()}"
            begin = time.perf_counter()
            ledger.hold_refund(
                return_id,
                order_id,
                PART,
                "BRL",
                "original",
                LOAD_CUSTOMER,
                {seller: {"items": PART, "freight": 0}},
                0,
            )
            split, _ = payments.refund(return_id, checkout_id, PART)
            ledger.settle_refund(return_id, LOAD_CUSTOMER, split, "BRL")
            with lock:
                refund_latencies.append(time.perf_counter() - begin)

    begin = time.perf_counter()
    _together(refunder, threads)
    refund_seconds = time.perf_counter() - begin
    ms = lambda s, p: round(1000 * percentile(s, p), 1)  # noqa: E731
    return {
        "ledgerPosts": len(latencies),
        "postsPerSecond": round(len(latencies) / post_seconds, 1),
        "postP50Ms": ms(latencies, 50),
        "postP95Ms": ms(latencies, 95),
        "refunds": len(refund_latencies),
        "refundsPerSecond": round(len(refund_latencies) / refund_seconds, 2),
        "refundP50Ms": ms(refund_latencies, 50),
        "refundP95Ms": ms(refund_latencies, 95),
        "threads": threads,
    }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "infra" / "localcloud"))
    _env()
    print(json.dumps({"race": race, "timeout": timeout, "bench": bench}[sys.argv[1]]()))
