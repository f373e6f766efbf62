"""Staff approve an application through the seller approval saga (the ASL run in-process
on moto): the seller in the catalog, its ledger account, the applicant's seller role, the
application APPROVED and SellerApproved published; and all or nothing when a step keeps
failing or the application changes meanwhile."""

from __future__ import annotations

import json

import pytest

from apigw import call
from sellers import api as sellers_api
from sellers import service, settings
from tests.unit.asl import ROOT, Failed, run_saga
from tests.unit.sellers_tests.test_onboarding import BUCKET, application
from tests.unit.shop import ANA, STAFF

ASL = json.loads((ROOT / "statemachines" / "seller_approval.asl.json").read_text())


def api(method, path, body=None, who=ANA):
    return call(sellers_api.handler, method, path, body, authorizer=who)


def _handlers(faults: dict[str, object] | None = None) -> dict:
    from catalog import steps as catalog
    from identity import steps as identity
    from ledger import steps as ledger
    from sellers import steps as sellers

    modules = {
        "CatalogSteps": catalog,
        "LedgerSteps": ledger,
        "IdentitySteps": identity,
        "SellersSteps": sellers,
    }
    handlers = {
        name: (lambda event, m=m: m.handler.actions[event["action"]](event))
        for name, m in modules.items()
    }
    for name, fault in (faults or {}).items():
        handlers[name] = fault(handlers[name])
    return handlers


@pytest.fixture
def approvals(world, monkeypatch):
    import boto3

    boto3.client("s3").create_bucket(Bucket=BUCKET)
    update = {"seller_documents_bucket": BUCKET}
    monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(update=update))
    faults: dict = {}

    def saga(state_input: dict) -> dict:
        try:
            output = run_saga(_handlers(faults), state_input, asl=ASL)
        except Failed as failed:
            return {"status": "FAILED", "error": failed.error, "cause": failed.cause}
        return {"status": "SUCCEEDED", "output": json.dumps(output)}

    monkeypatch.setattr(service, "_run_saga", saga)
    made = api("POST", "/seller-applications", application())[2]
    path = f"/admin/seller-applications/{made['applicationId']}"
    api("POST", f"{path}/review", who=STAFF)
    world.faults, world.path, world.application_id = faults, path, made["applicationId"]
    return world


def _nothing_left(world) -> None:
    from catalog.store import Seller
    from identity.store import Account
    from ledger.store import Account as LedgerAccount

    seller_id = service.seller_id_of(world.application_id)
    assert Seller.count(*Seller.key(seller_id)[:1]) == 0
    assert LedgerAccount.count(f"ACCOUNT#seller:{seller_id}") == 0
    account = Account.get(*Account.key(ANA["principalId"]))
    assert "seller" not in account.roles and account.seller_id is None
    assert api("GET", f"/seller-applications/{world.application_id}")[2]["status"] == "IN_REVIEW"
    assert not world.of("SellerApproved")


def test_approval_makes_the_seller_in_every_context(approvals):
    from catalog.store import Seller
    from identity.store import Account
    from ledger import service as ledger

    assert api("POST", f"{approvals.path}/approve")[0] == 403
    status, _, approved = api("POST", f"{approvals.path}/approve", who=STAFF)
    assert status == 200, approved
    seller_id = service.seller_id_of(approvals.application_id)
    assert approved["status"] == "APPROVED" and approved["sellerId"] == seller_id
    assert Seller.get(*Seller.key(seller_id)).city == "Campinas"
    assert ledger.balance(f"seller:{seller_id}") == 0
    account = Account.get(*Account.key(ANA["principalId"]))
    assert "seller" in account.roles and account.seller_id == seller_id
    (event,) = approvals.of("SellerApproved")
    assert event.payload.slug == "cantinho-da-ana" and event.payload.accountId == ANA["principalId"]
    again = api("POST", f"{approvals.path}/approve", who=STAFF)
    assert again[0] == 409 and again[2]["code"] == "INVALID_TRANSITION"


def _always(kind: str):
    def wrap(handler):
        def failing(event):
            if event.get("action") == kind:
                raise RuntimeError(f"{kind} is down")
            return handler(event)

        return failing

    return wrap


@pytest.mark.parametrize(
    ("step", "action"),
    [
        ("CatalogSteps", "registerSeller"),
        ("LedgerSteps", "openSellerAccounts"),
        ("IdentitySteps", "grantSeller"),
        ("SellersSteps", "finishApproval"),
    ],
)
def test_a_step_that_keeps_failing_leaves_nothing_half_done(approvals, step, action):
    approvals.faults[step] = _always(action)
    status, _, problem = api("POST", f"{approvals.path}/approve", who=STAFF)
    assert (status, problem["code"]) == (503, "APPROVAL_FAILED")
    _nothing_left(approvals)
    approvals.faults.clear()  # the fault passes: staff approve again
    assert api("POST", f"{approvals.path}/approve", who=STAFF)[2]["status"] == "APPROVED"


def test_an_application_changed_during_the_approval_is_not_approved(approvals):
    def rejecting_first(handler):
        def step(event):
            if event.get("action") == "finishApproval":
                api("POST", f"{approvals.path}/reject", {"reasons": ["OTHER"]}, STAFF)
            return handler(event)

        return step

    approvals.faults["SellersSteps"] = rejecting_first
    status, _, problem = api("POST", f"{approvals.path}/approve", who=STAFF)
    assert (status, problem["code"]) == (409, "APPLICATION_CHANGED")
    from identity.store import Account

    assert "seller" not in Account.get(*Account.key(ANA["principalId"])).roles
    assert api("GET", f"/seller-applications/{approvals.application_id}")[2]["status"] == "REJECTED"
