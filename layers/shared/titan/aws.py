"""AWS clients, one per service and process (boto3 clients are thread-safe once made and
costly to make: about 50 ms each on a cold start)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3


@cache
def client(service: str) -> Any:
    """The process's boto3 client for ``service`` (``"ses"``, ``"sqs"``...)."""
    return boto3.client(service)
