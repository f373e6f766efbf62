"""Scan template.yaml and the templates it nests with checkov (``make lint``): every failed
check fails the lint, except the checks skipped in the root template's
``Metadata.Checkov.Skip``, each with its reason beside it. A skip without a reason, or one for
a check that no longer fails, fails too, so the list stays honest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from template_env import template, template_files

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


def skips() -> dict[str, str]:
    """``{check id: reason}`` from the root template's Metadata (they hold for every template)."""
    entries = (template().get("Metadata") or {}).get("Checkov", {}).get("Skip", [])
    return {entry["id"]: str(entry.get("reason") or "").strip() for entry in entries}


def scan() -> dict:
    result = subprocess.run(
        [
            str(CHECKOV),
            *(f"--file={path.relative_to(ROOT)}" for path in template_files()),
            "--framework",
            "cloudformation",
            "--quiet",
            "--compact",
            "-o",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


def main() -> int:
    skipped = skips()
    unexplained = [check for check, reason in skipped.items() if not reason]
    report = scan()
    failed = report["results"]["failed_checks"]
    failing = {f["check_id"] for f in failed}
    kept = [f for f in failed if f["check_id"] not in skipped]
    stale = sorted(set(skipped) - failing)
    summary = report["summary"]
    print(
        f"checkov: {summary['passed']} passed, {len(failed) - len(kept)} skipped with a reason "
        f"({len(skipped)} checks), {len(kept)} failed, on {summary['resource_count']} resources"
    )
    for f in kept:
        print(f"  {f['check_id']} {f['resource']}: {f['check_name']}")
    for check in unexplained:
        print(f"  skip of {check} has no reason")
    for check in stale:
        print(f"  skip of {check} is stale: nothing fails it any more")
    return 1 if kept or unexplained or stale else 0


if __name__ == "__main__":
    sys.exit(main())
