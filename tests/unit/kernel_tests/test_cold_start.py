"""What a function imports at a cold start: what the kernel leaves out stays out.

Powertools' OpenAPI models (about 130 ms to import) are built only for the OpenAPI document,
and the event contracts only as a function uses them (building all twelve contexts' models
cost about 100 ms): docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from template_env import placeholder_environment

ROOT = Path(__file__).resolve().parents[3]
API_HANDLERS = sorted(f"{path.parent.name}.api" for path in (ROOT / "functions").glob("*/api.py"))


def _imported_by(*modules: str) -> set[str]:
    """The modules a fresh interpreter holds after importing ``modules``."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    env = {
        **os.environ,
        **placeholder_environment(),
        "PYTHONPATH": f"{ROOT / 'functions'}:{ROOT / 'layers' / 'shared'}",
        "POWERTOOLS_METRICS_NAMESPACE": "Titan",
        "EVENT_BUS_NAME": "titan-test",
        "SITE_URL_PARAMETER": "",
        "PUSH_APPLICATION_ARN": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_no_api_function_builds_powertools_openapi_models_at_start_up():
    assert len(API_HANDLERS) >= 15
    imported = _imported_by(*API_HANDLERS)
    assert "aws_lambda_powertools.event_handler.openapi.models" not in imported


def test_the_event_kernel_loads_no_context_contracts_of_its_own():
    imported = _imported_by("titan.events", "titan.consumers")
    assert {m for m in imported if m.startswith("contracts.")} == {"contracts.base"}


def test_a_handler_loads_only_the_contracts_it_uses():
    contracts = {m for m in _imported_by("cart.consumers") if m.startswith("contracts.")}
    assert "contracts.orders" in contracts
    assert len(contracts) < 6, contracts


def test_fulfilment_draws_labels_without_loading_fpdf_at_start_up():
    imported = _imported_by("fulfilment.api", "fulfilment.consumers")
    assert "fpdf" not in imported
