"""AWS clients, one per service and process (boto3 clients are thread-safe once made and
costly to make: about 50 ms each on a cold start)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config


@cache
def client(service: str) -> Any:
    """The process's boto3 client for ``service`` (``"ses"``, ``"sqs"``...)."""
    return boto3.client(service)


@cache
def signing_s3() -> Any:
    """The process's S3 client for presigned URLs and forms: Signature V4 (boto3 may otherwise
    presign with V2 in us-east-1), and path-style addressing when ``AWS_ENDPOINT_URL`` points
    at a local cloud, whose bucket names have no DNS."""
    style = "path" if os.environ.get("AWS_ENDPOINT_URL") else "auto"
    return boto3.client(
        "s3", config=Config(s3={"addressing_style": style}, signature_version="s3v4")
    )


@cache
def step_functions_sync(read_timeout: float) -> Any:
    """The process's Step Functions client for ``StartSyncExecution``: it waits at most
    ``read_timeout`` seconds and never retries (a retried start would run the saga again).
    The ``sync-`` host prefix boto3 would add is not injected: a local cloud has no such host."""
    return boto3.client(
        "stepfunctions",
        config=Config(
            inject_host_prefix=False, read_timeout=read_timeout, retries={"max_attempts": 0}
        ),
    )
