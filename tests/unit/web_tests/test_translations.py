"""The web front speaks Portuguese on every page: each English text a page passes to ``t()``
has its Portuguese entry in ``web/src/i18n/pt.ts`` with the same placeholders."""

from __future__ import annotations

import json
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[3] / "web" / "src"
CALL = re.compile(r'\bt\(\s*"((?:[^"\\]|\\.)*)"')
ENTRY = re.compile(
    r'^\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*))\s*:\s*"((?:[^"\\]|\\.)*)",?\s*$'
)
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def keys_in_pages() -> set[str]:
    return {
        json.loads(f'"{key}"')
        for path in WEB.rglob("*.tsx")
        for key in CALL.findall(path.read_text())
    }


def table(name: str) -> dict[str, str]:
    entries = {}
    for line in (WEB / "i18n" / f"{name}.ts").read_text().splitlines():
        if match := ENTRY.match(line):
            quoted, bare, value = match.groups()
            entries[json.loads(f'"{quoted}"') if quoted is not None else bare] = json.loads(
                f'"{value}"'
            )
    return entries


def test_every_text_a_page_shows_has_its_portuguese():
    pt = table("pt")
    used = keys_in_pages()
    assert len(used) > 250  # the pages were read
    assert sorted(used - set(pt)) == []


def test_translations_keep_their_placeholders():
    for name in ("pt", "en"):
        for key, value in table(name).items():
            english = key.removesuffix("_one").removesuffix("_other")
            assert set(PLACEHOLDER.findall(value)) <= set(PLACEHOLDER.findall(english)), (
                name,
                key,
            )
