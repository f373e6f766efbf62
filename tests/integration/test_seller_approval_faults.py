"""Fault injection into the real seller approval state machine on the local cloud: for each
forward step, a copy of statemachines/seller_approval.asl.json with that Task pointed at a
function that always fails (the others at the stack's steps functions), run with
StartSyncExecution on an application in review. After each failure nothing is half-done:
no seller in the catalog, no ledger account, no seller role in the applicant's next token,
the application still in review; staff's approval afterwards succeeds."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from localcloud import seed
from sellers.service import seller_id_of
from shopper import TEST_ADDRESS, Shopper
from tests.e2e.selling import application, cpf
from tests.integration.faults import failing_function, machine_with_fault, step_arns

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "seller_approval.asl.json").read_text())
FORWARD = [n for n, s in ASL["States"].items() if s["Type"] == "Task" and "Catch" in s]
PASSWORD = "green shop opens 42"


@pytest.fixture(scope="module")
def world(cloud, aws, api_url):
    with failing_function(aws, "approval") as fault:
        yield {
            "arns": step_arns(aws),
            "fault": fault,
            "staff": Shopper(api_url, token=seed.admin_token(api_url, cloud)),
        }


def test_the_forward_steps_are_the_four_the_saga_names():
    assert FORWARD == ["RegisterSeller", "OpenAccounts", "GrantRole", "Finish"]


@pytest.mark.parametrize("failing", FORWARD)
def test_a_fault_in_a_step_leaves_no_seller_anywhere(cloud, aws, api_url, world, failing):
    staff = world["staff"]
    email = f"fault-{uuid.uuid4().hex[:10]}@example.com"
    ana = Shopper(api_url).register(email, "Ana Souza", TEST_ADDRESS, PASSWORD)
    made = ana.call("POST", "/seller-applications", application(cpf()), expect=(201,)).json()
    path = f"/admin/seller-applications/{made['applicationId']}"
    staff.call("POST", f"{path}/review")
    seller_id = seller_id_of(made["applicationId"])
    item = aws("dynamodb").get_item(
        TableName=cloud["SellersTableName"],
        Key={"pk": {"S": f"APP#{made['applicationId']}"}, "sk": {"S": "APP"}},
        ConsistentRead=True,
    )["Item"]
    state = {
        "applicationId": made["applicationId"],
        "version": int(item["version"]["N"]),  # the version staff approve
        "sellerId": seller_id,
        "accountId": ana.account_id,
        "staffId": "acct_fault_test",
        "city": "Campinas",
        "state": "SP",
        "zipPrefix": "13010",
        "currency": "BRL",
    }
    with machine_with_fault(aws, ASL, world["arns"], world["fault"], failing) as machine:
        sfn = aws("stepfunctions", inject_host_prefix=False)
        result = sfn.start_sync_execution(stateMachineArn=machine, input=json.dumps(state))
    assert (result["status"], result.get("error")) == ("FAILED", "RuntimeError"), result

    staff.call("GET", f"/sellers/{seller_id}", expect=(404,))  # not in the catalog
    accounts = aws("dynamodb").query(
        TableName=cloud["LedgerTableName"],
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"ACCOUNT#seller:{seller_id}"}},
    )["Items"]
    assert accounts == []  # no ledger account
    token = Shopper(api_url).call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    ana.token = token.json()["accessToken"]
    assert "seller" not in ana.call("GET", "/me").json()["roles"]
    read = f"/seller-applications/{made['applicationId']}"
    assert staff.call("GET", read).json()["status"] == "IN_REVIEW"
    Shopper(api_url).call("GET", f"/shops/{made['slug']}", expect=(404,))

    approved = staff.call("POST", f"{path}/approve").json()  # the real saga, no fault
    assert (approved["status"], approved["sellerId"]) == ("APPROVED", seller_id)
