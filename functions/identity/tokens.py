"""Access tokens (JWT, ES256) and opaque refresh/reset/verification codes.

Signing keys live in a Secrets Manager secret (``SIGNING_KEYS_SECRET``), created at deploy by
the provisioning custom resource, never in code or git. The secret holds a key set::

    {"active": "<kid>", "keys": [<private EC P-256 JWK with kid>, ...]}

Tokens are signed with the active key; every key in the set verifies, so rotating means adding a
key and making it active while older tokens expire. Library: joserfc (RFC 7515/7517/7519).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import time
from dataclasses import dataclass

import boto3
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from identity import settings
from titan.ids import new_id

ALGORITHM = "ES256"
AUDIENCE = "titan-api"
ACCESS_TOKEN_SECONDS = 15 * 60
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600
KEYS_CACHE_SECONDS = 300
#: The order of the P-256 group (SEC 2 v2, section 2.4.2). An ECDSA signature (r, s) and
#: (r, n - s) both verify; only the low one (s <= n/2) is issued or accepted, so a token
#: has exactly one valid signature (the low-S rule of BIP 62 and of RFC 6979-style signers).
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class InvalidToken(Exception):
    """The token is malformed, forged, expired or not meant for us."""


def issuer() -> str:
    return f"https://titan.commerce/{settings.SETTINGS.titan_stage}"


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
        SecretId=settings.SETTINGS.signing_keys_secret
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
    return _low_s(jwt.encode(header, claims, keys.active, algorithms=[ALGORITHM]))


def _low_s(token: str) -> str:
    """The same token with its ES256 signature's ``s`` as ``min(s, n - s)``: still valid,
    and the one form ``verify_access_token`` accepts."""
    signing_input, _, signature = token.rpartition(".")
    raw = _b64(signature)
    r, s = raw[:32], int.from_bytes(raw[32:], "big")
    if s <= P256_ORDER // 2:
        return token
    low = r + (P256_ORDER - s).to_bytes(32, "big")
    return f"{signing_input}.{base64.urlsafe_b64encode(low).decode().rstrip('=')}"


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
    three base64url parts, a header or claims that are not JSON objects, an algorithm other
    than ES256 (``none``, HS256...), an unknown ``kid``, a bad or high-S signature, the wrong
    issuer or audience, an expired or not-yet-valid token, claims of the wrong types."""
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three parts")
        header = json.loads(_b64(parts[0]))
        signature = _b64(parts[2])
    except (ValueError, UnicodeError) as exc:
        raise InvalidToken("malformed token") from exc
    if not isinstance(header, dict):
        raise InvalidToken("the header is not a JSON object")
    if len(signature) != 64 or int.from_bytes(signature[32:], "big") > P256_ORDER // 2:
        raise InvalidToken("not a low-S ES256 signature")
    if header.get("alg") != ALGORITHM:
        raise InvalidToken(f"algorithm {header.get('alg')!r} not accepted")
    keys = _load_keys()
    if not any(k.kid == header.get("kid") for k in keys.verifying.keys):
        raise InvalidToken("unknown key id")
    try:
        decoded = jwt.decode(token, keys.verifying, algorithms=[ALGORITHM])
        claims = decoded.claims
        if not isinstance(claims, dict):
            raise ValueError("the claims are not a JSON object")
        _REGISTRY.validate(claims)
    except (JoseError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidToken(str(exc)) from exc
    if claims["iss"] != issuer():
        raise InvalidToken("wrong issuer")
    if not all(isinstance(claims.get(name, ""), str) for name in ("sub", "roles", "sellerId")):
        raise InvalidToken("claims of the wrong type")
    return claims


def _b64(segment: str) -> bytes:
    """base64url without padding (RFC 7515 section 2); ValueError for anything else."""
    try:
        return base64.urlsafe_b64decode(segment.encode("ascii") + b"=" * (-len(segment) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc


def new_secret_code() -> tuple[str, str]:
    """A new opaque code (refresh token, reset or verification code) and the SHA-256 hex
    digest it is stored under: the code itself is never stored."""
    code = secrets.token_urlsafe(32)
    return code, digest(code)


def digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
