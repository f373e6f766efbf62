"""Reading the templates outside CloudFormation: template.yaml (the root) and the nested
templates it deploys (each context's ``functions/<context>/template.yaml`` and the shared
pieces they use), with placeholder values for the environment variables they give the
functions, so a tool can import a handler module outside Lambda (its tables are named at
import time)."""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when built
    """Reads a template, leaving CloudFormation's !Ref, !Sub... as None."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, modified_ns: int) -> dict:
    return yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506


def load(path: Path) -> dict:
    """One template as a dict, intrinsic functions read as None. Parsed once per version of
    the file (every unit test's tables come from the templates: parsing them each time was
    most of a test's set-up); each caller gets its own copy."""
    return copy.deepcopy(_parsed(path, path.stat().st_mtime_ns))


def template() -> dict:
    """template.yaml (the root) as a dict, intrinsic functions read as None."""
    return load(ROOT / "template.yaml")


def template_files() -> list[Path]:
    """template.yaml, then every local template it nests, depth first (each once)."""
    found: list[Path] = []

    def walk(path: Path) -> None:
        if path in found:
            return
        found.append(path)
        for resource in (load(path).get("Resources") or {}).values():
            location = (resource.get("Properties") or {}).get("Location")
            if resource.get("Type") == "AWS::Serverless::Application" and isinstance(location, str):
                walk((path.parent / location).resolve())

    walk((ROOT / "template.yaml").resolve())
    return found


def resources() -> dict:
    """Every template's ``Resources`` in one dict (logical ids are unique across them)."""
    merged: dict = {}
    for path in template_files():
        merged.update(load(path).get("Resources") or {})
    return merged


def _texts() -> list[str]:
    return [path.read_text() for path in template_files()]


def placeholder_environment() -> dict[str, str]:
    """``{NAME: "placeholder-name"}`` for every variable the templates give functions but
    Powertools' own and numeric ones (set from a ``Type: Number`` parameter), which keep their
    defaults."""
    variables: dict[str, str] = {}
    for text in _texts():
        numbers = set(
            re.findall(r"^  ([A-Za-z0-9]+):\n    Type: Number$", text, flags=re.MULTILINE)
        )
        for name, value in re.findall(r"^\s+([A-Z][A-Z0-9_]+):\s+(.*)$", text, flags=re.MULTILINE):
            if name.startswith("POWERTOOLS_") or value.removeprefix("!Ref ").strip() in numbers:
                continue
            variables[name] = f"placeholder-{name.lower()}"
    return variables


def table_variables() -> dict[str, str]:
    """``{table logical id: the environment variable that names it}`` for every DynamoDB
    table a template hands to a function (``CART_TABLE: !Ref CartTable``)."""
    found = [
        pair
        for text in _texts()
        for pair in re.findall(r"^\s+([A-Z][A-Z0-9_]*): !Ref (\w+)$", text, flags=re.MULTILINE)
    ]
    every = resources()
    return {
        logical: name
        for name, logical in found
        if every.get(logical, {}).get("Type") == "AWS::DynamoDB::Table"
    }
