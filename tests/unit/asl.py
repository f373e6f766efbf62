"""The checkout and refund state machines run in-process for the unit tests, by the ASL
interpreter moto carries (LocalStack's Step Functions interpreter): the same files the real
Step Functions runs, every state type and path as it evaluates them. Each Task's Lambda call
goes to the context's step handler in this process, as Lambda would call it; a
``.waitForTaskToken`` task's answer comes from a ``waiter``, sent with SendTaskSuccess; when
the waiter says nobody answers (``TimedOut``), the task times out as it would on AWS (the
tests shorten its timeout)."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import time
import uuid
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
from moto.core.config import default_user_config
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.utils import json_path

# The interpreter logs every failed state as an error; a refusal is an outcome here.
logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)

# jsonpath_ng builds a new LR parser for every path it parses (some 40 ms each): the same few
# paths, parsed once per process.
json_path.parse = functools.lru_cache(maxsize=None)(json_path.parse)
result_path.parse = functools.lru_cache(maxsize=None)(result_path.parse)

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "checkout.asl.json").read_text())
REFUND_ASL = json.loads((ROOT / "statemachines" / "refund.asl.json").read_text())
ACCOUNT, REGION = "123456789012", "us-east-1"
#: The state that waits, by the action its function is called with.
WAITS = {"awaitDecision": "AwaitDecision", "awaitGoods": "AwaitGoods"}


class _NoWait:
    @staticmethod
    def sleep(seconds: float) -> None:
        return None


class TimedOut(Exception):
    """Raised by a ``waiter`` when nobody answers a task token in time (States.Timeout)."""


class Failed(Exception):
    def __init__(self, error: str, cause: str) -> None:
        super().__init__(error, cause)
        self.error, self.cause = error, cause


class _Lambda:
    """What the interpreter's Lambda client does: call the function in this process and
    answer as Lambda does (a raised exception is a ``FunctionError`` with its type)."""

    def __init__(self, handlers: dict[str, Any], tokens: list) -> None:
        self.handlers, self.tokens = handlers, tokens

    def invoke(self, FunctionName: str, Payload: Any = None, **_: Any) -> dict:
        name = FunctionName.rsplit(":", 1)[-1]
        event = json.loads(Payload) if isinstance(Payload, str | bytes) else Payload
        try:
            result = json.loads(json.dumps(self.handlers[name](event)))
            error = None
        except Exception as exc:  # what Lambda reports for an unhandled exception
            result = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
            error = "Unhandled"
        if error is None and isinstance(event, dict) and "taskToken" in event:
            self.tokens.append(event)
        out = {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(result).encode())}
        if error:
            out["FunctionError"] = error
        return out


def run_saga(
    handlers: dict[str, Any],
    state_input: dict,
    trace: list | None = None,
    asl: dict = ASL,
    waiter: Any = None,
) -> dict:
    """Run ``asl`` (checkout.asl.json by default) with ``handlers`` {substitution name:
    callable(event)}; ``trace`` gets the names of the states entered, in order. A
    ``.waitForTaskToken`` task calls its function with the token, then ``waiter(state name,
    data)`` for the answer (raising ``TimedOut`` for States.Timeout). Returns the output;
    raises ``Failed(error, cause)`` as a failed execution would."""
    definition = json.dumps(asl)
    for name in handlers:
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        definition = definition.replace("${" + name + "}", arn)
    sfn = boto3.client("stepfunctions", region_name=REGION)
    tokens: list = []
    fake = _Lambda(handlers, tokens)
    with contextlib.ExitStack() as stack:
        stack.enter_context(
            mock.patch.dict(default_user_config["stepfunctions"], {"execute_state_machine": True})
        )
        stack.enter_context(
            mock.patch.object(lambda_eval_utils, "boto_client_for", lambda **_: fake)
        )
        # Retries wait IntervalSeconds x BackoffRate^n; the tests count attempts, not seconds.
        stack.enter_context(mock.patch.object(retrier_decl, "time", _NoWait))
        machine = sfn.create_state_machine(
            name=f"saga-{uuid.uuid4().hex[:12]}",
            definition=definition,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/saga",
        )["stateMachineArn"]
        execution = sfn.start_execution(
            stateMachineArn=machine, name=uuid.uuid4().hex, input=json.dumps(state_input)
        )
        arn = execution["executionArn"]
        deadline = time.monotonic() + 60
        while True:
            described = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                break
            while tokens:
                event = tokens.pop(0)
                try:
                    answer = waiter(WAITS[event["action"]], event)
                except TimedOut:
                    continue  # nobody answers: the task's own timeout ends the wait
                sfn.send_task_success(taskToken=event["taskToken"], output=json.dumps(answer))
            if time.monotonic() > deadline:
                raise RuntimeError(f"the saga is still running after 60 s: {arn}")
            time.sleep(0.05)
        if trace is not None:
            events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
            entered = [
                e["stateEnteredEventDetails"]["name"]
                for e in events
                if "stateEnteredEventDetails" in e
            ]
            trace.extend(entered)
        # Finished: gone, or the next start's deep copy of the backend meets its threads.
        sfn.delete_state_machine(stateMachineArn=machine)
    if described["status"] == "SUCCEEDED":
        return json.loads(described["output"])
    raise Failed(described.get("error", ""), described.get("cause", ""))
