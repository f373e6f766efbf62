"""The templates and the API definition they deploy: every documented route is wired to the
context that serves it, public exactly when the code says so, and the contexts' synchronous
calls reach functions that exist."""

import json
import re
from pathlib import Path

from template_env import template, template_files

ROOT = Path(__file__).resolve().parents[3]
# meta serves these itself, outside the API document: the catch-all 404 and the docs
SERVED_BY_META = {
    ("/{proxy+}", "X-AMAZON-APIGATEWAY-ANY-METHOD"),
    ("/docs", "GET"),
    ("/openapi.json", "GET"),
}


def _document() -> dict:
    return json.loads((ROOT / "functions" / "meta" / "openapi.json").read_text())


def _gateway() -> dict:
    return json.loads((ROOT / "gateway.json").read_text())


def _operations(paths: dict) -> dict[tuple[str, str], dict]:
    return {
        (path, method.upper()): operation
        for path, operations in paths.items()
        for method, operation in operations.items()
        if method != "options"
    }


def test_the_gateway_routes_exactly_the_documented_operations():
    documented = set(_operations(_document()["paths"]))
    routed = set(_operations(_gateway()["paths"]))
    assert routed - SERVED_BY_META == documented


def test_each_route_calls_the_api_function_of_a_context_the_root_template_deploys():
    applications = {
        name: resource["Properties"]["Location"]
        for name, resource in template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Application"
    }
    for (path, method), operation in _operations(_gateway()["paths"]).items():
        integration = operation["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy"
        application, output = integration["uri"]["Fn::Sub"][1]["Function"]["Fn::GetAtt"]
        assert output == "Outputs.ApiFunctionArn", (method, path)
        child = (ROOT / applications[application]).read_text()
        assert re.search(r"^  ApiFunctionArn:$", child, re.MULTILINE), applications[application]


def test_the_authorizer_guards_exactly_the_operations_that_declare_who_may_call_them():
    """The document's security requirement is what the resolver enforces before validation;
    API Gateway's token authorizer stands in front of the same operations, and only those."""
    scheme = _document()["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    routed = _operations(_gateway()["paths"])
    for key, operation in _operations(_document()["paths"]).items():
        declared = operation.get("security")
        guarded = routed[key].get("security") == [{"TokenAuthorizer": []}]
        if declared:
            assert "bearerAuth" in declared[0], key
            assert set(declared[0]["bearerAuth"]) <= {"customer", "seller", "staff", "admin"}
        assert guarded == bool(declared), key
    assert "security" not in routed["/auth/login", "POST"]
    assert routed["/cart", "GET"]["security"] == [{"TokenAuthorizer": []}]


def test_every_path_answers_a_cors_preflight():
    for path, operations in _gateway()["paths"].items():
        assert operations["options"]["x-amazon-apigateway-integration"]["type"] == "mock", path


def test_calls_between_contexts_name_steps_functions_that_exist():
    """Contexts reach each other's steps function by its name (titan-<stage>-<context>-steps),
    not through a stack reference, so nothing else would catch a misspelt one."""
    name = re.compile(r'^      FunctionName: !Sub "titan-\$\{Stage\}-(\w+)-steps"$', re.MULTILINE)
    declared, referenced = set(), set()
    for path in template_files():
        text = path.read_text()
        for context in name.findall(text):
            assert path.parent.name == context, f"{path} names the steps function of {context}"
            declared.add(context)
        referenced |= set(re.findall(r"titan-\$\{Stage\}-(\w+)-steps", text))
    assert referenced == declared
    assert len(declared) >= 10


def test_routes_document_the_success_status_they_send():
    """A route answering 201, 202 or 204 says so (``titan.api.answers``), not 200."""
    operations = _document()["paths"]
    assert set(operations["/auth/register"]["post"]["responses"]) >= {"201", "422", "default"}
    assert "200" not in operations["/auth/register"]["post"]["responses"]
    assert "204" in operations["/auth/logout"]["post"]["responses"]
    assert "202" in operations["/orders/{orderId}/returns"]["post"]["responses"]
    for operations_of_path in operations.values():
        for operation in operations_of_path.values():
            successes = [s for s in operation["responses"] if s.startswith("2")]
            assert len(successes) == 1
            problem = operation["responses"]["default"]["content"]["application/problem+json"]
            assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
