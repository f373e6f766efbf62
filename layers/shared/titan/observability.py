"""Powertools logger, tracer and metrics: one of each per function process.

Service name comes from ``POWERTOOLS_SERVICE_NAME`` (set per function in template.yaml), the
metrics namespace from ``POWERTOOLS_METRICS_NAMESPACE``. Logs are structured JSON with the
correlation id of the request or event that caused them.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()
