"""Internal AWS clients for the local cloud: assumed roles reused, calls kept in-process.

1. When a LocalStack service acts with a role (a Step Functions Task calling Lambda, a Lambda
writing its logs...) it asks for a client with ``connect_to.with_assumed_role``, which calls
STS AssumeRole (an HTTP request from LocalStack to itself) and builds a new boto3 client for
the new credentials, on every call. Measured on an EXPRESS state machine of 13 Lambda Tasks
whose function returns its input: 864 ms, where 13 direct invokes take 13 x 30 ms; the rest
was AssumeRole and client construction, and the client cache kept up to 256 clients nobody
would use again.

   AWS's own SDKs keep assumed-role credentials until they near expiry. So does this: the
   client factory for one (role, principal, region, endpoint, config) is reused for
   ``REUSE_SECONDS``, well inside AssumeRole's default one-hour session.
2. Those internal clients then sent each call as an HTTP request to the cloud's own port:
   botocore's HTTP client on one side, hypercorn and the ASGI/WSGI adapters on the other,
   about 3 ms of the one Python process's CPU per call. API Gateway invoking a function, an
   authorizer, a Step Functions Task, an SQS poller handing a batch to its function: every
   Lambda invoke paid it. Clients of ``IN_PROCESS`` services now hand their request to the
   cloud's gateway in-process (LocalStack's own ``GatewayShortCircuit``, the mechanism of its
   ``IN_MEMORY_CLIENT`` setting), through the same handler chain. That setting itself is
   not used: with it, SQS's long-polling receives returned nothing, so SQS clients keep HTTP.
3. The internal Lambda clients do not retry (``limits.no_retries``): a throttled invocation
   waited in its function's queue already, and the SDK's four retries made a caller wait five
   queue-waits (about 2 minutes) for its 429.
"""

from __future__ import annotations

import threading
import time

from localstack.runtime import hooks

from localcloud.limits import no_retries

#: How long one AssumeRole's credentials (and the client factory built on them) are reused.
REUSE_SECONDS = 600.0
#: Internal clients whose calls go to the gateway in-process instead of over HTTP.
IN_PROCESS = frozenset({"lambda", "stepfunctions", "sts"})
_lock = threading.Lock()


def reuse_assumed_roles(factory_type) -> None:
    """Patch ``factory_type.with_assumed_role`` to memoise its result per arguments for
    ``REUSE_SECONDS`` (session names, which callers leave to LocalStack, are not part of the
    key). Idempotent."""
    original = factory_type.with_assumed_role
    if getattr(original, "_titan", False):
        return
    cache: dict[tuple, tuple[float, object]] = {}

    def with_assumed_role(self, *, role_arn, session_name=None, **kwargs):
        if session_name is not None:  # a caller that names its session gets its own
            return original(self, role_arn=role_arn, session_name=session_name, **kwargs)
        key = (id(self), role_arn, *sorted((k, _hashable(v)) for k, v in kwargs.items()))
        now = time.monotonic()
        with _lock:
            hit = cache.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        factory = original(self, role_arn=role_arn, **kwargs)
        with _lock:
            cache[key] = (now + REUSE_SECONDS, factory)
        return factory

    with_assumed_role._titan = True
    factory_type.with_assumed_role = with_assumed_role


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def call_in_process(factory_type, services: frozenset[str]) -> None:
    """Patch ``factory_type`` (LocalStack's internal client factory) so the clients it builds
    for ``services`` call the gateway in-process. Idempotent."""
    from localstack.aws.client import GatewayShortCircuit, botocore_in_memory_endpoint_patch
    from localstack.runtime import get_current_runtime

    original = factory_type._get_client_post_hook
    if getattr(original, "_titan", False):
        return
    if not botocore_in_memory_endpoint_patch.is_applied:
        botocore_in_memory_endpoint_patch.apply()  # requests carry their parsed parameters

    def _get_client_post_hook(self, client):
        client = original(self, client)
        name = client.meta.service_model.service_name
        if name in services:
            GatewayShortCircuit.modify_client(client, get_current_runtime().components.gateway)
        if name == "lambda":
            no_retries(client)  # a throttle already waited in the function's queue
        return client

    _get_client_post_hook._titan = True
    factory_type._get_client_post_hook = _get_client_post_hook


@hooks.on_infra_start()
def reuse_assumed_role_clients() -> None:
    from localstack.aws.connect import ClientFactory, InternalClientFactory

    reuse_assumed_roles(ClientFactory)
    call_in_process(InternalClientFactory, IN_PROCESS)
