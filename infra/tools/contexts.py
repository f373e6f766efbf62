"""Import contract: bounded contexts stay independent (``make lint``).

- code under ``functions/<context>/`` imports only its own context, the shared kernel
  (``titan``), the standard library and the layer's third-party packages;
- the shared kernel (``layers/shared/titan``) imports no context at all.

Contexts talk over HTTP, saga calls and events, never through each other's modules
(docs/architecture.md). Exits 1 and lists each violation as ``file:line: message``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
KERNEL = ROOT / "layers" / "shared" / "titan"


def contexts() -> set[str]:
    """Names of the context packages under functions/."""
    return {p.parent.name for p in FUNCTIONS.glob("*/__init__.py")}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) for every absolute import in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def violations() -> list[str]:
    names = contexts()
    problems = []
    for context in sorted(names):
        for path in sorted((FUNCTIONS / context).rglob("*.py")):
            for line, module in imported_modules(path):
                if module in names and module != context:
                    problems.append(
                        f"{path.relative_to(ROOT)}:{line}: context '{context}' "
                        f"imports context '{module}'"
                    )
    for path in sorted(KERNEL.rglob("*.py")):
        for line, module in imported_modules(path):
            if module in names:
                problems.append(
                    f"{path.relative_to(ROOT)}:{line}: the shared kernel imports context '{module}'"
                )
    return problems


def main() -> int:
    problems = violations()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"contexts independent: {', '.join(sorted(contexts()))}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
