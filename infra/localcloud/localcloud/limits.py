"""The local cloud's Lambda concurrency limits (see ``localcloud.concurrency``): plain Python,
no LocalStack import, so the tests and the cloud's own tools read the same defaults."""

from __future__ import annotations

import os
import threading
import time
from collections import deque

#: LocalStack's InitializationType.on_demand (a StrEnum): environments started per request.
ON_DEMAND = "on-demand"
#: Resident memory of one warm environment we plan for (catalog's, with its search index,
#: are the largest: about 200 MB; most are 70-130 MB).
ENVIRONMENT_MB = 150


class Throttled(Exception):
    """The function's queue is full or its wait ran out (Lambda's TooManyRequestsException)."""


def default_limits() -> tuple[int, int]:
    """(per function, in all) for this machine: 2 per core per function, at least 4; in all,
    what a quarter of the memory holds at ``ENVIRONMENT_MB`` each, between 16 and 96."""
    cores = os.cpu_count() or 2
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        pages = 8 << 30
    total = int(pages / (1 << 20) / 4 / ENVIRONMENT_MB)
    return max(4, 2 * cores), min(96, max(16, total))


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name) or default)
    except ValueError:
        return default


class Limiter:
    """The slots: ``per_function`` running invocations per function, ``total`` environments.

    ``acquire(function)`` blocks until the function may run one more invocation (or raises
    Throttled); ``release(function)`` gives the slot to the longest-waiting invocation, first
    come first served, or frees it. ``start(assignment, function, ...)`` starts an
    environment once the cloud has room for it.
    """

    def __init__(self, per_function: int, total: int, queue_length: int, queue_s: float) -> None:
        self.per_function = per_function
        self.total = total
        self.queue_length = queue_length
        self.queue_s = queue_s
        self._cond = threading.Condition()
        self._running: dict[str, int] = {}
        self._queues: dict[str, deque[threading.Event]] = {}  # per function, oldest first
        self.throttled = 0
        self.waited = 0
        self.evicted = 0
        self._starting = 0

    def acquire(self, function: str) -> None:
        with self._cond:
            queue = self._queues.setdefault(function, deque())
            if self._running.get(function, 0) < self.per_function and not queue:
                self._running[function] = self._running.get(function, 0) + 1
                return
            if len(queue) >= self.queue_length:
                self.throttled += 1
                raise Throttled(f"{function}: {self.queue_length} invocations already queued")
            ticket = threading.Event()  # set by release() when the slot is handed over
            queue.append(ticket)
            self.waited += 1
        # Each waiter sleeps on its own ticket: a release wakes the one it serves, not all
        # (with 50 clients queued, waking every waiter per release cost more than the work).
        if ticket.wait(self.queue_s):
            return
        with self._cond:
            if ticket.is_set():  # handed over just as the wait ran out
                return
            queue.remove(ticket)
            self.throttled += 1
        raise Throttled(f"{function}: no environment free in {self.queue_s:.0f} s")

    def release(self, function: str) -> None:
        with self._cond:
            queue = self._queues.get(function)
            if queue:
                queue.popleft().set()  # the slot passes to the oldest waiter
            else:
                self._running[function] -= 1
                self._cond.notify_all()  # a start() waiting for room may go on

    def start(self, assignment, function: str, start_environment):
        """Start an environment for ``function`` with ``start_environment()`` once the cloud
        has room: when it holds ``total`` environments (counting those starting), first stop
        the environment of another function idle the longest; if none is idle, wait for one
        up to the queue's time (then Throttled). Returns what ``start_environment`` returns."""
        deadline = time.monotonic() + self.queue_s
        while True:
            with self._cond:
                environments = [
                    (manager, env)
                    for manager, envs in list(assignment.environments.items())
                    for env in list(envs.values())
                ]
                if len(environments) + self._starting < self.total:
                    self._starting += 1
                    break
                victim = _longest_idle(environments, function)
                if victim is None:
                    if time.monotonic() >= deadline:
                        self.throttled += 1
                        raise Throttled(f"{function}: all {self.total} environments busy")
                    self._cond.wait(min(0.05, max(0.0, deadline - time.monotonic())))
                    continue
                self._starting += 1  # the victim's place is ours
                self.evicted += 1
            assignment.stop_environment(victim)
            break
        try:
            return start_environment()
        finally:
            with self._cond:
                self._starting -= 1
                self._cond.notify_all()

    def stats(self) -> dict[str, int]:
        with self._cond:
            return {
                "perFunction": self.per_function,
                "total": self.total,
                "running": sum(self._running.values()),
                "waiting": sum(len(q) for q in self._queues.values()),
                "waited": self.waited,
                "throttled": self.throttled,
                "evicted": self.evicted,
            }


def _longest_idle(environments: list, function: str):
    """Reserve and return the on-demand environment of a function other than ``function``
    idle the longest, or None. Reserving (READY -> INVOKING) keeps anyone else from taking
    it before it is stopped."""
    idle = [
        env
        for manager, env in environments
        if manager != function
        and getattr(env.status, "name", None) == "READY"
        and str(env.initialization_type) == ON_DEMAND
    ]
    for env in sorted(idle, key=lambda e: e.last_returned):
        try:
            env.reserve()
        except Exception:  # noqa: S112 - taken by an invocation meanwhile
            continue
        return env
    return None


LIMITER: Limiter | None = None


def limiter() -> Limiter:
    """The process's limiter, from the ``TITAN_LAMBDA_*`` settings or ``default_limits``."""
    global LIMITER
    if LIMITER is None:
        per_function, total = default_limits()
        LIMITER = Limiter(
            per_function=_env_int("TITAN_LAMBDA_MAX_PER_FUNCTION", per_function),
            total=_env_int("TITAN_LAMBDA_MAX_ENVIRONMENTS", total),
            queue_length=_env_int("TITAN_LAMBDA_QUEUE_LENGTH", 1000),
            queue_s=float(_env_int("TITAN_LAMBDA_QUEUE_SECONDS", 25)),
        )
    return LIMITER


def no_retries(client) -> None:
    """Take botocore's retry handler off ``client`` (a boto3 client). For the cloud's own
    Lambda clients (API Gateway's integration, Step Functions' Tasks): a throttled invocation
    has already waited its turn in the function's queue (``TITAN_LAMBDA_QUEUE_SECONDS``);
    retried four more times by the SDK it waited five times as long before its caller heard.
    On AWS neither caller retries on its own: API Gateway answers at once, Step Functions
    retries as the state's ``Retry`` says."""
    event = client.meta.service_model.service_id.hyphenize()
    client.meta.events.unregister(f"needs-retry.{event}", unique_id=f"retry-config-{event}")
