"""Write the API's two documents from the routes in code (``make openapi``):

- functions/meta/openapi.json: the whole API's OpenAPI document for its clients, merged by
  Powertools' OpenAPIMerge from every ``functions/*/api.py`` resolver;
- gateway.json: API Gateway's definition of the REST API, which template.yaml includes
  (``AWS::Include``): every route of every resolver, integrated with the function of the
  context that serves it (``!GetAtt <Context>.Outputs.ApiFunctionArn``, the context's nested
  application in template.yaml), behind the token authorizer unless the route is public, with
  CORS preflight answers and problem+json gateway errors. Routes therefore live in one place:
  the code.

Every context names its own models: two contexts declaring different schemas under one name
would make the merged document point one context's operations at the other's models, so a
clash fails the merge (Powertools' merge keeps the last one silently).

``--check`` exits 1 if a committed file differs from what would be generated (run by
``make lint``), so a route change without a regenerated document fails CI.

Each api.py is imported to read its routes, so the environment variables template.yaml gives
the functions (table names...) are set to placeholders first.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from template_env import placeholder_environment, template

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "functions" / "meta" / "openapi.json"
GATEWAY = ROOT / "gateway.json"
DESCRIPTION = (
    "Titan Commerce marketplace API. Money is always `{amount, currency}` with `amount` in "
    "integer minor units (centavos for BRL). Errors are `application/problem+json` with a "
    "stable `code`. Mutating operations take an `Idempotency-Key` header."
)


def _importable() -> None:
    """Make the handlers importable here: the variables the templates give the functions set
    to placeholders, and functions/ and the shared layer on the path (once)."""
    for name, value in placeholder_environment().items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    for folder in (str(ROOT / "layers" / "shared"), str(ROOT / "functions")):
        if folder not in sys.path:
            sys.path.insert(0, folder)


def generate() -> str:
    """The merged OpenAPI document as stable, indented JSON text."""
    _importable()
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge, OpenAPIMergeError

    import titan
    from titan.api import security_schemes

    class StrictMerge(OpenAPIMerge):
        def _merge_components(self, source: dict, target: dict) -> None:
            for kind, components in source.items():
                merged = target.setdefault(kind, {})
                for name, component in components.items():
                    if name in merged and merged[name] != component:
                        raise OpenAPIMergeError(
                            f"components.{kind}.{name} is declared differently by two contexts: "
                            "give each context's model its own name"
                        )
                    merged[name] = component

    merge = StrictMerge(
        title="Titan Commerce API",
        version=titan.__version__,
        description=DESCRIPTION,
        servers=[{"url": "."}],
        on_conflict="error",
        security_schemes=security_schemes(),
    )
    files = sorted((ROOT / "functions").glob("*/api.py"))
    if not files:
        raise SystemExit("no resolvers found under functions/")
    for file in files:  # discover() only sees `app = <Resolver>(...)` literally, not create_app()
        merge.add_file(file, resolver_name="app")
    document = as_sent(json.loads(merge.get_openapi_json_schema()))
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


#: RFC 9457 problem details as titan.errors renders them (``code`` is the stable contract).
PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "location": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
ERRORS = {
    "400": "Malformed JSON, invalid parameters, cursor or Idempotency-Key",
    "401": "No valid bearer token (or wrong credentials on sign-in)",
    "403": "The caller's roles do not admit this operation",
    "404": "Not found (or not the caller's)",
    "409": "Conflict with the current state",
    "422": "The request body is not valid",
    "429": "Rate limited: see Retry-After",
    "default": "Any other problem",
}


def as_sent(document: dict) -> dict:
    """Document the answers as the API sends them: every error as ``application/problem+json``
    (``titan.errors``), in place of Powertools' default 422 and 500 shapes, which this API
    never sends; and no body for an answer without one (``Response[None]``, which Powertools
    documents as a JSON ``null``)."""
    schemas = document["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            for status in ("422", "500"):
                responses.pop(status, None)
            for answer in responses.values():
                media = answer.get("content", {}).get("application/json", {})
                if media.get("schema", {}).get("type") == "null":
                    del answer["content"]
            for status, description in ERRORS.items():
                responses[status] = {"description": description, "content": problem}
    return document


#: The headers a browser may send (titan.api's CORS configuration answers the same).
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "'*'",
    "Access-Control-Allow-Headers": "'Authorization,Content-Type,Idempotency-Key,X-Correlation-Id'",
    "Access-Control-Allow-Methods": "'GET,POST,PUT,PATCH,DELETE,OPTIONS'",
    "Access-Control-Max-Age": "'600'",
}
AUTHORIZER = "TokenAuthorizer"


def _gateway_error(title: str) -> dict:
    """A gateway response rendered as problem+json (authorizer refusals, throttling...)."""
    return {
        "responseParameters": {
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
            "gatewayresponse.header.Content-Type": "'application/problem+json'",
        },
        "responseTemplates": {
            "application/json": json.dumps(
                {
                    "type": "https://titan.commerce/problems/gateway-error",
                    "title": title,
                    "status": "$context.error.responseType",
                    "code": "GATEWAY_$context.error.responseType",
                },
                separators=(",", ":"),
            ).removesuffix("}")
            + ',"detail":$context.error.messageString}'
        },
    }


def _invocation(application: str, output: str) -> dict:
    """The Lambda invocation URI of a function a context's nested application outputs."""
    return {
        "Fn::Sub": [
            "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
            "${Function}/invocations",
            {"Function": {"Fn::GetAtt": [application, f"Outputs.{output}"]}},
        ]
    }


