"""The import contracts of ``make lint``, checked by import-linter, for every context found
under functions/ (a new context is covered by being there: nothing to list).

1. Contexts are independent: no context imports another. They talk over the HTTP API,
   saga steps and events.
2. The kernel (``titan``) and the published event contracts (``contracts``) import no
   context; the contracts depend on no framework but pydantic.
3. Within a context, a lower layer never imports a higher one: entry points (api,
   consumers, steps, authorizer, provisioning, importer), then use cases (service, queries),
   their helpers (categories, coupons, provider, tokens), shapes (schemas), persistence
   (index_files, places, store), search, settings, and pure rules (domain). Layers a context
   lacks are skipped.
4. Routes reach storage only through use cases: no ``api.py`` imports its ``store.py``.

Exits with import-linter's status (1 on a broken contract, naming each import).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
LAYERS = [
    "(api) | (consumers) | (steps) | (authorizer) | (provisioning) | (importer)",
    "(service) | (queries)",
    "(categories) | (coupons) | (provider) | (tokens)",
    "(schemas)",
    "(index_files) | (places)",
    "(store)",
    "(search)",
    "(settings)",
    "(domain)",
]


def contexts() -> list[str]:
    """The context packages under functions/."""
    return sorted(p.parent.name for p in FUNCTIONS.glob("*/__init__.py"))


def _list(names: list[str]) -> str:
    return "[" + ", ".join(f'"{n}"' for n in names) + "]"


def config(names: list[str]) -> str:
    """import-linter's configuration (TOML) for the contexts ``names``."""
    with_api = [n for n in names if (FUNCTIONS / n / "api.py").exists()]
    with_store = [n for n in names if (FUNCTIONS / n / "store.py").exists()]
    stores = [f"{n}.store" for n in with_store] + [
        f"{n}.index_files" for n in names if (FUNCTIONS / n / "index_files.py").exists()
    ]
    layered = [n for n in names if n != "meta"]
    return f"""
[tool.importlinter]
root_packages = {_list(["titan", "contracts", *names])}
include_external_packages = true

[[tool.importlinter.contracts]]
name = "Contexts are independent of each other"
type = "independence"
modules = {_list(names)}

[[tool.importlinter.contracts]]
name = "The kernel and the event contracts import no context"
type = "forbidden"
source_modules = ["titan", "contracts"]
forbidden_modules = {_list(names)}

[[tool.importlinter.contracts]]
name = "Event contracts depend on no framework but pydantic"
type = "forbidden"
source_modules = ["contracts"]
forbidden_modules = ["boto3", "pynamodb", "aws_lambda_powertools"]

[[tool.importlinter.contracts]]
name = "Each context's layers: entry points, use cases, shapes, persistence, rules"
type = "layers"
containers = {_list(layered)}
layers = {_list(LAYERS)}

[[tool.importlinter.contracts]]
name = "Routes reach storage only through use cases (api.py never imports store.py)"
type = "forbidden"
source_modules = {_list([f"{n}.api" for n in with_api])}
forbidden_modules = {_list(stores)}
allow_indirect_imports = true
"""


def main() -> int:
    sys.path[:0] = [str(FUNCTIONS), str(ROOT / "layers" / "shared")]
    with tempfile.NamedTemporaryFile("w", suffix=".toml") as file:
        file.write(config(contexts()))
        file.flush()
        return lint_imports(config_filename=file.name, no_cache=True)


if __name__ == "__main__":
    sys.exit(main())
