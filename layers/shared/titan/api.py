"""The REST resolver every context's ``api.py`` builds on.

``create_app()`` returns a Powertools ``APIGatewayRestResolver`` with pydantic validation and
OpenAPI, CORS, and error handling that always answers ``application/problem+json``:

- ``Problem`` raised anywhere -> its status and stable code;
- a body that is not JSON -> 400 ``MALFORMED_JSON``;
- invalid query, path or header parameters -> 400 ``INVALID_PARAMETER``;
- an invalid body -> 422 ``VALIDATION_FAILED`` with ``errors: [{location, message, type}]``;
- an unknown route -> 404 ``ROUTE_NOT_FOUND``;
- a response that fails its own schema, or anything else -> 500 ``INTERNAL_ERROR`` (logged;
  the caller sees no detail).

``lambda_handler(app)`` wraps the resolver with the logger (request context, correlation id
from ``X-Correlation-Id`` or the API Gateway request id), the tracer and metrics.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestValidationError,
    ResponseValidationError,
)
from aws_lambda_powertools.logging import correlation_paths

from titan.context import set_correlation_id
from titan.errors import BadRequest, InternalError, Problem
from titan.observability import logger, metrics, tracer

PROBLEM_JSON = "application/problem+json"
CORS = CORSConfig(
    allow_origin="*",
    allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"],
    expose_headers=["Retry-After", "X-Correlation-Id"],
    max_age=600,
)
_PARAMETER_LOCATIONS = {"query", "path", "header", "cookie"}


def problem_response(problem: Problem) -> Response:
    """Render a ``Problem`` as an RFC 9457 response."""
    return Response(
        status_code=problem.status,
        content_type=PROBLEM_JSON,
        body=json.dumps(problem.body()),
        headers=problem.headers or None,
    )


def _describe(error: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in error.get("loc", ())]
    return {
        "location": ".".join(location),
        "message": error.get("msg", ""),
        "type": error.get("type", ""),
    }


def validation_problem(exc: RequestValidationError) -> Problem:
    """Map Powertools' validation errors onto our problem codes (see the module docstring)."""
    errors = list(exc.errors())
    described = [_describe(e) for e in errors]
    if any(e.get("type") == "json_invalid" for e in errors):
        return Problem(
            "The request body is not valid JSON.",
            status=400,
            code="MALFORMED_JSON",
            title="Malformed JSON",
            errors=described,
        )
    if errors and all(str(e.get("loc", ("",))[0]) in _PARAMETER_LOCATIONS for e in errors):
        return Problem(
            "One or more parameters are not valid.",
            status=400,
            code="INVALID_PARAMETER",
            title="Invalid parameter",
            errors=described,
        )
    return Problem(
        "The request body is not valid.",
        status=422,
        code="VALIDATION_FAILED",
        title="The request is not valid",
        errors=described,
    )


def create_app() -> APIGatewayRestResolver:
    """A resolver with validation, CORS and problem+json errors (see the module docstring)."""
    app = APIGatewayRestResolver(
        enable_validation=True, cors=CORS, response_validation_error_http_code=500
    )

    @app.exception_handler(Problem)
    def _problem(exc: Problem) -> Response:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response:
        return problem_response(validation_problem(exc))

    @app.exception_handler(ResponseValidationError)
    def _bad_response(exc: ResponseValidationError) -> Response:
        logger.error(
            "response failed validation", extra={"errors": [_describe(e) for e in exc.errors()]}
        )
        return problem_response(InternalError())

    @app.not_found
    def _not_found(_exc: Exception) -> Response:
        event = app.current_event
        return problem_response(
            Problem(
                f"No route for {event.http_method} {event.path}.",
                status=404,
                code="ROUTE_NOT_FOUND",
                title="Not found",
            )
        )

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return problem_response(InternalError())

    return app


def lambda_handler(app: APIGatewayRestResolver):
    """The Lambda entry point for ``app``: ``handler = lambda_handler(app)`` in api.py."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @tracer.capture_lambda_handler
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict, context: Any) -> dict:
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        request_id = (event.get("requestContext") or {}).get("requestId")
        set_correlation_id(headers.get("x-correlation-id") or request_id)
        return app.resolve(event, context)

    return handler


def page_cursor(last_key: dict | None) -> str | None:
    """The opaque ``cursor`` a paginated response returns for a DynamoDB query's
    ``last_evaluated_key`` (None on the last page)."""
    return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode() if last_key else None


def page_start(cursor: str | None) -> dict | None:
    """The ``last_evaluated_key`` a ``?cursor=`` continues from. Raises BadRequest
    ``INVALID_CURSOR`` for a cursor this API did not make."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:
        raise BadRequest("The cursor is not valid.", code="INVALID_CURSOR") from exc
    if not isinstance(key, dict):
        raise BadRequest("The cursor is not valid.", code="INVALID_CURSOR")
    return key