def _preflight() -> dict:
    return {
        "summary": "CORS preflight",
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "responses": {
            "200": {
                "description": "CORS preflight answer",
                "headers": {name: {"type": "string"} for name in CORS_HEADERS},
            }
        },
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "responses": {
                "default": {
                    "statusCode": "200",
                    "responseParameters": {
                        f"method.response.header.{name}": value
                        for name, value in CORS_HEADERS.items()
                    },
                    "responseTemplates": {"application/json": "{}"},
                }
            },
        },
    }


def applications() -> dict[str, str]:
    """``{context folder: logical id of its nested application}`` from template.yaml."""
    resources = template()["Resources"]
    found = {}
    for logical_id, resource in resources.items():
        location = (resource.get("Properties") or {}).get("Location") or ""
        if resource.get("Type") == "AWS::Serverless::Application" and location.startswith(
            "functions/"
        ):
            found[location.split("/")[1]] = logical_id
    return found


def gateway() -> str:
    """API Gateway's definition of the REST API (Swagger 2.0 with API Gateway's extensions) as
    stable, indented JSON text. Raises SystemExit when a context with routes has no nested
    application in template.yaml, or two contexts declare one route."""
    _importable()
    import importlib

    from titan.auth import route_roles

    apps = applications()
    paths: dict[str, dict] = {}
    owners: dict[tuple[str, str], str] = {}
    for file in sorted((ROOT / "functions").glob("*/api.py")):
        context = file.parent.name
        if context not in apps:
            raise SystemExit(f"functions/{context} has routes but no application in template.yaml")
        resolver = importlib.import_module(f"{context}.api").app
        for route in resolver._static_routes + resolver._dynamic_routes:
            method = route.method.lower()
            key = (route.openapi_path, method)
            if key in owners:
                raise SystemExit(f"{method.upper()} {key[0]}: in {owners[key]} and in {context}")
            owners[key] = context
            operation: dict = {
                "responses": {},
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy",
                    "httpMethod": "POST",
                    "uri": _invocation(apps[context], "ApiFunctionArn"),
                },
            }
            if route_roles(route.security)[0]:
                operation["security"] = [{AUTHORIZER: []}]
            paths.setdefault(route.openapi_path, {})[method] = operation
    # Any path no context serves: meta answers 404 problem+json (ROUTE_NOT_FOUND) instead of
    # API Gateway's bare 403 "Missing Authentication Token".
    paths["/{proxy+}"] = {
        "x-amazon-apigateway-any-method": {
            "responses": {},
            "x-amazon-apigateway-integration": {
                "type": "aws_proxy",
                "httpMethod": "POST",
                "uri": _invocation(apps["meta"], "ApiFunctionArn"),
            },
        }
    }
    for operations in paths.values():
        operations["options"] = _preflight()
    definition = {
        "swagger": "2.0",
        "info": {"title": {"Ref": "AWS::StackName"}, "version": "1.0"},
        "paths": dict(sorted(paths.items())),
        "securityDefinitions": {
            AUTHORIZER: {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {
                    "type": "token",
                    "authorizerResultTtlInSeconds": 300,
                    "authorizerUri": _invocation(apps["identity"], "AuthorizerFunctionArn"),
                },
            }
        },
        "x-amazon-apigateway-gateway-responses": {
            "DEFAULT_4XX": _gateway_error("Request refused by the API gateway"),
            "DEFAULT_5XX": _gateway_error("The API gateway failed"),
        },
    }
    return json.dumps(definition, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    documents = {TARGET: generate(), GATEWAY: gateway()}
    if "--check" in argv:
        stale = [f for f, text in documents.items() if not f.exists() or f.read_text() != text]
        for file in stale:
            print(f"{file.relative_to(ROOT)} is stale: run `make openapi`", file=sys.stderr)
        return 1 if stale else 0
    for file, text in documents.items():
        file.write_text(text)
        print(f"wrote {file.relative_to(ROOT)} ({len(json.loads(text)['paths'])} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
