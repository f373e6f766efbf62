"""Applying to sell over HTTP on the local cloud: an account applies with its documents
uploaded to S3, staff review, ask for more, and approve through the approval saga; the
applicant, signed in again, acts for the new seller (the catalog knows the seller, the ledger
its balance) and was told at each step in their inbox."""

from __future__ import annotations

import random
import uuid

import pytest
import requests

from localcloud import seed
from shopper import TEST_ADDRESS, Shopper
from tests.e2e import polling


def cpf() -> str:
    """A random CPF with correct check digits."""
    digits = [random.randint(0, 9) for _ in range(9)]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=False))
        digits.append(total * 10 % 11 % 10)
    return "".join(map(str, digits))


@pytest.fixture(scope="module")
def staff(cloud, api_url) -> Shopper:
    return Shopper(api_url, token=seed.admin_token(api_url, cloud))


def test_an_account_applies_staff_approve_and_it_sells(api_url, staff):
    email, password = f"applicant-{uuid.uuid4().hex[:10]}@example.com", "green shop opens 42"
    ana = Shopper(api_url).register(email, "Ana Souza", TEST_ADDRESS, password)
    form = ana.call("POST", "/seller-applications/documents", {"contentType": "application/pdf"})
    upload = form.json()
    sent = requests.post(
        upload["url"], data=upload["fields"], files={"file": ("rg.pdf", b"%PDF-1.4 rg")}, timeout=30
    )
    assert sent.status_code in (200, 204), sent.text
    document = cpf()
    body = {
        "legalType": "PERSON", "document": document, "legalName": "Ana Souza",
        "shopName": f"Doces da Ana {uuid.uuid4().hex[:6]}",
        "address": {"street": "Rua A", "number": "1", "district": "Centro", "city": "Campinas",
                    "state": "SP", "postalCode": "13010-001"},
        "bank": {"bankCode": "260", "branch": "0001", "account": "1234567-8",
                 "accountType": "PAYMENT", "holderName": "Ana Souza", "holderDocument": document},
        "documents": [upload["key"]],
    }  # fmt: skip
    wrong = ana.call(
        "POST", "/seller-applications", {**body, "document": "12345678900"}, expect=(422,)
    )
    assert wrong.json()["code"] == "DOCUMENT_INVALID"
    made = ana.call("POST", "/seller-applications", body, expect=(201,)).json()
    path = f"/admin/seller-applications/{made['applicationId']}"
    assert ana.call("POST", f"{path}/approve", expect=(403,)).json()["code"] == "FORBIDDEN"
    staff.call("POST", f"{path}/review")
    staff.call("POST", f"{path}/request-info", {"note": "Send a proof of address."})
    again = ana.call("PUT", f"/seller-applications/{made['applicationId']}", body).json()
    assert again["status"] == "SUBMITTED"
    staff.call("POST", f"{path}/review")
    approved = staff.call("POST", f"{path}/approve").json()
    assert approved["status"] == "APPROVED" and len(approved["sellerId"]) == 32
    seller_id = approved["sellerId"]
    # The next access token carries the role; the catalog and the ledger know the seller.
    token = Shopper(api_url).call("POST", "/auth/login", {"email": email, "password": password})
    ana.token = token.json()["accessToken"]
    me = ana.call("GET", "/me").json()
    assert "seller" in me["roles"]
    assert staff.call("GET", f"/sellers/{seller_id}").json()["sellerId"] == seller_id
    balance = ana.call("GET", f"/sellers/{seller_id}/balance").json()
    assert balance["available"]["amount"] == 0
    told = polling.until(
        lambda: ana.call("GET", "/me/notifications").json()["items"],
        lambda items: {"seller_info_requested", "seller_approved"} <= {n["kind"] for n in items},
        "the applicant told of the request and the approval",
        90,
    )
    approval = next(n for n in told if n["kind"] == "seller_approved")
    assert approval["link"] == f"/seller-applications/{made['applicationId']}"
