"""Write events/schemas/ from the event contracts (layers/shared/contracts): one JSON Schema
per detail-type for its ``detail.data``, and ``Envelope.json`` for the EventBridge event.

``python infra/tools/event_schemas.py`` rewrites them (``make contracts``); ``--check`` exits 1
naming every file that is missing, stale or no longer has a contract (``make lint``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "layers" / "shared"))

from pydantic import BaseModel, ConfigDict, Field  # noqa: E402

from contracts import Metadata, everything  # noqa: E402

SCHEMAS = ROOT / "events" / "schemas"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://titan.commerce/events/"


class _Detail(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metadata: Metadata
    data: dict


class Envelope(BaseModel):
    """The EventBridge event every context publishes on the titan bus. Each detail-type's own
    schema (events/schemas/<DetailType>.json) constrains detail.data."""

    source: Annotated[str, Field(pattern=r"^titan\.[a-z][a-z0-9-]*$")]
    detail_type: Annotated[str, Field(alias="detail-type", pattern=r"^[A-Z][A-Za-z]+$")]
    detail: _Detail


def _document(name: str, title: str, schema: dict) -> str:
    schema.pop("title", None)
    document = {"$schema": DRAFT, "$id": f"{BASE_ID}{name}.json", "title": title, **schema}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def expected() -> dict[str, str]:
    """File name → content of every schema the contracts define."""
    files = {
        "Envelope.json": _document(
            "Envelope", "Titan domain event envelope", Envelope.model_json_schema(by_alias=True)
        )
    }
    for name, model in sorted(everything().items()):
        if not model.__module__.startswith("contracts."):
            continue  # a test's own event type
        title = f"{name} ({model.source})"
        files[f"{name}.json"] = _document(name, title, model.model_json_schema())
    return files


def main(argv: list[str]) -> int:
    files = expected()
    present = {p.name for p in SCHEMAS.glob("*.json")}
    if "--check" in argv:
        stale = [
            n for n, text in files.items() if n not in present or (SCHEMAS / n).read_text() != text
        ]
        orphans = sorted(present - files.keys())
        for name in stale:
            print(f"events/schemas/{name} is not what its contract generates")
        for name in orphans:
            print(f"events/schemas/{name} has no contract")
        if stale or orphans:
            print("run `make contracts`")
            return 1
        return 0
    SCHEMAS.mkdir(parents=True, exist_ok=True)
    for name in present - files.keys():
        (SCHEMAS / name).unlink()
    for name, text in files.items():
        (SCHEMAS / name).write_text(text)
    print(f"{len(files)} schemas written to events/schemas/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
