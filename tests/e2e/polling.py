"""Waiting for what the platform does asynchronously (indexers, event consumers)."""

from __future__ import annotations

import time


def until(read, accept, what: str, timeout: float):
    """``read()`` again every 0.5 s until ``accept(result)``; that result. Raises
    AssertionError naming ``what`` and the last result after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = read()
        if accept(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not seen in {timeout} s; last: {result}")
        time.sleep(0.5)
