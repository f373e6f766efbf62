"""Applying to sell on moto, through the API's handler: the CPF's and CNPJ's check digits,
the payout account's rules, the shop's slug, one open application per account and one
seller per document and shop name, staff's queue and decisions with the claims they hold
and release, a stale decision refused, and outsiders."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from apigw import call
from sellers import api as sellers_api
from sellers import domain, service, settings
from tests.unit.shop import ANA, BIA, STAFF
from tests.unit.tables import create_tables
from titan.auth import Principal

CPF = "52998224725"  # valid check digits
CNPJ = "11222333000181"
BUCKET = "titan-test-seller-documents"


def application(**changes) -> dict:
    body = {
        "legalType": "PERSON",
        "document": "529.982.247-25",
        "legalName": "Ana Maria Souza",
        "shopName": "Cantinho da Ana",
        "address": {
            "street": "Rua das Flores", "number": "120", "district": "Centro",
            "city": "Campinas", "state": "SP", "postalCode": "13010-001",
        },
        "bank": {
            "bankCode": "341", "branch": "0912", "account": "12345-6",
            "accountType": "CHECKING", "holderName": "Ana Maria Souza",
            "holderDocument": CPF,
        },
    }  # fmt: skip
    for key, value in changes.items():
        if isinstance(value, dict) and key in body:
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


@pytest.fixture
def onboarding(monkeypatch):
    with mock_aws():
        create_tables("SellersTable")
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        boto3.client("events").create_event_bus(Name="titan-test")
        update = {"seller_documents_bucket": BUCKET}
        monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(update=update))
        yield


def api(method, path, body=None, who=ANA):
    return call(sellers_api.handler, method, path, body, authorizer=who)


def test_check_digits_of_cpf_and_cnpj():
    assert domain.check_document("PERSON", "529.982.247-25") == CPF
    assert domain.check_document("COMPANY", "11.222.333/0001-81") == CNPJ
    for legal_type, wrong in [
        ("PERSON", "52998224726"),
        ("PERSON", "11111111111"),
        ("PERSON", CNPJ),
        ("COMPANY", "11222333000182"),
        ("COMPANY", "00000000000000"),
        ("COMPANY", CPF),
    ]:
        with pytest.raises(domain.Refused) as refused:
            domain.check_document(legal_type, wrong)
        assert (refused.value.code, refused.value.field) == ("DOCUMENT_INVALID", "document")


def test_payout_account_rules_and_slugs():
    good = application()["bank"]
    assert domain.check_bank(good, CPF)["bankName"] == "Itaú Unibanco"
    for change, code in [
        ({"bankCode": "999"}, "BANK_UNKNOWN"),
        ({"branch": "12"}, "BRANCH_INVALID"),
        ({"account": "123456"}, "ACCOUNT_INVALID"),
        ({"holderDocument": "39053344705"}, "HOLDER_MISMATCH"),
    ]:
        with pytest.raises(domain.Refused) as refused:
            domain.check_bank({**good, **change}, CPF)
        assert refused.value.code == code
    assert domain.slug("  Café & Cia. Ltda ") == "cafe-cia-ltda"
    assert domain.slug("Loja Nº 1 — São Paulo") == "loja-no-1-sao-paulo"
    with pytest.raises(domain.Refused):
        domain.slug("!!")


def test_states_move_only_as_the_rules_say():
    assert domain.next_status("SUBMITTED", "review") == "IN_REVIEW"
    assert domain.next_status("NEEDS_INFO", "resubmit") == "SUBMITTED"
    for status, action in [("SUBMITTED", "approve"), ("REJECTED", "review"),
                           ("APPROVED", "reject"), ("SUBMITTED", "request_info")]:  # fmt: skip
        with pytest.raises(domain.Refused):
            domain.next_status(status, action)


def test_an_application_is_checked_and_holds_its_document_and_shop_name(onboarding):
    status, _, form = api("POST", "/seller-applications/documents", {"contentType": "image/png"})
    assert status == 201 and form["key"].startswith(f"uploads/{ANA['principalId']}/")
    boto3.client("s3").put_object(
        Bucket=BUCKET, Key=form["key"], Body=b"\x89PNG", ContentType="image/png"
    )
    wrong = api("POST", "/seller-applications", application(document="529.982.247-26"))
    assert wrong[0] == 422 and wrong[2]["code"] == "DOCUMENT_INVALID"
    assert wrong[2]["errors"][0]["location"] == "body.document"
    not_hers = api(
        "POST", "/seller-applications", application(bank={"holderDocument": "39053344705"})
    )
    assert not_hers[0] == 422 and not_hers[2]["code"] == "HOLDER_MISMATCH"
    foreign = api(
        "POST", "/seller-applications", application(documents=["uploads/acct_x/doc_1.pdf"])
    )
    assert foreign[0] == 422 and foreign[2]["code"] == "DOCUMENT_NOT_FOUND"
    status, _, made = api("POST", "/seller-applications", application(documents=[form["key"]]))
    assert status == 201, made
    assert (made["status"], made["slug"], made["document"]) == ("SUBMITTED", "cantinho-da-ana", CPF)
    assert made["bank"]["account"] == "•••45-6" and made["bank"]["bankName"] == "Itaú Unibanco"
    again = api("POST", "/seller-applications", application(shopName="Outra Loja"))
    assert again[0] == 409 and again[2]["code"] == "APPLICATION_OPEN"
    same_doc = api("POST", "/seller-applications", application(shopName="Outra Loja"), BIA)
    assert same_doc[0] == 409 and same_doc[2]["code"] == "DOCUMENT_IN_USE"
    company = application(legalType="COMPANY", document=CNPJ, legalName="Cantinho Ltda",
                          bank={"holderDocument": CNPJ})  # fmt: skip
    same_name = api(
        "POST", "/seller-applications", {**company, "shopName": "Cantinho da ANA!"}, BIA
    )
    assert same_name[0] == 409 and same_name[2]["code"] == "SHOP_NAME_TAKEN"
    assert (
        api("POST", "/seller-applications", {**company, "shopName": "Cantinho SA"}, BIA)[0] == 201
    )
    assert api("GET", f"/seller-applications/{made['applicationId']}", who=BIA)[0] == 404
    assert [a["applicationId"] for a in api("GET", "/me/seller-applications")[2]["items"]] == [
        made["applicationId"]
    ]
    seller = {
        "principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8SE11",
        "roles": "seller",
        "sellerId": "f" * 32,
    }
    assert (
        api("POST", "/seller-applications", application(), seller)[2]["code"] == "ALREADY_A_SELLER"
    )


def test_staff_review_ask_for_more_and_reject_which_frees_the_claims(onboarding):
    made = api("POST", "/seller-applications", application())[2]
    path = f"/admin/seller-applications/{made['applicationId']}"
    assert api("GET", "/admin/seller-applications")[0] == 403
    assert api("POST", f"{path}/review")[0] == 403
    queue = api("GET", "/admin/seller-applications", who=STAFF)[2]
    assert [a["applicationId"] for a in queue["items"]] == [made["applicationId"]]
    early = api("POST", f"{path}/request-info", {"note": "?"}, STAFF)
    assert early[0] == 409 and early[2]["code"] == "INVALID_TRANSITION"
    assert api("POST", f"{path}/review", who=STAFF)[2]["status"] == "IN_REVIEW"
    asked = api("POST", f"{path}/request-info", {"note": "Send a clearer photo of your RG."}, STAFF)
    assert asked[2]["status"] == "NEEDS_INFO" and asked[2]["note"].startswith("Send")
    # Bia can now take "Cantinho da Ana"'s old name once Ana renames her shop.
    status, _, back = api(
        "PUT", f"/seller-applications/{made['applicationId']}", application(shopName="Ana Doces")
    )
    assert status == 200 and (back["status"], back["slug"]) == ("SUBMITTED", "ana-doces")
    assert [h["status"] for h in back["history"]] == [
        "SUBMITTED",
        "IN_REVIEW",
        "NEEDS_INFO",
        "SUBMITTED",
    ]
    company = application(legalType="COMPANY", document=CNPJ, legalName="Cantinho Ltda",
                          bank={"holderDocument": CNPJ})  # fmt: skip
    assert api("POST", "/seller-applications", company, BIA)[0] == 201  # the old name is free
    stale = service.application(
        Principal(STAFF["principalId"], frozenset({"staff"})), made["applicationId"]
    )
    api("POST", f"{path}/review", who=STAFF)
    with pytest.raises(Exception) as lost:  # a second staff member decided on what they read
        service._move(stale, "reject", STAFF["principalId"], reasons=["OTHER"])
    assert getattr(lost.value, "code", None) == "APPLICATION_CHANGED"
    rejected = api(
        "POST", f"{path}/reject", {"reasons": ["DOCUMENT_UNREADABLE"], "note": "Blurred"}, STAFF
    )
    assert rejected[2]["status"] == "REJECTED" and rejected[2]["reasons"] == ["DOCUMENT_UNREADABLE"]
    assert (
        api("POST", f"{path}/reject", {"reasons": ["OTHER"]}, STAFF)[2]["code"]
        == "INVALID_TRANSITION"
    )
    # Rejected: Ana may apply again with the same CPF and name.
    assert api("POST", "/seller-applications", application(shopName="Ana Doces"))[0] == 201
    bad = api("POST", f"{path}/reject", {"reasons": ["BECAUSE"]}, STAFF)
    assert bad[0] == 422
