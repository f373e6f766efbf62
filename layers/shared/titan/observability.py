"""Powertools logger and metrics: one of each per function process.

Service name comes from ``POWERTOOLS_SERVICE_NAME`` (set per function in template.yaml), the
metrics namespace from ``POWERTOOLS_METRICS_NAMESPACE``. Logs are structured JSON with the
correlation id of the request or event that caused them.

Tracing is Lambda's own (``Tracing: Active`` in the templates, API Gateway's
``TracingEnabled``): X-Ray records each function's invocation, and the trace header travels
through API Gateway, Step Functions and EventBridge. There is no X-Ray SDK in the functions:
its import builds two botocore clients for centralised sampling, which Lambda does not use,
and cost a cold start 360 ms on this machine (about a second at 512 MB); its per-call
subsegments were not worth that on every cold start (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

logger = Logger()
metrics = Metrics()


def observed(handler: Callable[[dict, Any], Any]) -> Callable[[dict, Any], Any]:
    """A Lambda handler with the logger (Lambda context, state cleared per invocation) and
    the metrics (flushed as CloudWatch EMF at the end of each invocation)."""
    return logger.inject_lambda_context(clear_state=True)(metrics.log_metrics(handler))


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """Add ``value`` to the business metric ``name`` (a CloudWatch EMF count in the
    ``POWERTOOLS_METRICS_NAMESPACE`` namespace, published when the invocation ends), under
    ``dimensions`` (low-cardinality only: a method, a code; never an id)."""
    if dimensions:
        with single_metric(name=name, unit=MetricUnit.Count, value=value) as metric:
            for key, dimension in dimensions.items():
                metric.add_dimension(name=key, value=dimension)
        return
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
