"""The local cloud's Lambda concurrency limits: invocations queue per function, then are
throttled; a full cloud stops its longest-idle environment to start another, or waits."""

import enum
import threading
import time

import pytest

from localcloud.limits import Limiter, Throttled, default_limits


class Status(enum.Enum):  # the names LocalStack's RuntimeStatus uses
    READY = 1
    INVOKING = 2


class Env:
    def __init__(self, idle_since: float, status: Status = Status.READY) -> None:
        self.status, self.last_returned = status, idle_since
        self.initialization_type = "on-demand"

    def reserve(self) -> None:
        if self.status is not Status.READY:
            raise RuntimeError("not ready")
        self.status = Status.INVOKING


class Assignment:
    """Stands in for LocalStack's AssignmentService: environments by function."""

    def __init__(self, environments: dict[str, dict[str, Env]]) -> None:
        self.environments = environments
        self.stopped: list[Env] = []

    def stop_environment(self, env: Env) -> None:
        self.stopped.append(env)
        for envs in self.environments.values():
            for key in [k for k, e in envs.items() if e is env]:
                del envs[key]


def test_defaults_fit_the_machine():
    per_function, total = default_limits()
    assert per_function >= 4
    assert 16 <= total <= 96


def test_invocations_beyond_the_limit_wait_for_a_slot():
    limiter = Limiter(per_function=2, total=8, queue_length=5, queue_s=5)
    limiter.acquire("f")
    limiter.acquire("f")
    limiter.acquire("g")  # another function has its own slots
    ran = threading.Event()
    waiter = threading.Thread(target=lambda: (limiter.acquire("f"), ran.set()))
    waiter.start()
    time.sleep(0.1)
    assert not ran.is_set()
    limiter.release("f")
    waiter.join(2)
    assert ran.is_set()
    assert limiter.stats()["waited"] == 1


def test_a_full_queue_and_a_long_wait_are_throttled():
    limiter = Limiter(per_function=1, total=8, queue_length=1, queue_s=0.3)
    limiter.acquire("f")
    outcome = []

    def queued() -> None:
        try:
            limiter.acquire("f")
            outcome.append("ran")
        except Throttled:
            outcome.append("throttled")

    waiter = threading.Thread(target=queued)
    waiter.start()
    time.sleep(0.05)
    with pytest.raises(Throttled, match="queued"):
        limiter.acquire("f")  # the queue (length 1) is taken by the waiter
    began = time.monotonic()
    waiter.join(2)
    assert outcome == ["throttled"]
    assert time.monotonic() - began > 0.2  # it waited its time first
    assert limiter.stats()["throttled"] == 2


def test_a_full_cloud_stops_the_longest_idle_environment_of_another_function():
    limiter = Limiter(per_function=4, total=3, queue_length=5, queue_s=0.3)
    oldest = Env(1.0)
    assignment = Assignment(
        {"a": {"a1": Env(2.0), "a2": oldest}, "b": {"b1": Env(0.5, Status.INVOKING)}}
    )
    started = limiter.start(assignment, "b", lambda: "new environment")
    assert started == "new environment"
    assert assignment.stopped == [oldest]
    assert limiter.stats()["evicted"] == 1


def test_a_full_cloud_with_nothing_idle_waits_then_throttles():
    limiter = Limiter(per_function=4, total=2, queue_length=5, queue_s=0.3)
    busy = Assignment({"a": {"a1": Env(1.0, Status.INVOKING)}, "b": {"b1": Env(1.0)}})
    with pytest.raises(Throttled, match="busy"):
        limiter.start(busy, "b", lambda: None)  # b's own idle one is not taken from it
    assert busy.stopped == []


def test_room_made_while_waiting_is_used():
    limiter = Limiter(per_function=4, total=1, queue_length=5, queue_s=2)
    assignment = Assignment({"a": {"a1": Env(1.0, Status.INVOKING)}})

    def finish() -> None:
        time.sleep(0.2)
        assignment.environments["a"]["a1"].status = Status.READY

    threading.Thread(target=finish).start()
    assert limiter.start(assignment, "b", lambda: "started") == "started"
    assert len(assignment.stopped) == 1


def test_waiting_invocations_are_served_first_come_first_served():
    limiter = Limiter(per_function=1, total=8, queue_length=10, queue_s=5)
    limiter.acquire("f")
    served: list[int] = []

    def queued(n: int) -> None:
        limiter.acquire("f")
        served.append(n)
        limiter.release("f")

    waiters = []
    for n in range(5):
        waiters.append(threading.Thread(target=queued, args=(n,)))
        waiters[-1].start()
        time.sleep(0.05)  # they queue in this order
    limiter.release("f")
    for waiter in waiters:
        waiter.join(2)
    assert served == [0, 1, 2, 3, 4]
    assert limiter.stats()["running"] == 0
