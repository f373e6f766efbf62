"""Bounded Lambda concurrency for the local cloud: a crowd queues, it does not fork the machine.

LocalStack gives every concurrent invocation of a function its own execution environment,
up to the account's 1,000. Here an environment is a Python process of 70-200 MB, so 50
concurrent buyers started 311 of them (23 GiB) until the kernel's OOM killer killed the
cloud. On AWS the same crowd is bounded by concurrency limits; locally it is bounded by what
two cores and a few GB can hold:

- **Per function**, at most ``TITAN_LAMBDA_MAX_PER_FUNCTION`` invocations run at once (so at
  most that many environments exist). More wait, first come first served, in a queue of at
  most ``TITAN_LAMBDA_QUEUE_LENGTH`` invocations for at most ``TITAN_LAMBDA_QUEUE_SECONDS``;
  past either bound the invocation is throttled as Lambda throttles it:
  ``TooManyRequestsException`` (HTTP 429), which callers retry. The local API gateway answers
  a throttled proxy integration with its THROTTLED response, a 429 (AWS answers 500 unless
  the API maps the integration failure; a 429 tells a client to retry, which is what a full
  queue means).
- **In all**, at most ``TITAN_LAMBDA_MAX_ENVIRONMENTS`` environments exist. A function that
  needs one more while the cloud is full takes the place of the environment idle the longest
  (Lambda, too, reclaims idle environments); if none is idle it waits like a queued request.

Waiting instead of starting another process is also faster: on 2 cores a warm environment
frees up in milliseconds, a new one takes a second to import its handler. The limits and
their defaults, from the machine, are in ``localcloud.limits``; this module hooks them into
LocalStack's Lambda service. Figures in docs/benchmarks.md.

Provisioned concurrency, if a template asks for it, is left to LocalStack.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from localstack.runtime import hooks

from localcloud.limits import Throttled, limiter

LOG = logging.getLogger(__name__)


@hooks.on_infra_start()
def bound_lambda_concurrency() -> None:
    from localstack.aws.api.lambda_ import TooManyRequestsException
    from localstack.services.lambda_.invocation.assignment import AssignmentService
    from localstack.services.lambda_.invocation.lambda_models import InitializationType

    original = AssignmentService.get_environment
    if getattr(original, "_titan", False):
        return

    def throttle(e: Throttled) -> TooManyRequestsException:
        return TooManyRequestsException(
            f"Rate Exceeded. ({e})", Type="User", Reason="ConcurrentInvocationLimitExceeded"
        )

    @contextlib.contextmanager
    def get_environment(self, version_manager_id, function_version, provisioning_type) -> Iterator:
        if provisioning_type != InitializationType.on_demand:
            with original(self, version_manager_id, function_version, provisioning_type) as env:
                yield env
            return
        bound = limiter()
        try:
            bound.acquire(version_manager_id)
        except Throttled as e:
            raise throttle(e) from e
        try:
            with original(self, version_manager_id, function_version, provisioning_type) as env:
                yield env
        finally:
            bound.release(version_manager_id)

    def start_environment(self, version_manager_id, function_version):
        try:
            return limiter().start(
                self,
                version_manager_id,
                lambda: original_start(self, version_manager_id, function_version),
            )
        except Throttled as e:
            raise throttle(e) from e

    original_start = AssignmentService.start_environment
    _gateway_answers_throttles_with_429()
    get_environment._titan = True
    AssignmentService.get_environment = get_environment
    AssignmentService.start_environment = start_environment
    LOG.info("Lambda concurrency bounded: %s", limiter().stats())


def _gateway_answers_throttles_with_429() -> None:
    """A Lambda proxy integration throttled by the function's queue: THROTTLED (429), not the
    502 LocalStack gives every failed invoke."""
    from botocore.exceptions import ClientError
    from localstack.services.apigateway.next_gen.execute_api.gateway_response import (
        IntegrationFailureError,
        ThrottledError,
    )
    from localstack.services.apigateway.next_gen.execute_api.integrations.aws import (
        RestApiAwsProxyIntegration,
    )

    invoke = RestApiAwsProxyIntegration.invoke

    def invoke_or_throttle(self, context):
        try:
            return invoke(self, context)
        except IntegrationFailureError as e:
            cause = e.__cause__
            if isinstance(cause, ClientError) and (
                cause.response.get("Error", {}).get("Code") == "TooManyRequestsException"
            ):
                raise ThrottledError("Too Many Requests") from e
            raise

    RestApiAwsProxyIntegration.invoke = invoke_or_throttle
