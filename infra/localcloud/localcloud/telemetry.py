"""Lambda's own CloudWatch metrics and logs: off in the local cloud unless asked for.

After every invocation LocalStack publishes an ``Invocations`` (and ``Errors``) metric with
PutMetricData and ships the invocation's log to CloudWatch Logs with PutLogEvents: two more
AWS requests, signed by a boto3 client and served by the same Python process, for every
invocation. Profiled with py-spy on invokes of a function that returns its input, they
were 37% of the cloud's CPU, and a checkout makes fifteen invocations. Nothing here reads
them: function logs are written to ``.localcloud/logs/functions/<name>.log`` (``make logs``)
and returned per invocation (``LogType=Tail``) by the executor, and no alarm is evaluated.

``LOCALCLOUD_CLOUDWATCH=1`` keeps LocalStack's behaviour (e.g. to try ``aws logs tail``).
"""

from __future__ import annotations

import os

from localstack.runtime import hooks


def wanted() -> bool:
    """Whether LocalStack should publish Lambda's metrics and logs to CloudWatch."""
    return os.environ.get("LOCALCLOUD_CLOUDWATCH", "") in ("1", "true")


@hooks.on_infra_start()
def keep_lambda_telemetry_local() -> None:
    if wanted():
        return
    from localstack.services.lambda_.invocation import version_manager

    def not_published(*_args, **_kwargs) -> None:
        """Lambda's CloudWatch metric, not published locally (see the module docstring)."""

    def logs_not_shipped(self, invocation_result, execution_env) -> None:
        """The invocation's log is in the function's log file already."""

    version_manager.record_cw_metric_invocation = not_published
    version_manager.record_cw_metric_error = not_published
    version_manager.LambdaVersionManager.store_logs = logs_not_shipped
