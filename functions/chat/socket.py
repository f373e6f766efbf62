"""The chat WebSocket API's function: every route of ``ChatSocketApi`` (template.yaml).

- ``$connect``: the REQUEST authorizer (identity's) let the caller in; the connection is
  remembered under the account and, for a seller's people, the shop.
- ``$disconnect``: forgotten.
- ``sendMessage`` ``{conversationId, text, attachments?, clientMessageId?}``: answered (the
  route's response) with ``{"type": "sent", "clientMessageId", "message"}``; the message goes
  to both sides' other connections.
- ``markRead`` ``{conversationId, messageId}``: answered ``{"type": "read", ...}``.
- ``typing`` ``{conversationId}``: the other side hears ``{"type": "typing"}``.
- ``$default`` (anything else): ``{"type": "error", "code": "UNKNOWN_ACTION"}``.

A refusal answers ``{"type": "error", "status", "code", "detail", "clientMessageId"?}`` with
the REST API's codes. Frames pushed to clients are listed in ``docs/chat.md``.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from pydantic import ValidationError

from chat import service
from chat.schemas import ReadFrame, SendFrame, TypingFrame
from titan.auth import principal_of
from titan.context import set_correlation_id
from titan.errors import Problem, Unauthorized
from titan.observability import logger

FRAMES = {"sendMessage": SendFrame, "markRead": ReadFrame, "typing": TypingFrame}


def _answer(payload: dict) -> dict:
    return {"statusCode": 200, "body": json.dumps(payload, separators=(",", ":"))}


def _refusal(problem: Problem, client_message_id: str | None = None) -> dict:
    # The frame's type says what it is; the problem's own type URI stays with REST.
    payload = {**problem.body(), "type": "error"}
    if client_message_id:
        payload["clientMessageId"] = client_message_id
    return _answer(payload)


def _frame(route: str, body: str | None):
    """The validated frame of ``route``. Raises Problem MALFORMED_JSON, VALIDATION_FAILED,
    UNKNOWN_ACTION."""
    model = FRAMES.get(route)
    if model is None:
        raise Problem(
            "Send a JSON object whose action is sendMessage, markRead or typing.",
            code="UNKNOWN_ACTION",
        )
    try:
        return model.model_validate_json(body or "")
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise Problem("The message is not valid JSON.", code="MALFORMED_JSON") from exc
        errors = [
            {"location": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        raise Problem(
            "The message is not valid.", status=422, code="VALIDATION_FAILED", errors=errors
        ) from exc


def _route(context: dict, route: str, body: str | None) -> dict:
    connection_id = context["connectionId"]
    caller = principal_of(context.get("authorizer") or {})
    if route == "$connect":
        if caller is None:
            raise Unauthorized("A bearer token is needed.")
        service.connected(connection_id, caller)
        return {"statusCode": 200}
    if route == "$disconnect":
        service.disconnected(connection_id, caller)
        return {"statusCode": 200}
    if caller is None:
        raise Unauthorized("A bearer token is needed.")
    frame = _frame(route, body)
    if isinstance(frame, SendFrame):
        sent = service.send(
            caller,
            frame.conversationId,
            frame.text,
            frame.attachments,
            frame.clientMessageId,
            origin=connection_id,
        )
        return _answer(
            {
                "type": "sent",
                "clientMessageId": frame.clientMessageId,
                "message": service.message_view(sent.message),
            }
        )
    if isinstance(frame, ReadFrame):
        service.mark_read(caller, frame.conversationId, frame.messageId)
        return _answer(
            {"type": "read", "conversationId": frame.conversationId, "upTo": frame.messageId}
        )
    service.typing(caller, frame.conversationId)
    return {"statusCode": 200}


@logger.inject_lambda_context
def handler(event: dict, _context: Any) -> dict:
    context = event.get("requestContext") or {}
    route = context.get("routeKey", "$default")
    set_correlation_id(context.get("requestId"))
    body = event.get("body")
    try:
        return _route(context, route, body)
    except Problem as problem:
        if route == "$connect":
            return {"statusCode": problem.status}
        return _refusal(problem, _client_message_id(body))


def _client_message_id(body: str | None) -> str | None:
    """The ``clientMessageId`` of a frame, if it has one, even an invalid frame."""
    with contextlib.suppress(ValueError):
        frame = json.loads(body or "{}")
        value = frame.get("clientMessageId") if isinstance(frame, dict) else None
        return value if isinstance(value, str) else None
    return None
