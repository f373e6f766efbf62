"""Seed data for a freshly deployed local cloud.

Each step is idempotent, so ``make up`` can run it on every start. Capabilities add their
steps here as they land (the catalog import is the next one).
"""

from __future__ import annotations

STEPS: list = []


def run(outputs: dict[str, str]) -> None:
    """Run every seed step against the stack described by ``outputs``."""
    for step in STEPS:
        step(outputs)
