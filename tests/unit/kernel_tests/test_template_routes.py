"""Every route the API documents is wired in template.yaml, and every wired route exists:
a route missing from the template answers 404 ROUTE_NOT_FOUND behind API Gateway."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
#: An Api event: path (quoted or bare), method, and whether it is public.
EVENT = re.compile(r'Path: (?:"([^"]+)"|([^,}\s]+)), Method: (\w+)(, Auth: \{Authorizer: NONE\})?')
# meta serves these itself, outside the API document: the catch-all 404 and the docs
SERVED_BY_META = {("/{proxy+}", "ANY"), ("/docs", "GET"), ("/openapi.json", "GET")}


def test_documented_routes_and_template_routes_match():
    template = (ROOT / "template.yaml").read_text()
    wired = {
        (quoted or bare, method.upper()) for quoted, bare, method, _ in EVENT.findall(template)
    }
    document = json.loads((ROOT / "functions" / "meta" / "openapi.json").read_text())
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    routed = wired - SERVED_BY_META

    def covered(path: str, method: str) -> bool:
        for wired_path, wired_method in routed:
            if wired_method not in (method, "ANY"):
                continue
            prefix = wired_path.removesuffix("{proxy+}")
            if wired_path == path or (prefix != wired_path and path.startswith(prefix)):
                return True
        return False

    assert {r for r in documented if not covered(*r)} == set(), "in the code, not in the template"
    exact = {(p, m) for p, m in routed if "{proxy+}" not in p and m != "ANY"}
    assert exact - documented == set(), "routes in template.yaml only"


def test_every_operation_behind_the_authorizer_declares_who_may_call_it():
    """The document's security requirement is what the resolver enforces before validation:
    a route behind the authorizer without one would admit any role."""
    template = (ROOT / "template.yaml").read_text()
    public = {
        (quoted or bare, method.upper())
        for quoted, bare, method, none in EVENT.findall(template)
        if none
    }
    document = json.loads((ROOT / "functions" / "meta" / "openapi.json").read_text())
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = operation.get("security")
            if (path, method.upper()) in public:
                assert not declared, f"{method.upper()} {path} is public"
            else:
                assert declared and "bearerAuth" in declared[0], f"{method.upper()} {path}"
                assert set(declared[0]["bearerAuth"]) <= {"customer", "seller", "staff", "admin"}


def test_routes_document_the_success_status_they_send():
    """A route answering 201, 202 or 204 says so (``titan.api.answers``), not 200."""
    document = json.loads((ROOT / "functions" / "meta" / "openapi.json").read_text())
    operations = document["paths"]
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
