"""Lambda TOKEN authorizers for the local API Gateway.

LocalStack community deploys an API's authorizers but never calls them (Lambda authorizers are
a Pro feature): every route would be open. This handler, added to the REST API gateway's
``preprocess_request`` chain (the extension point LocalStack documents for this), does what
API Gateway does for a method with ``authorizationType: CUSTOM`` and a TOKEN authorizer:

- no token in the identity source header, or one failing ``identityValidationExpression``:
  401 (``UnauthorizedException``), the function is not called;
- calls the function with ``{"type": "TOKEN", "authorizationToken", "methodArn"}``;
- the function failing with ``Unauthorized``: 401; failing otherwise: 500
  (``AuthorizerConfigurationException``);
- a policy without an Allow for the method ARN, or with a Deny: 403 (``AccessDeniedException``);
- otherwise ``principalId`` and the returned ``context`` reach the integration as
  ``requestContext.authorizer``.

Results are cached per authorizer and token for ``authorizerResultTtlInSeconds`` (300 s
by default), as API Gateway does. REQUEST authorizers are refused with a 500.
"""

from __future__ import annotations

import json
import re
import threading
import time

from localstack.aws.connect import connect_to
from localstack.runtime import hooks
from localstack.services.apigateway.next_gen.execute_api import handlers
from localstack.services.apigateway.next_gen.execute_api.api import RestApiGatewayHandler
from localstack.services.apigateway.next_gen.execute_api.gateway_response import (
    AccessDeniedError,
    AuthorizerConfigurationError,
    UnauthorizedError,
)

from localcloud.iam import policy_allows

DEFAULT_TTL = 300


def method_arn(context) -> str:
    variables = context.context_variables
    path = context.invocation_request["path"]
    return (
        f"arn:aws:execute-api:{context.region}:{context.account_id}:{context.api_id}/"
        f"{context.stage}/{variables['httpMethod']}{path}"
    )


class TokenAuthorizerHandler(RestApiGatewayHandler):
    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def __call__(self, chain, context, response):
        method = context.resource_method or {}
        if method.get("authorizationType") != "CUSTOM":
            return
        authorizer = context.deployment.rest_api.authorizers.get(method.get("authorizerId"))
        if not authorizer or authorizer.get("type") != "TOKEN":
            raise AuthorizerConfigurationError("only TOKEN authorizers run in the local cloud")
        header = authorizer.get("identitySource", "method.request.header.Authorization")
        token = context.request.headers.get(header.rsplit(".", 1)[-1])
        expression = authorizer.get("identityValidationExpression")
        if not token or (expression and not re.fullmatch(expression, token)):
            raise UnauthorizedError("Unauthorized")
        arn = method_arn(context)
        result = self._authorize(authorizer, token, arn, context.region)
        if not policy_allows(result.get("policyDocument") or {}, arn):
            raise AccessDeniedError("User is not authorized to access this resource")
        context.context_variables["authorizer"] = {
            **(result.get("context") or {}),
            "principalId": result.get("principalId"),
        }

    def _authorize(self, authorizer: dict, token: str, arn: str, region: str) -> dict:
        key = (authorizer["id"], token)
        ttl = int(authorizer.get("authorizerResultTtlInSeconds", DEFAULT_TTL) or 0)
        with self._lock:
            cached = self._cache.get(key)
            if cached and cached[0] > time.monotonic():
                return cached[1]
        function = authorizer["authorizerUri"].split("/functions/", 1)[1].rsplit("/", 1)[0]
        answer = connect_to(region_name=region).lambda_.invoke(
            FunctionName=function,
            Payload=json.dumps({"type": "TOKEN", "authorizationToken": token, "methodArn": arn}),
        )
        payload = json.loads(answer["Payload"].read() or b"{}")
        if answer.get("FunctionError"):
            if (payload or {}).get("errorMessage") == "Unauthorized":
                raise UnauthorizedError("Unauthorized")
            raise AuthorizerConfigurationError()
        if ttl:
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[key] = (time.monotonic() + ttl, payload)
        return payload


@hooks.on_infra_start()
def register_token_authorizers() -> None:
    handlers.preprocess_request.append(TokenAuthorizerHandler())
