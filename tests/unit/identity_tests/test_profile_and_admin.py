"""Profile, addresses (other accounts' are invisible), roles, provisioning."""

import json

import boto3
import pytest

from identity import provisioning
from tests.unit.identity_tests.conftest import login, register
from titan.ids import new_id
from titan.saga import StepRefused

ADDRESS = {
    "recipientName": "Ana Souza",
    "street": "Av. Paulista",
    "number": "1578",
    "city": "São Paulo",
    "state": "sp",
    "postalCode": "01310200",
}


def test_profile_read_and_update(api):
    account_id = register(api)
    status, _, me = api("GET", "/me", as_user=account_id)
    assert status == 200
    assert (me["email"], me["name"], me["roles"]) == ("ana@example.com", "Ana", ["customer"])
    assert api("PATCH", "/me", {"name": "Ana S."}, as_user=account_id)[2]["name"] == "Ana S."
    assert api("GET", "/me")[0] == 401  # no principal: the authorizer did not let it through


def test_addresses_crud_with_one_default(api):
    account_id = register(api)
    status, _, first = api("POST", "/me/addresses", ADDRESS, as_user=account_id)
    assert status == 201
    stored = api("GET", f"/me/addresses/{first['addressId']}", as_user=account_id)[2]
    assert stored["isDefault"] is True  # the first address is the default
    assert (stored["state"], stored["postalCode"]) == ("SP", "01310-200")
    second = api(
        "POST", "/me/addresses", {**ADDRESS, "number": "10", "isDefault": True}, as_user=account_id
    )[2]
    listed = api("GET", "/me/addresses", as_user=account_id)[2]["items"]
    assert [a["addressId"] for a in listed if a["isDefault"]] == [second["addressId"]]
    patched = api(
        "PATCH",
        f"/me/addresses/{first['addressId']}",
        {"complement": "apto 12", "isDefault": True},
        as_user=account_id,
    )[2]
    assert patched["complement"] == "apto 12" and patched["isDefault"]
    listed = api("GET", "/me/addresses", as_user=account_id)[2]["items"]
    assert [a["addressId"] for a in listed if a["isDefault"]] == [first["addressId"]]
    assert api("DELETE", f"/me/addresses/{second['addressId']}", as_user=account_id)[0] == 204
    assert len(api("GET", "/me/addresses", as_user=account_id)[2]["items"]) == 1


def test_invalid_addresses_are_422(api):
    account_id = register(api)
    bad_state = api("POST", "/me/addresses", {**ADDRESS, "state": "XX"}, as_user=account_id)
    assert (bad_state[0], bad_state[2]["code"]) == (422, "INVALID_ADDRESS")
    bad_cep = api(
        "POST", "/me/addresses", {**ADDRESS, "postalCode": "0131-020"}, as_user=account_id
    )
    assert bad_cep[0] == 422
    assert api("POST", "/me/addresses", {"street": "x"}, as_user=account_id)[0] == 422


def test_customers_cannot_see_each_others_addresses(api):
    ana = register(api)
    bob = register(api, email="bob@example.com", name="Bob")
    address_id = api("POST", "/me/addresses", ADDRESS, as_user=ana)[2]["addressId"]
    for method, body in (("GET", None), ("PATCH", {"city": "Rio"}), ("DELETE", None)):
        status, _, problem = api(method, f"/me/addresses/{address_id}", body, as_user=bob)
        assert (status, problem["code"]) == (404, "ADDRESS_NOT_FOUND")
    assert api("GET", f"/me/addresses/{address_id}", as_user=ana)[2]["city"] == "São Paulo"


def test_admin_routes_need_the_admin_role(api):
    customer = register(api)
    status, _, body = api("GET", "/admin/accounts?email=ana@example.com", as_user=customer)
    assert (status, body["code"]) == (403, "FORBIDDEN")
    assert api("GET", f"/admin/accounts/{customer}")[0] == 401


