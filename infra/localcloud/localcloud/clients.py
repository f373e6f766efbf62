"""Internal AWS clients for the local cloud: an assumed role's credentials are reused.

When a LocalStack service acts with a role (a Step Functions Task calling Lambda, a Lambda
writing its logs...) it asks for a client with ``connect_to.with_assumed_role``, which calls
STS AssumeRole (an HTTP request from LocalStack to itself) and builds a new boto3 client for
the new credentials, on every call. Measured on an EXPRESS state machine of 13 Lambda Tasks
whose function returns its input: 864 ms, where 13 direct invokes take 13 x 30 ms; the rest
was AssumeRole and client construction, and the client cache kept up to 256 clients nobody
would use again.

AWS's own SDKs keep assumed-role credentials until they near expiry. So does this: the client
factory for one (role, principal, region, endpoint, config) is reused for ``REUSE_SECONDS``,
well inside AssumeRole's default one-hour session.
"""

from __future__ import annotations

import threading
import time

from localstack.runtime import hooks

#: How long one AssumeRole's credentials (and the client factory built on them) are reused.
REUSE_SECONDS = 600.0
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


@hooks.on_infra_start()
def reuse_assumed_role_clients() -> None:
    from localstack.aws.connect import ClientFactory

    reuse_assumed_roles(ClientFactory)
