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


def test_internal_lambda_clients_do_not_retry_a_throttle():
    """A throttled invoke reaches its caller after one queue wait, not five: the cloud's own
    Lambda clients have botocore's retries taken off (a local server answers 429)."""
    import http.server
    import json as jsonlib

    import boto3
    from botocore.config import Config

    from localcloud.limits import no_retries

    hits = []

    class Throttling(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hits.append(self.path)
            body = jsonlib.dumps({"Type": "User", "message": "Rate Exceeded."}).encode()
            self.send_response(429)
            self.send_header("x-amzn-ErrorType", "TooManyRequestsException")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Throttling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"

        def client():
            return boto3.client(
                "lambda",
                endpoint_url=url,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
                config=Config(retries={"mode": "standard", "total_max_attempts": 3}),
            )

        plain, internal = client(), client()
        no_retries(internal)
        for lambda_client, attempts in ((internal, 1), (plain, 3)):
            hits.clear()
            with pytest.raises(lambda_client.exceptions.TooManyRequestsException):
                lambda_client.invoke(FunctionName="f", Payload=b"{}")
            assert len(hits) == attempts
    finally:
        server.shutdown()
