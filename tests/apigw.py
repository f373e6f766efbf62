"""Builds API Gateway REST (v1) proxy events for calling handlers directly in unit tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class FakeContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:test-function"
    memory_limit_in_mb: int = 512
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def event(
    method: str,
    path: str,
    body: Any = None,
    headers: dict | None = None,
    authorizer: dict | None = None,
    raw_body: str | None = None,
    source_ip: str = "127.0.0.1",
) -> dict:
    """An API Gateway REST proxy event for ``method path?query`` with a JSON ``body``."""
    parts = urlsplit(path)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) or None
    multi = {k: [v] for k, v in (query or {}).items()} or None
    if raw_body is None and body is not None:
        raw_body = json.dumps(body)
    return {
        "resource": parts.path,
        "path": parts.path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "requestId": "req-1",
            "stage": "test",
            "httpMethod": method,
            "path": f"/test{parts.path}",
            "resourcePath": parts.path,
            "identity": {"sourceIp": source_ip},
            "authorizer": authorizer,
        },
        "body": raw_body,
        "isBase64Encoded": False,
    }


def call(handler, method: str, path: str, body: Any = None, **kwargs) -> tuple[int, dict, Any]:
    """Invoke ``handler`` and return (status, headers, parsed JSON body or text)."""
    response = handler(event(method, path, body, **kwargs), FakeContext())
    text = response.get("body") or ""
    try:
        parsed = json.loads(text) if text else None
    except json.JSONDecodeError:
        parsed = text
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    for key, values in (response.get("multiValueHeaders") or {}).items():
        headers.setdefault(key.lower(), values[-1])
    return response["statusCode"], headers, parsed
