"""Access tokens and the API Gateway authorizer: only genuine, current ES256 tokens pass."""

import base64
import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jws, jwt
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


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _mirrored(token: str) -> str:
    """The same token with the other valid ECDSA signature of the same message: (r, n - s)."""
    head, body, signature = token.split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    s = int.from_bytes(raw[32:], "big")
    return f"{head}.{body}.{_segment(raw[:32] + (tokens.P256_ORDER - s).to_bytes(32, 'big'))}"


def test_issued_tokens_are_low_s_and_their_high_s_twin_is_refused(api):
    register(api)
    for _ in range(8):  # half of raw ECDSA signatures are high-S: every issued one is low
        access = login(api)[2]["accessToken"]
        raw = base64.urlsafe_b64decode(access.split(".")[2] + "==")
        assert int.from_bytes(raw[32:], "big") <= tokens.P256_ORDER // 2
        assert _authorize(access)["principalId"].startswith("acct_")
        with pytest.raises(Exception, match="^Unauthorized$"):
            _authorize(_mirrored(access))


@pytest.mark.parametrize(
    "header", [b"[1]", b"null", b'"x"', b"1", b"{", b"\xff\xfe", b'{"alg": ["ES256"]}']
)
def test_a_header_that_is_not_a_json_object_is_unauthorized(identity, header):
    token = f"{_segment(header)}.{_b64(_claims())}.{_segment(bytes(64))}"
    with pytest.raises(Exception, match="^Unauthorized$"):
        _authorize(token)


@pytest.mark.parametrize(
    "claims", [b"[1]", b"null", b'"x"', b"{", b"\xff", b'{"sub": 1}', b'{"roles": ["admin"]}']
)
def test_signed_claims_that_are_not_a_json_object_of_strings_are_unauthorized(identity, claims):
    key = _active_key()
    if claims.startswith(b'{"'):
        claims = json.dumps({**_claims(), **json.loads(claims)}).encode()
    signed = jws.serialize_compact({"alg": "ES256", "kid": key.kid}, claims, key)
    with pytest.raises(Exception, match="^Unauthorized$"):
        _authorize(tokens._low_s(signed))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(header=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_any_authorization_header_is_allowed_or_unauthorized_never_an_error(identity, header):
    try:
        authorize({"type": "TOKEN", "authorizationToken": header, "methodArn": ARN}, FakeContext())
    except Exception as exc:
        assert str(exc) == "Unauthorized"


segments = st.binary(max_size=120).map(_segment) | st.text(max_size=40)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(segments, min_size=1, max_size=4))
def test_any_dotted_token_is_unauthorized_never_an_error(identity, parts):
    with pytest.raises(Exception, match="^Unauthorized$"):
        _authorize(".".join(parts))


def _websocket_connect(headers: dict | None = None, query: dict | None = None) -> dict:
    """The chat WebSocket API's $connect REQUEST authorizer event (API Gateway v2)."""
    event = {
        "type": "REQUEST",
        "methodArn": "arn:aws:execute-api:us-east-1:000000000000:ws1/local/$connect",
        "headers": headers or {},
        "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "c1"},
    }
    if query:
        event["queryStringParameters"] = query
    return authorize(event, FakeContext())


def test_websocket_connect_takes_the_token_from_the_header_or_the_query(api):
    account_id = register(api)
    token = login(api)[2]["accessToken"]
    by_header = _websocket_connect({"Authorization": f"Bearer {token}"})
    by_query = _websocket_connect(query={"token": token})
    for result in (by_header, by_query):
        assert result["principalId"] == account_id
        assert result["policyDocument"]["Statement"][0]["Resource"] == (
            "arn:aws:execute-api:us-east-1:000000000000:ws1/local/*"
        )
    for refused in ({}, {"Authorization": "Bearer nope"}, {"Authorization": token}):
        with pytest.raises(Exception, match="Unauthorized"):
            _websocket_connect(refused)
    with pytest.raises(Exception, match="Unauthorized"):
        _websocket_connect(query={"token": token[:-4] + "AAAA"})
