"""Access tokens (JWT, ES256) and opaque refresh/reset/verification codes.

Signing keys live in a Secrets Manager secret (``SIGNING_KEYS_SECRET``), created at deploy by
the provisioning custom resource, never in code or git. The secret holds a key set::

    {"active": "<kid>", "keys": [<private EC P-256 JWK with kid>, ...]}

Tokens are signed with the active key; every key in the set verifies, so rotating means adding a
key and making it active while older tokens expire. Library: joserfc (RFC 7515/7517/7519).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass

import boto3
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from titan.ids import new_id

ALGORITHM = "ES256"
AUDIENCE = "titan-api"
ACCESS_TOKEN_SECONDS = 15 * 60
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600
KEYS_CACHE_SECONDS = 300


class InvalidToken(Exception):
    """The token is malformed, forged, expired or not meant for us."""


def issuer() -> str:
    return f"https://titan.commerce/{os.environ.get('TITAN_STAGE', 'dev')}"


def new_signing_key() -> dict:
    """A new private EC P-256 JWK with a fresh ``kid`` (used by provisioning and rotation)."""
    key = ECKey.generate_key(
        "P-256", parameters={"kid": new_id("key"), "use": "sig", "alg": ALGORITHM}, private=True
    )
    return key.as_dict(private=True)


@dataclass
class _Keys:
    active: ECKey
    verifying: KeySet
    public: dict
    loaded_at: float


_cache: _Keys | None = None


def _load_keys() -> _Keys:
    global _cache
    if _cache and time.monotonic() - _cache.loaded_at < KEYS_CACHE_SECONDS:
        return _cache
    secret = boto3.client("secretsmanager").get_secret_value(
        SecretId=os.environ["SIGNING_KEYS_SECRET"]
    )
    document = json.loads(secret["SecretString"])
    if not document.get("keys"):
        raise RuntimeError("no signing keys provisioned")
    private = KeySet.import_key_set({"keys": document["keys"]})
    active = next(k for k in private.keys if k.kid == document["active"])
    public = {"keys": [k.as_dict(private=False) for k in private.keys]}
    _cache = _Keys(active, KeySet.import_key_set(public), public, time.monotonic())
    return _cache


def public_jwks() -> dict:
    """The JWKS document (public keys only) served at /.well-known/jwks.json."""
    return _load_keys().public


def issue_access_token(account_id: str, roles: str, seller_id: str | None = None) -> str:
    """A signed access token for ``account_id`` with ``roles`` (comma-separated), valid
    ``ACCESS_TOKEN_SECONDS`` seconds."""
    keys = _load_keys()
    now = int(time.time())
    claims = {
        "iss": issuer(),
        "aud": AUDIENCE,
        "sub": account_id,
        "iat": now,
        "nbf": now,
        "exp": now + ACCESS_TOKEN_SECONDS,
        "jti": new_id("jti"),
        "token_use": "access",
        "roles": roles,
    }
    if seller_id:
        claims["sellerId"] = seller_id
    header = {"alg": ALGORITHM, "kid": keys.active.kid, "typ": "at+jwt"}
    return jwt.encode(header, claims, keys.active, algorithms=[ALGORITHM])


_REGISTRY = jwt.JWTClaimsRegistry(
    leeway=30,
    iss={"essential": True},
    aud={"essential": True, "value": AUDIENCE},
    sub={"essential": True},
    exp={"essential": True},
    token_use={"essential": True, "value": "access"},
)


def verify_access_token(token: str) -> dict:
    """The claims of a valid access token. Raises ``InvalidToken`` for anything else: not
    three parts, an algorithm other than ES256 (``none``, HS256...), an unknown ``kid``, a bad
    signature, the wrong issuer or audience, an expired or not-yet-valid token."""
    try:
        header = json.loads(_b64(token.split(".")[0]))
    except (ValueError, IndexError) as exc:
        raise InvalidToken("malformed token") from exc
    if header.get("alg") != ALGORITHM:
        raise InvalidToken(f"algorithm {header.get('alg')!r} not accepted")
    keys = _load_keys()
    if not any(k.kid == header.get("kid") for k in keys.verifying.keys):
        raise InvalidToken("unknown key id")
    try:
        decoded = jwt.decode(token, keys.verifying, algorithms=[ALGORITHM])
        _REGISTRY.validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
    if decoded.claims["iss"] != issuer():
        raise InvalidToken("wrong issuer")
    return decoded.claims


def _b64(segment: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def new_secret_code() -> tuple[str, str]:
    """A new opaque code (refresh token, reset or verification code) and the SHA-256 hex
    digest it is stored under: the code itself is never stored."""
    code = secrets.token_urlsafe(32)
    return code, digest(code)


def digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
