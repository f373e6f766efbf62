"""Fault injection into the real checkout state machine on the local cloud.

For each forward step, a copy of statemachines/checkout.asl.json is deployed with that one
Task pointed at a function that always fails (the others at the stack's real step functions)
and run with StartSyncExecution on a real cart. After each failure: no stock stays reserved
or sold, no payment stays authorized or captured, the coupon use is given back, and the order,
if it was written, is CANCELLED."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from ulid import ULID

from localcloud import seed
from shopper import Shopper, new_customer, new_offer
from tests.integration.faults import failing_function, machine_with_fault, step_arns

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "checkout.asl.json").read_text())
#: The forward steps of a cart checkout (a flash-sale checkout's claim is unit-tested).
FORWARD = [
    n
    for n, s in ASL["States"].items()
    if s["Type"] == "Task" and "Catch" in s and n != "ClaimReservation"
]


@pytest.fixture(scope="module")
def world(cloud, aws, api_url):
    """The stack's step function ARNs, a failing function, an offer, a coupon."""
    staff_token = seed.admin_token(api_url, cloud)
    offer = new_offer(api_url, staff_token)
    code = f"FAULT{uuid.uuid4().hex[:6].upper()}"
    Shopper(api_url, token=staff_token).call(
        "POST", "/admin/coupons", {"code": code, "type": "percentage", "value": 1000}
    )
    with failing_function(aws, "checkout") as fault:
        yield {
            "arns": step_arns(aws),
            "fault": fault,
            "offer": offer,
            "coupon": code,
            "staff": staff_token,
        }


@pytest.mark.parametrize("failing", FORWARD)
def test_a_fault_in_a_step_leaves_nothing_held_or_charged(cloud, aws, api_url, world, failing):
    offer, staff = world["offer"], Shopper(api_url, token=world["staff"])
    before = staff.call("GET", f"/inventory/offers/{offer['offerId']}").json()["warehouses"][0]
    buyer = new_customer(api_url)
    buyer.add(offer["productId"], offer["sellerId"], 2)
    checkout_id = f"chk_{ULID()}"
    state = {
        "checkoutId": checkout_id,
        "orderId": "ord_" + checkout_id[4:],
        "customerId": buyer.account_id,
        "addressId": buyer.address_id,
        "couponCode": world["coupon"],
        "flashReservationId": None,
        "shippingChoices": [],
        "payments": [
            {"method": "boleto"}  # only a boleto checkout reaches PlaceUnpaidOrder
            if failing == "PlaceUnpaidOrder"
            else {"method": "card", "card": {"number": "4242424242424242"}}
        ],
        "holdSeconds": 900,
        "correlationId": f"fault-{failing}",
    }
    with machine_with_fault(aws, ASL, world["arns"], world["fault"], failing) as machine:
        sfn = aws("stepfunctions", inject_host_prefix=False)
        result = sfn.start_sync_execution(stateMachineArn=machine, input=json.dumps(state))
    assert (result["status"], result.get("error")) == ("FAILED", "RuntimeError"), result
    after = staff.call("GET", f"/inventory/offers/{offer['offerId']}").json()["warehouses"][0]
    assert (after["onHand"], after["reserved"]) == (before["onHand"], before["reserved"])
    ddb = aws("dynamodb")
    payments = ddb.query(
        TableName=cloud["PaymentsTableName"],
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :c",
        ExpressionAttributeValues={":c": {"S": f"CHECKOUT#{checkout_id}"}},
    )["Items"]
    assert all(p["status"]["S"] in ("VOIDED", "REFUNDED") for p in payments), payments
    coupon = staff.call("GET", f"/admin/coupons/{world['coupon']}").json()
    assert coupon["used"] == 0
    order = ddb.get_item(
        TableName=cloud["OrdersTableName"],
        Key={"pk": {"S": f"ORDER#{state['orderId']}"}, "sk": {"S": "ORDER"}},
    ).get("Item")
    assert order is None or order["status"]["S"] == "CANCELLED"
    assert len(buyer.call("GET", "/cart").json()["lines"]) == 1  # the cart stays
