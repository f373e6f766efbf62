"""Reading template.yaml outside CloudFormation: the whole document (``template``), and
placeholder values for the environment variables it gives the functions, so a tool can import
a handler module outside Lambda (its tables are named at import time)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


class _Loader(yaml.SafeLoader):
    """Reads template.yaml, leaving CloudFormation's !Ref, !Sub... as None."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def template() -> dict:
    """template.yaml as a dict, intrinsic functions read as None."""
    return yaml.load((ROOT / "template.yaml").read_text(), Loader=_Loader)  # noqa: S506


def placeholder_environment() -> dict[str, str]:
    """``{NAME: "placeholder-name"}`` for every variable in template.yaml but Powertools' own
    and numeric ones (set from a ``Type: Number`` parameter), which keep their defaults."""
    template = (ROOT / "template.yaml").read_text()
    numbers = set(
        re.findall(r"^  ([A-Za-z0-9]+):\n    Type: Number$", template, flags=re.MULTILINE)
    )
    names = re.findall(r"^\s+([A-Z][A-Z0-9_]+):\s+(.*)$", template, flags=re.MULTILINE)
    return {
        n: f"placeholder-{n.lower()}"
        for n, value in names
        if not n.startswith("POWERTOOLS_") and value.removeprefix("!Ref ").strip() not in numbers
    }


def table_variables() -> dict[str, str]:
    """``{table logical id: the environment variable that names it}`` for every DynamoDB
    table template.yaml hands to a function (``CART_TABLE: !Ref CartTable``)."""
    text = (ROOT / "template.yaml").read_text()
    found = re.findall(r"^\s+([A-Z][A-Z0-9_]*): !Ref (\w+)$", text, flags=re.MULTILINE)
    resources = template()["Resources"]
    return {
        logical: name
        for name, logical in found
        if resources.get(logical, {}).get("Type") == "AWS::DynamoDB::Table"
    }
