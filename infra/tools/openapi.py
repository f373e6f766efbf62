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
    return json.dumps(json.loads(merge.get_openapi_json_schema()), indent=2, sort_keys=True) + "\n"


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
