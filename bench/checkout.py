"""Checkout figures for ``make bench``.

- ``http_latency``: POST /checkout p50/p95 through API Gateway and Step Functions EXPRESS on
  the local cloud (a fresh customer per checkout, one unit of one offer, card payment).
- ``per_checkout``: what one checkout costs in requests, counted exactly by running the
  checkout state machine in-process on moto (the unit tests' interpreter) and counting
  every AWS API call the steps make: Lambda invocations, state transitions, DynamoDB
  requests and capacity units, events published and the consumers they start; then the AWS
  cost per order from list prices (us-east-1, on-demand, November 2026):
  Lambda $0.20 per 1M requests + $0.0000166667 per GB-second
  (aws.amazon.com/lambda/pricing); Step Functions EXPRESS $1.00 per 1M requests + $0.00001667
  per GB-second, billed per 100 ms at 64 MB, STANDARD $0.025 per 1,000 state transitions
  (aws.amazon.com/step-functions/pricing); DynamoDB on-demand $0.625 per 1M write request
  units and $0.125 per 1M read request units, transactional requests cost 2 units per item
  (aws.amazon.com/dynamodb/pricing/on-demand); EventBridge $1.00 per 1M custom events
  (aws.amazon.com/eventbridge/pricing); API Gateway REST $3.50 per 1M requests
  (aws.amazon.com/api-gateway/pricing); SES $0.10 per 1,000 e-mails (aws.amazon.com/ses/pricing).
"""

from __future__ import annotations

import collections
import contextlib
import io
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRICE = {
    "lambda_request": 0.20e-6,
    "lambda_gb_s": 0.0000166667,
    "express_request": 1.00e-6,
    "express_gb_s": 0.00001667,
    "standard_transition": 0.025e-3,
    "wru": 0.625e-6,
    "rru": 0.125e-6,
    "event": 1.00e-6,
    "api_request": 3.50e-6,
    "email": 0.10e-3,
}
LAMBDA_GB = 0.5  # template.yaml Globals MemorySize: 512


def _consumers() -> dict[str, int]:
    """Detail-type -> how many consumers (rules with targets) it reaches, from template.yaml."""
    from tests.unit.tables import template_resources

    resources = template_resources()
    reach: collections.Counter = collections.Counter()
    for resource in resources.values():
        props = resource.get("Properties") or {}
        patterns = [
            e["Properties"]["Pattern"]
            for e in (props.get("Events") or {}).values()
            if e.get("Type") == "EventBridgeRule"
        ]
        if resource["Type"] == "AWS::Events::Rule" and "EventPattern" in props:
            patterns.append(props["EventPattern"])
        for pattern in patterns:
            for kind in pattern.get("detail-type", []):
                reach[kind] += 1
    return reach


def per_checkout(runs: int = 10) -> dict:
    """Totals over ``runs`` card checkouts of a 2-line cart: AWS calls by (service,
    operation), DynamoDB request units, events, state transitions, step durations (s)."""
    import boto3
    import botocore.client
    from moto import mock_aws

    import tests.conftest  # noqa: F401  (the unit tests' environment: every variable the functions get)
    from tests.unit import shop
    from tests.unit.checkout_tests import saga
    from tests.unit.tables import create_tables

    calls: collections.Counter = collections.Counter()
    units = {"wru": 0.0, "rru": 0.0}
    counting = [False]
    original = botocore.client.BaseClient._make_api_call

    def counted(self, operation, params):
        if counting[0]:
            service = self.meta.service_model.service_name
            calls[(service, operation)] += 1
            if service == "dynamodb":
                _capacity(operation, params, units)
        return original(self, operation, params)

    published: list = []
    durations: list[float] = []
    transitions = 0
    # Powertools prints each metric (EMF) to stdout: not the bench's output.
    with mock_aws(), contextlib.redirect_stdout(io.StringIO()):
        from cart import consumers
        from cart import service as cart
        from catalog.domain import offer_id
        from inventory import service as inventory
        from payments import provider
        from titan.events import EventPublisher

        create_tables()
        boto3.client("events").create_event_bus(Name="titan-test")
        EventPublisher.publish = lambda self, *events: published.extend(events)
        cart.invoke = shop.steps_call  # the contexts' steps in-process, as the unit tests do
        provider.invoke = shop.ledger_call
        shop.seed_catalog()
        shop.seed_identity()
        for product in (shop.P1, shop.P2):
            offer = offer_id(product, shop.SELLER)
            inventory.open_stock(offer, product, shop.SELLER, {}, 100_000)
        botocore.client.BaseClient._make_api_call = counted
        try:
            for _ in range(runs):
                cart.add(shop.CUSTOMER, shop.P1, shop.SELLER, 1)
                cart.add(shop.CUSTOMER, shop.P2, shop.SELLER, 2)
                trace: list = []
                counting[0] = True
                began = time.perf_counter()
                result = saga.checkout([saga.card()], trace=trace)
                durations.append(time.perf_counter() - began)
                counting[0] = False
                assert result.get("ok"), result
                transitions += len(trace)
                placed = next(e for e in reversed(published) if e.detail_type == "OrderPlaced")
                consumers.remove_ordered(placed.payload, "9999")
        finally:
            botocore.client.BaseClient._make_api_call = original
    return {
        "calls": calls,
        "units": units,
        "published": published,
        "durations": durations,
        "transitions": transitions,
        "runs": runs,
    }


