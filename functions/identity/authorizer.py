"""API Gateway Lambda authorizer: ``Authorization: Bearer <access token>``.

Two callers: the REST API's TOKEN authorizer (``authorizationToken``), and the chat WebSocket
API's REQUEST authorizer on ``$connect``, where the token comes in the ``Authorization``
header or, from browsers (which cannot set headers on a WebSocket), the ``token`` query
parameter.

A valid token yields an Allow policy for the whole API stage (so API Gateway can cache the
result per token for ``authorizerResultTtlInSeconds`` in gateway.json) and the context
handlers read through ``titan.auth``: ``roles`` (comma-separated) and ``sellerId``. Anything
else (no token, a malformed, forged, expired, ``alg: none`` or unknown-key token) is
``Unauthorized``: API Gateway answers 401.
"""

from __future__ import annotations

from identity.tokens import InvalidToken, verify_access_token
from titan.observability import logger


def _stage_arn(method_arn: str) -> str:
    """``arn:aws:execute-api:region:account:api/stage/*`` from a method ARN."""
    prefix, _, path = method_arn.partition("/")
    stage = path.split("/", 1)[0]
    return f"{prefix}/{stage}/*"


def presented_token(event: dict) -> str | None:
    """The access token of a TOKEN or REQUEST authorizer event, or None."""
    if event.get("type") == "REQUEST":
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        header = (headers.get("authorization") or "").strip()
        if not header:
            query = event.get("queryStringParameters") or {}
            return (query.get("token") or "").strip() or None
    else:
        header = (event.get("authorizationToken") or "").strip()
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@logger.inject_lambda_context
def handler(event: dict, _context) -> dict:
    token = presented_token(event)
    if not token:
        raise Exception("Unauthorized")
    try:
        claims = verify_access_token(token)
    except InvalidToken as exc:
        logger.info("token refused", extra={"reason": str(exc)})
        raise Exception("Unauthorized") from exc
    context = {"roles": claims.get("roles", "")}
    if claims.get("sellerId"):
        context["sellerId"] = claims["sellerId"]
    return {
        "principalId": claims["sub"],
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": _stage_arn(event["methodArn"]),
                }
            ],
        },
        "context": context,
    }
