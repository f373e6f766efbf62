"""``Idempotency-Key`` for mutating routes, on Powertools idempotency (DynamoDB persistence).

Why the library: it already handles the hard parts (a conditional write claims the key, a
concurrent duplicate sees it in progress, a Lambda timeout releases it, results expire).

``idempotent(app, operation, request, run)`` calls ``run()`` once per (operation, caller,
key) within ``EXPIRES_SECONDS`` and returns its JSON result; a retry with the same key gets
the stored result without running anything. Without the header, ``run()`` just runs.

Raises (``titan.errors``): BadRequest INVALID_IDEMPOTENCY_KEY (not 1-255 visible ASCII
characters), Unprocessable IDEMPOTENCY_KEY_REUSED (same key, different request), Conflict
REQUEST_IN_PROGRESS (the first request with this key is still running).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from titan.errors import BadRequest, Conflict, Unprocessable

HEADER = "idempotency-key"
EXPIRES_SECONDS = 24 * 3600
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@cache
def persistence(purpose: str) -> DynamoDBPersistenceLayer:
    """A Powertools persistence layer on ``IDEMPOTENCY_TABLE`` for one ``purpose`` (one per
    process). Each purpose needs its own: a layer keeps the first ``IdempotencyConfig`` it is
    used with (its key path, its expiry) and ignores any other."""
    return DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])


def idempotent(
    app: APIGatewayRestResolver,
    operation: str,
    caller: str,
    request: Any,
    run: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """``run()``'s result, computed once per ``Idempotency-Key`` (see the module docstring).
    ``request``: the JSON-ready request the key must keep meaning."""
    key = request_key(app)
    if key is None:
        return run()
    if not _KEY.match(key):
        raise BadRequest(
            "Idempotency-Key must be 1-255 visible ASCII characters.",
            code="INVALID_IDEMPOTENCY_KEY",
        )
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        expires_after_seconds=EXPIRES_SECONDS,
    )
    if app.lambda_context is not None:
        config.register_lambda_context(app.lambda_context)

    @idempotent_function(
        data_keyword_argument="data", persistence_store=persistence("requests"), config=config
    )
    def once(data: dict) -> dict:
        return run()

    try:
        return once(data={"key": f"{operation}|{caller}|{key}", "request": digest})
    except IdempotencyValidationError as exc:
        raise Unprocessable(
            "This Idempotency-Key was used for a different request.",
            code="IDEMPOTENCY_KEY_REUSED",
        ) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress; retry shortly.",
            code="REQUEST_IN_PROGRESS",
        ) from exc


def request_key(app: APIGatewayRestResolver) -> str | None:
    """The request's Idempotency-Key (header names are case-insensitive), or None."""
    for name, value in (app.current_event.headers or {}).items():
        if name.lower() == HEADER:
            return value
    return None


def require_key(app: APIGatewayRestResolver) -> str:
    """For routes where a retry without a key could act twice (an order, a reservation):
    the request's Idempotency-Key; raises BadRequest ``IDEMPOTENCY_KEY_REQUIRED`` when it has
    none."""
    key = request_key(app)
    if key is not None:
        return key
    raise BadRequest(
        f"{app.current_event.http_method} {app.current_event.resource} needs an "
        "Idempotency-Key header.",
        code="IDEMPOTENCY_KEY_REQUIRED",
    )
