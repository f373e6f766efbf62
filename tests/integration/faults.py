"""Fault injection into the stack's state machines on the local cloud: a function that always
fails, the stack's steps functions by the names the state machines' definitions use, and a
copy of a state machine with one Task pointed at the fault."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

FAULT = "def handler(event, context):\n    raise RuntimeError('injected fault')\n"


def step_arns(aws) -> dict[str, str]:
    """``{"CatalogSteps": arn, ...}``: every ``<Context>StepsFunction`` of the stack."""
    from localcloud import cloud as local

    lam = aws("lambda")
    return {
        key.removesuffix("Function"): lam.get_function(FunctionName=name)["Configuration"][
            "FunctionArn"
        ]
        for key, name in local.stack_functions().items()
        if key.endswith("StepsFunction")
    }


@contextmanager
def failing_function(aws, prefix: str) -> Iterator[str]:
    """A Lambda function that raises RuntimeError on every call (its ARN), deleted after."""
    lam = aws("lambda")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("fault.py", FAULT)
    name = f"{prefix}-fault-{uuid.uuid4().hex[:8]}"
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/fault",
        Handler="fault.handler",
        Code={"ZipFile": archive.getvalue()},
        Timeout=5,
    )["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    try:
        yield arn
    finally:
        lam.delete_function(FunctionName=name)


@contextmanager
def machine_with_fault(
    aws, asl: dict, arns: dict[str, str], fault: str, failing: str
) -> Iterator[str]:
    """An EXPRESS state machine like ``asl`` (Tasks name ``${<Context>Steps}``) with the
    Task ``failing`` pointed at ``fault``; its ARN, deleted after."""
    states = json.loads(json.dumps(asl))
    for name, state in states["States"].items():
        if state["Type"] != "Task":
            continue
        function = re.fullmatch(r"\$\{(\w+)\}", state["Resource"]).group(1)
        state["Resource"] = fault if name == failing else arns[function]
    sfn = aws("stepfunctions")
    arn = sfn.create_state_machine(
        name=f"fault-{failing}-{uuid.uuid4().hex[:6]}",
        definition=json.dumps(states),
        roleArn="arn:aws:iam::000000000000:role/fault",
        type="EXPRESS",
    )["stateMachineArn"]
    try:
        yield arn
    finally:
        sfn.delete_state_machine(stateMachineArn=arn)
