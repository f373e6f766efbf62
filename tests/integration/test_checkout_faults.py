"""Fault injection into the real checkout state machine on the local cloud.

For each forward step, a copy of statemachines/checkout.asl.json is deployed with that one
Task pointed at a function that always fails (the others at the stack's real step functions)
and run with StartSyncExecution on a real cart. After each failure: no stock stays reserved
or sold, no payment stays authorized or captured, the coupon use is given back, and the order,
if it was written, is CANCELLED."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from ulid import ULID

from localcloud import seed
from shopper import Shopper, new_customer, new_offer

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "checkout.asl.json").read_text())
#: The forward steps of a cart checkout (a flash-sale checkout's claim is unit-tested).
FORWARD = [
    n
    for n, s in ASL["States"].items()
    if s["Type"] == "Task" and "Catch" in s and n != "ClaimReservation"
]
FAULT = "def handler(event, context):\n    raise RuntimeError('injected fault')\n"


@pytest.fixture(scope="module")
def world(cloud, aws, api_url):
    """The stack's step function ARNs, a failing function, an offer, a coupon."""
    lam = aws("lambda")
    from localcloud import cloud as local

    names = local.stack_functions()
    arns = {
        key.removesuffix("Function"): lam.get_function(FunctionName=name)["Configuration"][
            "FunctionArn"
        ]
        for key, name in names.items()
        if key.endswith("StepsFunction")
    }
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("fault.py", FAULT)
    fault_name = f"checkout-fault-{uuid.uuid4().hex[:8]}"
    fault = lam.create_function(
        FunctionName=fault_name,
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/fault",
        Handler="fault.handler",
        Code={"ZipFile": archive.getvalue()},
        Timeout=5,
    )["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=fault_name)
    staff_token = seed.admin_token(api_url, cloud)
    offer = new_offer(api_url, staff_token)
    code = f"FAULT{uuid.uuid4().hex[:6].upper()}"
    Shopper(api_url, token=staff_token).call(
        "POST", "/admin/coupons", {"code": code, "type": "percentage", "value": 1000}
    )
    yield {"arns": arns, "fault": fault, "offer": offer, "coupon": code, "staff": staff_token}
    lam.delete_function(FunctionName=fault_name)


def _machine(aws, world, failing: str) -> str:
    """A state machine like the checkout's, with the Task ``failing`` pointed at the fault."""
    states = json.loads(json.dumps(ASL))
    for name, state in states["States"].items():
        if state["Type"] != "Task":
            continue
        function = re.fullmatch(r"\$\{(\w+)\}", state["Resource"]).group(1)
        state["Resource"] = world["fault"] if name == failing else world["arns"][function]
    return aws("stepfunctions").create_state_machine(
        name=f"checkout-fault-{failing}-{uuid.uuid4().hex[:6]}",
        definition=json.dumps(states),
        roleArn="arn:aws:iam::000000000000:role/fault",
        type="EXPRESS",
    )["stateMachineArn"]


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
    machine = _machine(aws, world, failing)
    try:
        sfn = aws("stepfunctions", inject_host_prefix=False)
        result = sfn.start_sync_execution(stateMachineArn=machine, input=json.dumps(state))
    finally:
        aws("stepfunctions").delete_state_machine(stateMachineArn=machine)
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
