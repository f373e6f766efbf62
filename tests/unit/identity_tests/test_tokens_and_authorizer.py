"""Access tokens and the API Gateway authorizer: only genuine, current ES256 tokens pass."""

import base64
import json
import os
import time

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from apigw import FakeContext
from identity import provisioning, tokens
from identity.authorizer import handler as authorize
from tests.unit.identity_tests.conftest import login, register

ARN = "arn:aws:execute-api:us-east-1:000000000000:abc123/local/GET/me"


def _authorize(token: str | None, scheme: str = "Bearer"):
    header = f"{scheme} {token}" if token is not None else ""
    return authorize(
        {"type": "TOKEN", "authorizationToken": header, "methodArn": ARN}, FakeContext()
    )


def _claims(**overrides):
    now = int(time.time())
    return {
        "iss": tokens.issuer(),
        "aud": tokens.AUDIENCE,
        "sub": "acct_x",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        "token_use": "access",
        "roles": "admin",
        **overrides,
    }


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_genuine_token_is_allowed_with_roles_in_the_context(api):
    account_id = register(api)
    access = login(api)[2]["accessToken"]
    result = _authorize(access)
    assert result["principalId"] == account_id
    assert result["context"] == {"roles": "customer"}
    statement = result["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == "arn:aws:execute-api:us-east-1:000000000000:abc123/local/*"


def _active_key() -> ECKey:
    return tokens._load_keys().active


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda k: jwt.encode(
                {"alg": "ES256", "kid": k.kid}, _claims(exp=int(time.time()) - 120), k
            ),
            id="expired",
        ),
        pytest.param(
            lambda k: jwt.encode(
                {"alg": "ES256", "kid": k.kid}, _claims(nbf=int(time.time()) + 3600), k
            ),
            id="not-yet-valid",
        ),
        pytest.param(
            lambda k: jwt.encode({"alg": "ES256", "kid": k.kid}, _claims(aud="someone-else"), k),
            id="wrong-audience",
        ),
        pytest.param(
            lambda k: jwt.encode(
                {"alg": "ES256", "kid": k.kid}, _claims(iss="https://evil.example"), k
            ),
            id="wrong-issuer",
        ),
        pytest.param(
            lambda k: jwt.encode({"alg": "ES256", "kid": k.kid}, _claims(token_use="refresh"), k),
            id="not-an-access-token",
        ),
        pytest.param(
            lambda k: jwt.encode(
                {"alg": "ES256", "kid": k.kid}, _claims(), ECKey.generate_key("P-256")
            ),
            id="wrong-key-same-kid",
        ),
        pytest.param(
            lambda k: jwt.encode(
                {"alg": "ES256", "kid": "key_unknown"},
                _claims(),
                ECKey.generate_key("P-256", parameters={"kid": "key_unknown"}),
            ),
            id="unknown-kid",
        ),
        pytest.param(
            lambda k: f"{_b64({'alg': 'none', 'kid': k.kid})}.{_b64(_claims())}.", id="alg-none"
        ),
        pytest.param(
            lambda k: jwt.encode(
                {"alg": "HS256", "kid": k.kid},
                _claims(),
                OctKey.import_key(json.dumps(k.as_dict(private=False)).encode()),
                algorithms=["HS256"],
            ),
            id="hs256-with-the-public-key",
        ),
        pytest.param(lambda k: "not.a.jwt", id="garbage"),
    ],
)
def test_forged_or_stale_tokens_are_unauthorized(identity, forge):
    token = forge(_active_key())
    with pytest.raises(Exception, match="^Unauthorized$"):
        _authorize(token)


def test_tampered_claims_break_the_signature(api):
    register(api)
    header, payload, signature = login(api)[2]["accessToken"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["roles"] = "admin"
    with pytest.raises(Exception, match="^Unauthorized$"):
        _authorize(f"{header}.{_b64(claims)}.{signature}")


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_bearer_token_is_unauthorized(identity, header):
    with pytest.raises(Exception, match="^Unauthorized$"):
        _authorize(header)
    with pytest.raises(Exception, match="^Unauthorized$"):
        _authorize("abc", scheme="Basic")


def test_rotation_keeps_older_tokens_valid_and_signs_with_the_new_key(api):
    register(api)
    old = login(api)[2]["accessToken"]
    old_kid = _active_key().kid
    provisioning.ensure_signing_key(os.environ["SIGNING_KEYS_SECRET"], "2")
    tokens._cache = None
    assert _authorize(old)["principalId"].startswith("acct_")
    new = login(api)[2]["accessToken"]
    assert json.loads(base64.urlsafe_b64decode(new.split(".")[0] + "=="))["kid"] != old_kid
    assert len(tokens.public_jwks()["keys"]) == 2
    assert all("d" not in key for key in tokens.public_jwks()["keys"])  # no private parts


def test_the_jwks_endpoint_serves_public_keys_only(api):
    status, _, body = api("GET", "/.well-known/jwks.json")
    assert status == 200
    assert [k["kty"] for k in body["keys"]] == ["EC"]
    assert "d" not in body["keys"][0]
