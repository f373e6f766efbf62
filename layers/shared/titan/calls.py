"""Synchronous calls between contexts, outside a saga: one context asks another's step
function for an operation and waits for the answer (the cart asks the catalog for prices,
returns ask orders for an order, payments ask the ledger to hold a wallet's money). The
called function is the same one Step Functions calls as a saga's Task (``titan.saga.steps``);
its refusals come back as the Problem they describe.
"""

from __future__ import annotations

import json
import os

from titan.aws import client
from titan.context import correlation_id
from titan.saga import refusal_from_cause


def invoke(function_env: str, action: str, payload: dict) -> dict:
    """Invoke another context's step function synchronously for ``action`` with
    ``payload``. ``function_env`` names the environment variable holding the function's
    name. Returns its result; a ``StepRefused`` comes back as the ``Problem`` it describes;
    any other failure raises ``RuntimeError``."""
    response = client("lambda").invoke(
        FunctionName=os.environ[function_env],
        Payload=json.dumps({"action": action, "correlationId": correlation_id(), **payload}),
    )
    body = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError"):
        problem = refusal_from_cause(body.get("errorType"), json.dumps(body))
        if problem is not None:
            raise problem
        raise RuntimeError(f"{os.environ[function_env]} failed: {body.get('errorMessage')}")
    return body
