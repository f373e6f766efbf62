"""The checkout and refund state machines run in-process for the unit tests, by a minimal
interpreter of the ASL they use (Task, also ``.waitForTaskToken``; Choice, Pass, Succeed,
Fail; Parameters, ResultPath, InputPath, Retry, Catch by error name, ErrorPath/CausePath).
The real Step Functions runs the same files in the integration tests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from titan.saga import StepRefused

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "checkout.asl.json").read_text())
REFUND_ASL = json.loads((ROOT / "statemachines" / "refund.asl.json").read_text())


class TimedOut(Exception):
    """Raised by a ``waiter`` when nobody answers a task token in time (States.Timeout)."""


def _path(data: Any, path: str) -> Any:
    if path == "$":
        return data
    for part in path[2:].split("."):
        data = data[part]
    return data


def _params(template: dict, data: dict, token: str | None = None) -> dict:
    out = {}
    for k, v in template.items():
        if isinstance(v, dict):
            out[k] = _params(v, data, token)
        elif k.endswith(".$"):
            out[k[:-2]] = token if v == "$$.Task.Token" else _path(data, v)
        else:
            out[k] = v
    return out


def _matches(choice: dict, value: Any) -> bool:
    if "IsNull" in choice:
        return (value is None) is choice["IsNull"]
    if "StringEquals" in choice:
        return value == choice["StringEquals"]
    return value is choice["BooleanEquals"]


def _catcher(state: dict, error: str) -> dict | None:
    """The first Catch whose ErrorEquals names ``error`` or States.ALL."""
    for catch in state.get("Catch", []):
        if error in catch["ErrorEquals"] or "States.ALL" in catch["ErrorEquals"]:
            return catch
    return None


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


def run_saga(
    handlers: dict[str, Any],
    state_input: dict,
    trace: list | None = None,
    asl: dict = ASL,
    waiter: Any = None,
) -> dict:
    """Run ``asl`` (checkout.asl.json by default) with ``handlers`` {substitution name:
    callable(event)}. A ``.waitForTaskToken`` task calls its function with the token, then
    ``waiter(state name, data)`` for the answer (raising ``TimedOut`` for States.Timeout).
    Returns the output; raises ``Failed(error, cause)`` as a failed execution would."""
    data, name = state_input, asl["StartAt"]
    while True:
        state = asl["States"][name]
        if trace is not None:
            trace.append(name)
        kind = state["Type"]
        if kind == "Pass":
            return _path(data, state.get("InputPath", "$"))
        if kind == "Succeed":
            return data
        if kind == "Fail":
            raise Failed(_path(data, state["ErrorPath"]), _path(data, state["CausePath"]))
        if kind == "Choice":
            name = state["Default"]
            for choice in state["Choices"]:
                if _matches(choice, _path(data, choice["Variable"])):
                    name = choice["Next"]
                    break
            continue
        waits = state["Resource"].endswith(".waitForTaskToken")
        if waits:
            function = re.fullmatch(r"\$\{(\w+)\}", state["Parameters"]["FunctionName"]).group(1)
            payload = _params(state["Parameters"]["Payload"], data, token=f"token-{name}")
        else:
            function = re.fullmatch(r"\$\{(\w+)\}", state["Resource"]).group(1)
            payload = _params(state["Parameters"], data)
        attempts = 1 + max(
            (
                r["MaxAttempts"]
                for r in state.get("Retry", [])
                if r["ErrorEquals"] in (["States.ALL"], ["States.TaskFailed"])
            ),
            default=0,
        )
        error = None
        for _ in range(attempts):
            try:
                result = json.loads(json.dumps(handlers[function](payload)))
                if waits:
                    result = waiter(name, data)
                error = None
                break
            except TimedOut:
                error = ("States.Timeout", "no answer in time")
                break
            except StepRefused as exc:
                error = ("StepRefused", str(exc))
                break
            except Exception as exc:  # a fault: retried, as Retry States.ALL says
                error = (type(exc).__name__, str(exc))
        if error is not None:
            catch = _catcher(state, error[0])
            if not catch:
                raise RuntimeError(f"step {name} failed without a Catch: {error}")
            cause = json.dumps({"errorType": error[0], "errorMessage": error[1]})
            data = _set(data, catch["ResultPath"], {"Error": error[0], "Cause": cause})
            name = catch["Next"]
            continue
        data = _set(data, state.get("ResultPath", "$"), result)
        if state.get("End"):
            return data
        name = state["Next"]
