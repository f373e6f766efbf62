"""The checkout state machine run in-process for the shopping-core unit tests, by a minimal
interpreter of the ASL it uses (Task, Choice, Pass, Fail; Parameters, ResultPath, InputPath,
Retry, Catch, ErrorPath/CausePath). The real Step Functions runs the same file in the
integration tests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from titan.saga import StepRefused

ROOT = Path(__file__).resolve().parents[3]
ASL = json.loads((ROOT / "statemachines" / "checkout.asl.json").read_text())


def _path(data: Any, path: str) -> Any:
    if path == "$":
        return data
    for part in path[2:].split("."):
        data = data[part]
    return data


def _params(template: dict, data: dict) -> dict:
    return {
        (k[:-2] if k.endswith(".$") else k): (_path(data, v) if k.endswith(".$") else v)
        for k, v in template.items()
    }


def _set(data: dict, path: str | None, value: Any) -> dict:
    if path is None:
        return data
    if path == "$":
        return value
    out = json.loads(json.dumps(data))
    target = out
    parts = path[2:].split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
    return out


class Failed(Exception):
    def __init__(self, error: str, cause: str) -> None:
        super().__init__(error, cause)
        self.error, self.cause = error, cause


def run_saga(handlers: dict[str, Any], state_input: dict, trace: list | None = None) -> dict:
    """Run checkout.asl.json with ``handlers`` {substitution name: callable(event)}. Returns
    the output; raises ``Failed(error, cause)`` as a failed execution would."""
    data, name = state_input, ASL["StartAt"]
    while True:
        state = ASL["States"][name]
        if trace is not None:
            trace.append(name)
        kind = state["Type"]
        if kind == "Pass":
            return _path(data, state.get("InputPath", "$"))
        if kind == "Fail":
            raise Failed(_path(data, state["ErrorPath"]), _path(data, state["CausePath"]))
        if kind == "Choice":
            name = state["Default"]
            for choice in state["Choices"]:
                value = _path(data, choice["Variable"])
                if "IsNull" in choice:
                    matched = (value is None) is choice["IsNull"]
                else:
                    matched = value is choice["BooleanEquals"]
                if matched:
                    name = choice["Next"]
                    break
            continue
        function = re.fullmatch(r"\$\{(\w+)\}", state["Resource"]).group(1)
        payload = _params(state["Parameters"], data)
        attempts = 1 + max(
            (
                r["MaxAttempts"]
                for r in state.get("Retry", [])
                if r["ErrorEquals"] == ["States.ALL"]
            ),
            default=0,
        )
        error = None
        for _ in range(attempts):
            try:
                result = json.loads(json.dumps(handlers[function](payload)))
                error = None
                break
            except StepRefused as exc:
                error = ("StepRefused", str(exc))
                break
            except Exception as exc:  # a fault: retried, as Retry States.ALL says
                error = (type(exc).__name__, str(exc))
        if error is not None:
            catch = state.get("Catch")
            if not catch:
                raise RuntimeError(f"compensation {name} failed: {error}")
            cause = json.dumps({"errorType": error[0], "errorMessage": error[1]})
            data = _set(data, catch[0]["ResultPath"], {"Error": error[0], "Cause": cause})
            name = catch[0]["Next"]
            continue
        data = _set(data, state.get("ResultPath", "$"), result)
        if state.get("End"):
            return data
        name = state["Next"]
