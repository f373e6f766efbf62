"""Identity over HTTP through API Gateway and the token authorizer, as clients see it."""

import base64
import json
import time
import uuid

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

ADDRESS = {
    "recipientName": "Ana Souza",
    "street": "Av. Paulista",
    "number": "1578",
    "city": "São Paulo",
    "state": "SP",
    "postalCode": "01310-200",
}


class Session:
    def __init__(self, api_url: str):
        self.api = api_url
        self.http = requests.Session()
        self.token = None

    def call(self, method, path, body=None, token=None, **kwargs):
        headers = {}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        return self.http.request(
            method, self.api + path, json=body, headers=headers, timeout=30, **kwargs
        )


def _email() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def customer(api_url):
    """A registered, signed-in customer."""
    session = Session(api_url)
    email, password = _email(), "correct horse battery"
    created = session.call(
        "POST", "/auth/register", {"email": email, "password": password, "name": "Ana"}
    )
    assert created.status_code == 201, created.text
    tokens = session.call("POST", "/auth/login", {"email": email, "password": password}).json()
    session.token = tokens["accessToken"]
    session.refresh_token = tokens["refreshToken"]
    session.email, session.password = email, password
    session.account_id = created.json()["customerId"]
    return session


def test_register_login_me_address_refresh_logout(customer):
    me = customer.call("GET", "/me")
    assert me.status_code == 200 and me.json()["email"] == customer.email
    added = customer.call("POST", "/me/addresses", ADDRESS)
    assert added.status_code == 201
    address_id = added.json()["addressId"]
    listed = customer.call("GET", "/me/addresses").json()["items"]
    assert [a["addressId"] for a in listed if a["isDefault"]] == [address_id]
    refreshed = customer.call("POST", "/auth/refresh", {"refreshToken": customer.refresh_token})
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert customer.call("GET", "/me", token=new["accessToken"]).status_code == 200
    reused = customer.call("POST", "/auth/refresh", {"refreshToken": customer.refresh_token})
    assert (reused.status_code, reused.json()["code"]) == (401, "REFRESH_TOKEN_REUSED")
    assert (
        customer.call("POST", "/auth/logout", {"refreshToken": new["refreshToken"]}).status_code
        == 204
    )
    assert (
        customer.call("POST", "/auth/refresh", {"refreshToken": new["refreshToken"]}).status_code
        == 401
    )


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _signing_keys(cloud, aws) -> KeySet:
    from localcloud import cloud as local

    (arn,) = [
        r["PhysicalResourceId"]
        for r in local.stack_resources(cloud["StackName"])
        if r["LogicalResourceId"] == "SigningKeysSecret"  # in the identity context's stack
    ]
    document = json.loads(aws("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    return KeySet.import_key_set({"keys": document["keys"]}), document["active"]


def test_forged_expired_and_unsigned_tokens_get_401(customer, cloud, aws):
    keys, active = _signing_keys(cloud, aws)
    key = next(k for k in keys.keys if k.kid == active)
    claims = jwt.decode(customer.token, keys).claims
    expired = jwt.encode(
        {"alg": "ES256", "kid": active},
        {**claims, "iat": int(time.time()) - 3600, "exp": int(time.time()) - 1800},
        key,
    )
    wrong_key = jwt.encode({"alg": "ES256", "kid": active}, claims, ECKey.generate_key("P-256"))
    header, payload, signature = customer.token.split(".")
    tampered = f"{header}.{_b64({**claims, 'roles': 'admin'})}.{signature}"
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    for token in (expired, wrong_key, tampered, unsigned, "garbage"):
        assert customer.call("GET", "/me", token=token).status_code == 401, token
    assert requests.get(customer.api + "/me", timeout=30).status_code == 401  # no token at all
    assert customer.call("GET", "/me").status_code == 200  # the genuine one still works


def test_customers_cannot_reach_each_others_addresses_or_admin_routes(customer, api_url):
    other = Session(api_url)
    email = _email()
    other.call(
        "POST", "/auth/register", {"email": email, "password": "another fine secret", "name": "Bob"}
    )
    other.token = other.call(
        "POST", "/auth/login", {"email": email, "password": "another fine secret"}
    ).json()["accessToken"]
    address_id = customer.call("POST", "/me/addresses", ADDRESS).json()["addressId"]
    assert other.call("GET", f"/me/addresses/{address_id}").status_code == 404
    assert other.call("DELETE", f"/me/addresses/{address_id}").status_code == 404
    assert customer.call("GET", f"/me/addresses/{address_id}").status_code == 200
    forbidden = customer.call("GET", f"/admin/accounts/{customer.account_id}")
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "FORBIDDEN")


def test_the_bootstrap_admin_grants_roles(customer, cloud, api_url):
    admin = Session(api_url)
    signed_in = admin.call(
        "POST", "/auth/login", {"email": cloud["AdminEmail"], "password": cloud["AdminPassword"]}
    )
    assert signed_in.status_code == 200, signed_in.text
    admin.token = signed_in.json()["accessToken"]
    granted = admin.call(
        "POST",
        f"/admin/accounts/{customer.account_id}/roles",
        {"role": "seller", "sellerId": "3442f8959a84dea7ee197c632cb2df15"},
    )
    assert granted.status_code == 200 and "seller" in granted.json()["roles"]
    relogin = customer.call(
        "POST", "/auth/login", {"email": customer.email, "password": customer.password}
    ).json()
    me = customer.call("GET", "/me", token=relogin["accessToken"]).json()
    assert me["sellerId"] == "3442f8959a84dea7ee197c632cb2df15"


def test_repeated_failed_logins_are_throttled(api_url):
    session = Session(api_url)
    email = _email()
    session.call(
        "POST", "/auth/register", {"email": email, "password": "the right password", "name": "Cy"}
    )
    codes = [
        session.call(
            "POST", "/auth/login", {"email": email, "password": "wrong guess!"}
        ).status_code
        for _ in range(5)
    ]
    assert codes == [401] * 5
    locked = session.call("POST", "/auth/login", {"email": email, "password": "the right password"})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert locked.json()["code"] == "RATE_LIMITED"


def test_guesses_sent_at_once_meet_the_same_lock_as_one_at_a_time(api_url):
    """8 wrong passwords at once: 5 are checked (401), the rest are refused unchecked (429),
    and the account is locked for the right password too."""
    from concurrent.futures import ThreadPoolExecutor

    email = _email()
    Session(api_url).call(
        "POST", "/auth/register", {"email": email, "password": "the right password", "name": "Di"}
    )

    def guess(n: int) -> int:
        body = {"email": email, "password": f"wrong guess {n}!"}
        return Session(api_url).call("POST", "/auth/login", body).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(guess, range(8)))
    assert codes == [401] * 5 + [429] * 3
    right = Session(api_url).call(
        "POST", "/auth/login", {"email": email, "password": "the right password"}
    )
    assert right.status_code == 429
