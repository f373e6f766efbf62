"""Write functions/meta/openapi.json: the whole API's OpenAPI document, merged by Powertools'
OpenAPIMerge from every ``functions/*/api.py`` resolver (``make openapi``).

Every context names its own models: two contexts declaring different schemas under one name
would make the merged document point one context's operations at the other's models, so a
clash fails the merge (Powertools' merge keeps the last one silently).

``--check`` exits 1 if the committed file differs from what would be generated (run by
``make lint``), so a route change without a regenerated document fails CI.

Each api.py is imported to read its routes, so the environment variables template.yaml gives
the functions (table names...) are set to placeholders first.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from template_env import placeholder_environment

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "functions" / "meta" / "openapi.json"
DESCRIPTION = (
    "Titan Commerce marketplace API. Money is always `{amount, currency}` with `amount` in "
    "integer minor units (centavos for BRL). Errors are `application/problem+json` with a "
    "stable `code`. Mutating operations take an `Idempotency-Key` header."
)


def _placeholder_environment() -> None:
    for name, value in placeholder_environment().items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def generate() -> str:
    """The merged OpenAPI document as stable, indented JSON text."""
    _placeholder_environment()
    sys.path[0:0] = [str(ROOT / "functions"), str(ROOT / "layers" / "shared")]
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge, OpenAPIMergeError

    import titan
    from titan.api import SECURITY_SCHEMES

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
        security_schemes=SECURITY_SCHEMES,
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


def main(argv: list[str]) -> int:
    document = generate()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text() != document:
            print(f"{TARGET.relative_to(ROOT)} is stale: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(document)
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(json.loads(document)['paths'])} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
