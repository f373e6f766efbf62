"""The REST resolver every context's ``api.py`` builds on.

``create_app()`` returns a Powertools ``APIGatewayRestResolver`` with pydantic validation and
OpenAPI, CORS, and error handling that always answers ``application/problem+json``:

- ``Problem`` raised anywhere -> its status and stable code;
- a caller the route does not admit (its ``security=bearer(...)``) -> 401 / 403 ``FORBIDDEN``,
  before anything else about the request is looked at;
- a body that is not JSON, or not UTF-8 (RFC 8259 section 8.1) -> 400 ``MALFORMED_JSON``;
- invalid query, path or header parameters -> 400 ``INVALID_PARAMETER``;
- an invalid body -> 422 ``VALIDATION_FAILED`` with ``errors: [{location, message, type}]``;
- an unknown route -> 404 ``ROUTE_NOT_FOUND``;
- a response that fails its own schema, or anything else -> 500 ``INTERNAL_ERROR`` (logged;
  the caller sees no detail).

``lambda_handler(app)`` wraps the resolver with the logger (request context, correlation id
from ``X-Correlation-Id`` or the API Gateway request id) and metrics.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestValidationError,
    ResponseValidationError,
)
from aws_lambda_powertools.logging import correlation_paths

from titan.auth import BEARER, check, principal, route_roles
from titan.context import set_correlation_id
from titan.errors import InternalError, Problem
from titan.observability import logger, metrics

PROBLEM_JSON = "application/problem+json"
CORS = CORSConfig(
    allow_origin="*",
    allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"],
    expose_headers=["Retry-After", "X-Correlation-Id"],
    max_age=600,
)
_PARAMETER_LOCATIONS = {"query", "path", "header", "cookie"}


def security_schemes() -> dict:
    """The OpenAPI document's security schemes: the access token from ``POST /auth/login``;
    an operation's requirement lists the roles it admits (``titan.auth.bearer``).

    Built only for the document (``make openapi``, infra/tools/openapi.py;
    ``Resolver.get_openapi_schema``), never by a function at start-up: importing Powertools'
    OpenAPI models cost every API function's cold start about 130 ms (docs/benchmarks.md), and
    the routes' ``security`` is read without them."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return {
        BEARER: HTTPBearer(
            bearerFormat="JWT",
            description="`Authorization: Bearer <accessToken>` (ES256 JWT from POST "
            "/auth/login, 15 minutes). An operation's requirement lists the roles it admits: "
            "customer, seller, staff, admin; an empty list admits any signed-in account.",
        )
    }


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


MALFORMED_BODY = Problem(
    "The request body is not valid JSON text encoded in UTF-8.",
    status=400,
    code="MALFORMED_JSON",
    title="Malformed JSON",
)


def _readable_body(event) -> bool:
    """Whether the body decodes as UTF-8 (base64 first when API Gateway encoded it)."""
    try:
        body = event.decoded_body
        if body:
            body.encode("utf-8")  # a str body may carry lone surrogates
    except ValueError:  # UnicodeError and binascii.Error are ValueErrors
        return False
    return True


class Resolver(APIGatewayRestResolver):
    """Powertools' REST resolver, checking the caller and the body's encoding before the
    validation middleware, which Powertools always runs first."""

    def _call_route(self, route, route_arguments):
        signed_in, roles = route_roles(route.security)
        try:
            if signed_in:
                check(principal(self), roles)
            if not _readable_body(self.current_event):
                raise MALFORMED_BODY
        except Problem as problem:
            return self._response_builder_class(
                response=problem_response(problem), serializer=self._serializer, route=route
            )
        return super()._call_route(route, route_arguments)

    def get_openapi_schema(self, **kwargs):
        """The context's OpenAPI document, with the security schemes, which are configured
        here rather than at start-up (``security_schemes``)."""
        if not self.openapi_config.security_schemes:
            self.configure_openapi(security_schemes=security_schemes())
        return super().get_openapi_schema(**kwargs)


_STATUS_TEXT = {201: "Created", 202: "Accepted", 204: "No content"}


def answers(status: int, model: type | None = None) -> dict:
    """The ``responses=`` of a route whose success is ``status`` rather than 200, so the
    document says what the route sends: ``@app.post(..., responses=answers(201, Out))``;
    no model for 204."""
    answer: dict = {"description": _STATUS_TEXT.get(status, "Success")}
    if model is not None:
        answer["content"] = {"application/json": {"model": model}}
    return {status: answer}


def create_app() -> APIGatewayRestResolver:
    """A resolver with validation, CORS and problem+json errors (see the module docstring)."""
    app = Resolver(enable_validation=True, cors=CORS, response_validation_error_http_code=500)

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
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict, context: Any) -> dict:
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        request_id = (event.get("requestContext") or {}).get("requestId")
        set_correlation_id(headers.get("x-correlation-id") or request_id)
        return app.resolve(event, context)

    return handler
