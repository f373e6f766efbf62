"""The Lambda worker process on its own: protocol, errors shaped like Lambda's, isolation."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORKER = Path(__file__).resolve().parents[2] / "infra/localcloud/localcloud/worker.py"

HANDLER = """
import os, sys
def handler(event, context):
    if event.get("fail"):
        raise ValueError("bad " + event["fail"])
    if event.get("import"):
        __import__(event["import"])
    print("log line from", context.function_name)
    return {"echo": event, "remaining": context.get_remaining_time_in_millis() > 0,
            "table": os.environ.get("TABLE"), "path0": sys.path[0]}
"""


class Worker:
    def __init__(self, task_root: Path, handler: str = "app.handler"):
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        env = {
            "_HANDLER": handler,
            "TABLE": "orders",
            "AWS_LAMBDA_FUNCTION_NAME": "fn",
            "PATH": os.environ["PATH"],
        }
        self.process = subprocess.Popen(
            [sys.executable, "-S", "-u", str(WORKER), str(req_r), str(resp_w), str(task_root), ""],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(req_r, resp_w),
        )
        os.close(req_r)
        os.close(resp_w)
        self.requests = os.fdopen(self.req_w, "w")
        self.responses = os.fdopen(self.resp_r, "r")
        self.ready = json.loads(self.responses.readline())

    def invoke(self, event: dict) -> dict:
        request = {
            "request_id": "r1",
            "arn": "arn",
            "payload": json.dumps(event),
            "deadline": time.time() + 5,
        }
        self.requests.write(json.dumps(request) + "\n")
        self.requests.flush()
        return json.loads(self.responses.readline())

    def close(self) -> str:
        self.requests.close()
        self.process.wait(timeout=5)
        return self.process.stdout.read().decode()


@pytest.fixture
def worker(tmp_path):
    (tmp_path / "app.py").write_text(HANDLER)
    worker = Worker(tmp_path)
    yield worker
    if worker.process.poll() is None:
        worker.close()


def test_invocations_return_the_handlers_value_with_its_environment(worker, tmp_path):
    assert worker.ready["type"] == "ready"
    result = worker.invoke({"a": 1})
    assert result["is_error"] is False
    assert result["payload"] == {
        "echo": {"a": 1},
        "remaining": True,
        "table": "orders",
        "path0": str(tmp_path),
    }
    assert worker.invoke({"b": 2})["payload"]["echo"] == {"b": 2}  # warm: same process
    logs = worker.close()
    assert "log line from fn" in logs and "START RequestId: r1" in logs
    assert worker.process.returncode == 0  # EOF on the request pipe ends the worker


def test_exceptions_become_lambda_shaped_errors(worker):
    result = worker.invoke({"fail": "input"})
    assert result["is_error"] is True
    assert result["payload"]["errorType"] == "ValueError"
    assert result["payload"]["errorMessage"] == "bad input"
    assert result["payload"]["stackTrace"]
    assert worker.invoke({})["is_error"] is False  # the worker survives a handler error


def test_the_development_virtualenv_is_not_on_the_path(worker):
    result = worker.invoke({"import": "pytest"})
    assert result["is_error"] is True
    assert result["payload"]["errorType"] == "ModuleNotFoundError"


def test_import_errors_are_reported_on_invocation(tmp_path):
    (tmp_path / "app.py").write_text("import not_a_module\n")
    worker = Worker(tmp_path)
    result = worker.invoke({})
    assert result["payload"]["errorType"] == "Runtime.ImportModuleError"
    worker.close()


def test_a_missing_handler_function_is_reported(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    worker = Worker(tmp_path, handler="app.nothing")
    assert worker.invoke({})["payload"]["errorType"] == "Runtime.HandlerNotFound"
    worker.close()


PARENT = """
import json, os, subprocess, sys, time
req_r, req_w = os.pipe()
resp_r, resp_w = os.pipe()
worker = subprocess.Popen(
    [sys.executable, "-S", "-u", sys.argv[1], str(req_r), str(resp_w), sys.argv[2], ""],
    env={"_HANDLER": "slow.handler", "PATH": os.environ["PATH"]},
    pass_fds=(req_r, resp_w),
    stdout=subprocess.DEVNULL,
)
requests, responses = os.fdopen(req_w, "w"), os.fdopen(resp_r)
responses.readline()  # ready
requests.write(json.dumps({"request_id": "r", "arn": "a", "payload": "{}",
                           "deadline": time.time() + 60}) + "\\n")
requests.flush()
print(worker.pid, flush=True)
time.sleep(60)
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # exited, waiting for its new parent to reap it


def test_a_worker_exits_when_its_parent_dies_even_mid_invocation(tmp_path):
    (tmp_path / "slow.py").write_text("import time\ndef handler(e, c):\n    time.sleep(30)\n")
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(WORKER), str(tmp_path)], stdout=subprocess.PIPE
    )
    worker_pid = int(parent.stdout.readline())
    assert not _gone(worker_pid)
    parent.kill()  # as the OOM killer would: no clean-up
    parent.wait()
    deadline = time.monotonic() + 5
    while not _gone(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(worker_pid)  # long before its 30-second invocation ends
