"""API Gateway Lambda authorizer (TOKEN type): ``Authorization: Bearer <access token>``.

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


@logger.inject_lambda_context
def handler(event: dict, _context) -> dict:
    header = (event.get("authorizationToken") or "").strip()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Exception("Unauthorized")
    try:
        claims = verify_access_token(token.strip())
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
