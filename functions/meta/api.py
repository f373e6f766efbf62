"""Routes: ``GET /health`` (liveness), ``GET /health/ready`` (readiness: the function's
DynamoDB table and event bus answer), ``GET /openapi.json`` (the whole API, merged from every
context), ``GET /docs`` (Swagger UI), and a catch-all answering 404 problem+json. All public."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel

import titan
from meta import settings
from titan.api import create_app, lambda_handler

#: Written by ``make openapi`` (Powertools OpenAPIMerge over every functions/*/api.py).
OPENAPI_FILE = Path(__file__).with_name("openapi.json")

app = create_app()


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Check(BaseModel):
    name: str
    ok: bool
    latency_ms: float
    error: str | None = None


class Readiness(BaseModel):
    status: Literal["ready", "degraded"]
    version: str
    stage: str
    checks: list[Check]


def _version() -> str:
    return settings.SETTINGS.titan_version or titan.__version__


@app.get("/health", summary="Liveness of the API", tags=["meta"])
def health() -> Health:
    """Always 200 while the API answers; ``version`` is the deployed release."""
    return Health(status="ok", version=_version())


def _check(name: str, probe) -> Check:
    began = time.perf_counter()
    try:
        probe()
        return Check(name=name, ok=True, latency_ms=round((time.perf_counter() - began) * 1000, 1))
    except Exception as exc:
        return Check(
            name=name,
            ok=False,
            latency_ms=round((time.perf_counter() - began) * 1000, 1),
            error=type(exc).__name__,
        )


@app.get("/health/ready", summary="Readiness: DynamoDB and EventBridge answer", tags=["meta"])
def ready() -> Response[Readiness]:
    """200 when the idempotency table (DynamoDB) and the event bus (EventBridge) named in the
    function's environment answer, 503 with the failing checks otherwise."""
    import boto3  # here, not at module level: /health's cold start does not need it

    checks = [
        _check(
            "dynamodb",
            lambda: boto3.client("dynamodb").describe_table(
                TableName=settings.SETTINGS.idempotency_table
            ),
        ),
        _check(
            "eventbridge",
            lambda: boto3.client("events").describe_event_bus(
                Name=settings.SETTINGS.event_bus_name
            ),
        ),
    ]
    healthy = all(c.ok for c in checks)
    body = Readiness(
        status="ready" if healthy else "degraded",
        version=_version(),
        stage=settings.SETTINGS.titan_stage,
        checks=checks,
    )
    return Response(200 if healthy else 503, "application/json", body)


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(200, "application/json", OPENAPI_FILE.read_text())


@app.get("/docs", include_in_schema=False)
def docs() -> Response[str]:
    # Imported here: Swagger UI's models cost ~170 ms of cold start that /health need not pay.
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    assets = Path(generate_swagger_html.__code__.co_filename).parent
    spec = OPENAPI_FILE.read_text().replace("</", "<\\/")
    html = generate_swagger_html(
        spec,
        (assets / "swagger-ui-bundle.min.js").read_text(),
        (assets / "swagger-ui.min.css").read_text(),
        None,
        None,
        False,
    )
    return Response(200, "text/html", html)


handler = lambda_handler(app)
