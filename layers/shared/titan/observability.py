"""Powertools logger, tracer and metrics: one of each per function process.

Service name comes from ``POWERTOOLS_SERVICE_NAME`` (set per function in template.yaml), the
metrics namespace from ``POWERTOOLS_METRICS_NAMESPACE``. Logs are structured JSON with the
correlation id of the request or event that caused them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

logger = Logger()
tracer = Tracer()
metrics = Metrics()


def observed(handler: Callable[[dict, Any], Any]) -> Callable[[dict, Any], Any]:
    """A Lambda handler with the logger (Lambda context, state cleared per invocation), the
    tracer and the metrics (flushed as CloudWatch EMF at the end of each invocation)."""
    return logger.inject_lambda_context(clear_state=True)(
        tracer.capture_lambda_handler(metrics.log_metrics(handler))
    )


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