def test_admins_grant_and_revoke_roles(api):
    customer = register(api)
    admin = new_id("acct")
    found = api("GET", "/admin/accounts?email=ANA@example.com", as_user=admin, roles="admin")[2]
    assert found["accountId"] == customer
    no_seller_id = api(
        "POST",
        f"/admin/accounts/{customer}/roles",
        {"role": "seller"},
        as_user=admin,
        roles="admin",
    )
    assert no_seller_id[2]["code"] == "SELLER_ID_REQUIRED"
    granted = api(
        "POST",
        f"/admin/accounts/{customer}/roles",
        {"role": "seller", "sellerId": "3442f8959a84dea7ee197c632cb2df15"},
        as_user=admin,
        roles="admin",
    )[2]
    assert granted["roles"] == ["customer", "seller"]
    token = login(api)[2]["accessToken"]
    from identity.tokens import verify_access_token

    claims = verify_access_token(token)
    assert (claims["roles"], claims["sellerId"]) == (
        "customer,seller",
        "3442f8959a84dea7ee197c632cb2df15",
    )
    revoked = api(
        "DELETE", f"/admin/accounts/{customer}/roles/seller", as_user=admin, roles="admin"
    )[2]
    assert revoked["roles"] == ["customer"] and revoked["sellerId"] is None
    assert (
        api("DELETE", f"/admin/accounts/{customer}/roles/seller", as_user=admin, roles="admin")[0]
        == 404
    )


def test_provisioning_creates_the_admin_once(identity):
    first = provisioning.ensure_admin("admin-credentials", "admin@titan.test")
    again = provisioning.ensure_admin("admin-credentials", "admin@titan.test")
    assert first == again
    stored = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId="admin-credentials")[
            "SecretString"
        ]
    )
    assert stored["email"] == "admin@titan.test" and len(stored["password"]) >= 20
    from identity import service

    tokens = service.login("admin@titan.test", stored["password"], "127.0.0.1")
    from identity.tokens import verify_access_token

    assert verify_access_token(tokens.access_token)["roles"] == "admin,customer,staff"


def test_signing_key_provisioning_is_idempotent(identity):
    import os

    kid = provisioning.ensure_signing_key(os.environ["SIGNING_KEYS_SECRET"], "1")
    assert provisioning.ensure_signing_key(os.environ["SIGNING_KEYS_SECRET"], "1") == kid


def _address_id(api, account_id) -> str:
    status, _, body = api("POST", "/me/addresses", ADDRESS, as_user=account_id)
    assert status == 201, body
    return body["addressId"]


def test_null_for_a_required_address_field_is_422_and_writes_nothing(api):
    account_id = register(api)
    address_id = _address_id(api, account_id)
    path = f"/me/addresses/{address_id}"
    for field in ("number", "street", "recipientName", "city", "state", "postalCode"):
        status, _, body = api(
            "PATCH", path, {field: None, "complement": "apto 2"}, as_user=account_id
        )
        assert (status, body["code"]) == (422, "VALIDATION_FAILED"), field
        assert body["errors"][0]["location"] == f"body.{field}"
    status, _, body = api("GET", path, as_user=account_id)
    assert status == 200 and body["number"] == ADDRESS["number"] and body["complement"] is None
    # null still clears an optional field
    api("PATCH", path, {"complement": "apto 2"}, as_user=account_id)
    assert api("PATCH", path, {"complement": None}, as_user=account_id)[2]["complement"] is None


def test_one_bad_address_record_never_takes_down_the_list_or_a_checkout(api):
    from identity import steps
    from identity.store import Address

    account_id = register(api)
    good, bad = _address_id(api, account_id), _address_id(api, account_id)
    # a record written before the rule: its number is gone
    Address.get(*Address.key(account_id, bad)).update(actions=[Address.number.remove()])
    status, _, body = api("GET", "/me/addresses", as_user=account_id)
    assert status == 200 and [a["addressId"] for a in body["items"]] == [good]
    status, _, body = api("GET", f"/me/addresses/{bad}", as_user=account_id)
    assert (status, body["code"]) == (409, "ADDRESS_INCOMPLETE")
    with pytest.raises(StepRefused) as refused:
        steps.contact({"customerId": account_id, "addressId": bad})
    assert refused.value.code == "ADDRESS_INCOMPLETE"
    # the owner can mend it
    assert api("PATCH", f"/me/addresses/{bad}", {"number": "12"}, as_user=account_id)[0] == 200
    assert len(api("GET", "/me/addresses", as_user=account_id)[2]["items"]) == 2


def test_a_customer_hears_403_on_admin_routes_before_any_validation(api):
    account_id = register(api)
    status, _, body = api("GET", "/admin/accounts", as_user=account_id)  # no ?email=
    assert (status, body["code"]) == (403, "FORBIDDEN")
    status, _, body = api(
        "POST", "/admin/accounts/acct_x/roles", {"role": "emperor"}, as_user=account_id
    )
    assert (status, body["code"]) == (403, "FORBIDDEN")
