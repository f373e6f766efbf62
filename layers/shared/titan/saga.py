"""Saga steps: Lambda handlers that Step Functions calls as Tasks, and how they fail.

A step handler receives ``{"action": "<name>", ...}`` and returns a JSON-ready dict. One
function per context serves all of that context's steps (``steps(handlers)`` dispatches on
``action``): fewer functions stay warm, and a context's steps share their clients.

Failures:
- ``StepRefused(code, status, detail)``: a business refusal (out of stock, declined card). The
  state machine does not retry it; it compensates and fails with it. Its Lambda ``errorType``
  is ``StepRefused`` and its ``errorMessage`` is the JSON ``{"code", "status", "detail"}``, so
  the API can answer with the same problem (``refusal_from_cause``).
- any other exception: a fault. The state machine retries it (back-off), then compensates.
Every action must be idempotent: Step Functions may run a Task more than once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from titan.context import set_correlation_id
from titan.errors import Problem
from titan.observability import logger, observed


class StepRefused(Exception):
    """A saga step's business refusal: ``code`` (stable, e.g. ``OUT_OF_STOCK``), the HTTP
    ``status`` the API should answer with, a human ``detail``, and JSON-ready ``extra``."""

    def __init__(self, code: str, status: int, detail: str, **extra: Any) -> None:
        self.code, self.status, self.detail, self.extra = code, status, detail, extra
        super().__init__(json.dumps({"code": code, "status": status, "detail": detail, **extra}))

    def problem(self) -> Problem:
        """The ``Problem`` the API answers with for this refusal."""
        title = self.code.replace("_", " ").capitalize()
        return Problem(self.detail, status=self.status, code=self.code, title=title, **self.extra)


def refusal_from_cause(error: str | None, cause: str | None) -> Problem | None:
    """The ``Problem`` a failed execution's ``error``/``cause`` carries, if a step refused
    (``StepRefused``); None for faults. ``cause`` is Lambda's error JSON as Step Functions
    passes it (``{"errorMessage": ..., "errorType": ...}``)."""
    if error != StepRefused.__name__ or not cause:
        return None
    try:
        message = json.loads(cause)
        details = json.loads(message["errorMessage"]) if "errorMessage" in message else message
        refusal = StepRefused(
            details.pop("code"), int(details.pop("status")), details.pop("detail"), **details
        )
    except (ValueError, KeyError, TypeError):
        return None
    return refusal.problem()


def steps(handlers: dict[str, Callable[[dict], dict]]) -> Callable[[dict, Any], dict]:
    """A Lambda handler that runs ``handlers[event["action"]](event)``.

    An unknown action raises ValueError (a deployment error, not a refusal)."""

    @observed
    def handler(event: dict, context: Any) -> dict:
        action = event.get("action")
        if action not in handlers:
            raise ValueError(f"unknown step action {action!r}")
        set_correlation_id(event.get("correlationId"))
        logger.append_keys(action=action, correlation_id=event.get("correlationId"))
        try:
            return handlers[action](event)
        except StepRefused as refusal:
            logger.info("step refused", extra={"code": refusal.code})
            raise

    handler.actions = handlers  # type: ignore[attr-defined]  (tests call actions directly)
    return handler