def report(counts: dict) -> list[str]:
    """Lines for ``make bench``: per-checkout counts and the AWS cost per order."""
    runs = counts["runs"]
    per = lambda value: value / runs  # noqa: E731
    tasks = counts["transitions"] - 2 * runs  # every state but the Choice and the final Pass
    events = collections.Counter(e.detail_type for e in counts["published"])
    reach = _consumers()
    async_invocations = sum(n * reach.get(kind, 0) for kind, n in events.items())
    ddb = {op: n for (service, op), n in counts["calls"].items() if service == "dynamodb"}
    step_seconds = statistics.mean(counts["durations"])
    lambdas = 1 + per(tasks) + per(async_invocations)  # API function + steps + consumers
    cost = {
        "API Gateway": PRICE["api_request"],
        "Lambda requests": lambdas * PRICE["lambda_request"],
        "Lambda duration": (step_seconds + 0.05 * per(async_invocations))
        * LAMBDA_GB
        * PRICE["lambda_gb_s"],
        "Step Functions EXPRESS": PRICE["express_request"]
        + max(0.1, step_seconds) * 0.064 * PRICE["express_gb_s"],
        "DynamoDB": per(counts["units"]["wru"]) * PRICE["wru"]
        + per(counts["units"]["rru"]) * PRICE["rru"],
        "EventBridge": per(sum(events.values())) * PRICE["event"],
        "SES": PRICE["email"],
    }
    total = sum(cost.values())
    steps, consumers, moves = per(tasks), per(async_invocations), per(counts["transitions"])
    lines = [
        f"  Lambda invocations: {lambdas:.1f} (1 API + {steps:.0f} saga steps"
        f" + {consumers:.1f} event consumers)",
        f"  state transitions: {moves:.0f} (as STANDARD: {moves:.0f} x $0.000025"
        f" = ${moves * PRICE['standard_transition']:.6f})",
        f"  DynamoDB requests: {per(sum(ddb.values())):.0f} ("
        + ", ".join(f"{op} {per(n):.1f}" for op, n in sorted(ddb.items()))
        + f"); {per(counts['units']['wru']):.0f} WRU, {per(counts['units']['rru']):.1f} RRU",
        f"  events published: {per(sum(events.values())):.0f} ("
        + ", ".join(f"{k} {per(n):.0f}" for k, n in sorted(events.items()))
        + ")",
        f"  AWS cost per order: ${total:.6f} (${total * 1_000_000:,.0f} per million orders)",
    ]
    lines += [f"    {name:<24} ${value:.6f}" for name, value in cost.items()]
    return lines


def http_latency(api: str, staff_token: str, n: int = 30) -> tuple[float, float]:
    """POST /checkout p50/p95 in ms: ``n`` fresh customers buy one unit of a new offer."""
    from shopper import new_customer, new_offer

    offer = new_offer(api, staff_token)
    samples = []
    for _ in range(n):
        buyer = new_customer(api)
        buyer.add(offer["productId"], offer["sellerId"], 1)
        began = time.perf_counter()
        buyer.checkout([{"method": "card", "card": {"number": "4242424242424242"}}])
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return samples[len(samples) // 2], samples[
        min(len(samples) - 1, round(0.95 * (len(samples) - 1)))
    ]


def _capacity(operation: str, params: dict, units: dict) -> None:
    """Request units of one DynamoDB call, items taken as under 1 KB (writes) and 4 KB (reads)."""
    if operation == "TransactWriteItems":
        units["wru"] += 2 * len(params["TransactItems"])
    elif operation in ("PutItem", "UpdateItem", "DeleteItem"):
        units["wru"] += 1
    elif operation == "BatchWriteItem":
        units["wru"] += sum(len(v) for v in params["RequestItems"].values())
    elif operation == "GetItem":
        units["rru"] += 1 if params.get("ConsistentRead") else 0.5
    elif operation == "BatchGetItem":
        for request in params["RequestItems"].values():
            units["rru"] += len(request["Keys"]) * (1 if request.get("ConsistentRead") else 0.5)
    elif operation in ("Query", "Scan"):
        units["rru"] += 1 if params.get("ConsistentRead") else 0.5


if __name__ == "__main__":
    # Run apart (``python -m bench.checkout``): the unit tests' environment and moto stay out
    # of the benchmark's own process, whose later sections talk to the local cloud.
    print("\n".join(report(per_checkout())))
