"""Routes: ``GET /health``, ``GET /openapi.json`` (the whole API, merged from every context),
``GET /docs`` (Swagger UI). All public."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html
from pydantic import BaseModel

import titan
from titan.api import create_app, lambda_handler

#: Written by ``make openapi`` (Powertools OpenAPIMerge over every functions/*/api.py).
OPENAPI_FILE = Path(__file__).with_name("openapi.json")
_SWAGGER_UI = Path(generate_swagger_html.__code__.co_filename).parent

app = create_app()


class Health(BaseModel):
    status: Literal["ok"]
    version: str


@app.get("/health", summary="Liveness of the API", tags=["meta"])
def health() -> Health:
    """Always 200 while the API answers; ``version`` is the deployed release."""
    return Health(status="ok", version=os.environ.get("TITAN_VERSION") or titan.__version__)


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(200, "application/json", OPENAPI_FILE.read_text())


@app.get("/docs", include_in_schema=False)
def docs() -> Response[str]:
    spec = OPENAPI_FILE.read_text().replace("</", "<\\/")
    html = generate_swagger_html(
        spec,
        (_SWAGGER_UI / "swagger-ui-bundle.min.js").read_text(),
        (_SWAGGER_UI / "swagger-ui.min.css").read_text(),
        None,
        None,
        False,
    )
    return Response(200, "text/html", html)


handler = lambda_handler(app)
