"""Lambda for the local cloud: each execution environment is a warm Python subprocess.

LocalStack's only Lambda executor runs Docker containers. This one, selected with
``LAMBDA_RUNTIME_EXECUTOR=titan``, starts ``worker.py`` under the project's Python 3.12 with
only the function's unpacked code, its layers and a boto3 runtime folder on ``sys.path``.
LocalStack still decides how many environments a function needs (one per concurrent
invocation), so concurrency brings more workers; each worker stays warm between invocations.

What it keeps from Lambda: the function's environment variables (with ``AWS_ENDPOINT_URL``
pointing at the local cloud, and ``AWS_ENDPOINT_URL_DYNAMODB`` at its DynamoDB process), the
timeout (the worker is killed and the invocation fails with ``Sandbox.Timedout``; the next
invocation starts a fresh worker, as a new sandbox would), error payloads shaped like Lambda's
(``errorMessage``, ``errorType``, ``stackTrace``), and logs, per invocation for LocalStack and
appended to ``$TITAN_LOGS_DIR/functions/<name>.log``.

Configuration (set by ``localcloud.cloud`` when it starts LocalStack):
``TITAN_LAMBDA_PYTHON`` (interpreter, default: this one), ``TITAN_LAMBDA_RUNTIME_DIR`` (boto3
as in the AWS runtime), ``TITAN_LOGS_DIR``.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import ExecutorEndpoint
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

from localcloud.dynamodb_server import ENDPOINT as DYNAMODB_ENDPOINT

LOG = logging.getLogger(__name__)
WORKER = Path(__file__).with_name("worker.py")
END_MARKER = "\x00TITAN-END "
STARTUP_TIMEOUT_S = 30
LOG_TAIL_CHARS = 256 * 1024


def _error_payload(message: str, error_type: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


class TitanRuntimeExecutor(RuntimeExecutor):
    """One execution environment = one worker process (see the module docstring)."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.executor_endpoint = ExecutorEndpoint(self.id)
        self._env: dict[str, str] = {}
        self._process: subprocess.Popen | None = None
        self._requests = None
        self._responses: queue.Queue = queue.Queue()
        self._log_lock = threading.Lock()
        self._log_tail = ""
        self._invocation_log: list[str] | None = None
        self._invocation_done = threading.Event()
        self._lock = threading.Lock()
        name = function_version.id.function_name
        logs_dir = Path(os.environ.get("TITAN_LOGS_DIR") or Path.cwd() / "logs")
        self._log_file = logs_dir / "functions" / f"{name}.log"

    # --- life cycle -------------------------------------------------------------------------
    def start(self, env_vars: dict[str, str]) -> None:
        self.executor_endpoint.start()
        self._env = {k: str(v) for k, v in env_vars.items()}
        self._spawn()

    def _spawn(self) -> None:
        code_dir = self.function_version.config.code.get_unzipped_code_location()
        layer_dirs = [
            str(layer.code.get_unzipped_code_location())
            for layer in self.function_version.config.layers
            if layer.code
        ]
        runtime_dir = os.environ.get("TITAN_LAMBDA_RUNTIME_DIR", "")
        env = dict(self._env)
        env.update(
            LAMBDA_TASK_ROOT=str(code_dir),
            PATH="/usr/local/bin:/usr/bin:/bin",
            LANG="en_US.UTF-8",
            PYTHONDONTWRITEBYTECODE="1",
            HOME=str(code_dir),
            # The functions' DynamoDB calls go straight to the DynamoDB process, not through
            # LocalStack's (localcloud.dynamodb_server); botocore reads this variable.
            AWS_ENDPOINT_URL_DYNAMODB=DYNAMODB_ENDPOINT,
        )
        req_read, req_write = os.pipe()
        resp_read, resp_write = os.pipe()
        python = os.environ.get("TITAN_LAMBDA_PYTHON") or sys.executable
        argv = [
            python,
            "-S",
            "-u",
            str(WORKER),
            str(req_read),
            str(resp_write),
            str(code_dir),
            runtime_dir,
            *layer_dirs,
        ]
        self._process = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(req_read, resp_write),
            cwd=str(code_dir),
        )
        os.close(req_read)
        os.close(resp_write)
        self._requests = os.fdopen(req_write, "w", encoding="utf-8")
        self._responses = queue.Queue()
        responses = os.fdopen(resp_read, "r", encoding="utf-8")
        threading.Thread(
            target=self._read_responses,
            args=(responses, self._responses),
            daemon=True,
            name=f"lambda-resp-{self.id}",
        ).start()
        threading.Thread(
            target=self._read_logs,
            args=(self._process.stdout,),
            daemon=True,
            name=f"lambda-logs-{self.id}",
        ).start()
        ready = self._next_response(STARTUP_TIMEOUT_S)
        if ready is None or ready.get("type") != "ready":
            self._kill()
            raise LambdaRuntimeException(
                f"Worker for {self.function_version.id.function_name} did not start: "
                f"{self._log_tail[-2000:]}"
            )

    def stop(self) -> None:
        self._kill()
        try:
            self.executor_endpoint.shutdown()
        except Exception as e:
            LOG.debug("Error stopping executor endpoint %s: %s", self.id, e)

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if self._requests:
                self._requests.close()
        except OSError:
            pass
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    # --- I/O threads ----------------------------------------------------------------------------
    @staticmethod
    def _read_responses(stream, sink: queue.Queue) -> None:
        for line in stream:
            sink.put(json.loads(line))
        sink.put(None)  # EOF: the worker exited

    def _read_logs(self, stream) -> None:
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self._log_file, "a", encoding="utf-8") as log_file:
            for raw in stream:
                line = raw.decode("utf-8", "replace")
                if line.startswith(END_MARKER):
                    self._invocation_done.set()
                    continue
                log_file.write(f"[{self.id}] {line}")
                log_file.flush()
                with self._log_lock:
                    self._log_tail = (self._log_tail + line)[-LOG_TAIL_CHARS:]
                    if self._invocation_log is not None:
                        self._invocation_log.append(line)
        self._invocation_done.set()

    def _log_line(self, text: str) -> None:
        """Append ``text`` to the function's log file and this invocation's log, as Lambda
        logs what its runtime reports (a timeout)."""
        with self._log_lock, open(self._log_file, "a", encoding="utf-8") as log_file:
            log_file.write("".join(f"[{self.id}] {line}\n" for line in text.splitlines()))
            if self._invocation_log is not None:
                self._invocation_log.append(text)

    def _next_response(self, timeout: float) -> dict | None:
        try:
            return self._responses.get(timeout=timeout)
        except queue.Empty:
            return None

    # --- invocation ---------------------------------------------------------------------------
    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        timeout_s = float(self.function_version.config.timeout)
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._spawn()  # a fresh sandbox after a timeout or a crash
            with self._log_lock:
                self._invocation_log = []
            self._invocation_done.clear()
            request = {
                "request_id": request_id,
                "arn": payload.get("invoked-function-arn", ""),
                "payload": payload.get("payload", ""),
                "trace_id": payload.get("trace-id", ""),
                "deadline": time.time() + timeout_s,
            }
            try:
                self._requests.write(json.dumps(request) + "\n")
                self._requests.flush()
            except (BrokenPipeError, OSError):
                pass  # the worker died; the response queue reports it
            response = self._next_response(timeout_s)
            if response is None and self._process is not None and self._process.poll() is None:
                self._kill_now()
                message = f"{request_id} Task timed out after {timeout_s:.2f} seconds"
                self._log_line(f"{message}\nREPORT RequestId: {request_id}\tStatus: timeout\n")
                body = _error_payload(message, "Sandbox.Timedout")
                return self._result(request_id, body, True)
            if response is None:
                code = self._process.poll() if self._process else None
                self._kill()
                body = _error_payload(
                    f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}",
                    "Runtime.ExitError",
                )
                return self._result(request_id, body, True)
            self._invocation_done.wait(timeout=2)
            body = json.dumps(response["payload"]).encode()
            return self._result(request_id, body, response["is_error"])

    def _kill_now(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait(timeout=5)

    def _result(self, request_id: str, body: bytes, is_error: bool) -> InvocationResult:
        with self._log_lock:
            logs = "".join(self._invocation_log or [])
            self._invocation_log = None
        return InvocationResult(request_id, body, is_error=is_error, logs=logs)

    def get_logs(self) -> str:
        with self._log_lock:
            return self._log_tail

    # --- addresses ----------------------------------------------------------------------------
    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return "127.0.0.1"

    def get_runtime_endpoint(self) -> str:
        port = config.GATEWAY_LISTEN[0].port
        return f"http://127.0.0.1:{port}{self.executor_endpoint.get_endpoint_prefix()}"

    # --- versions -----------------------------------------------------------------------------
    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        code = function_version.config.code
        if code is None:
            raise LambdaRuntimeException("Only zip-packaged functions run in the local cloud")
        code.prepare_for_execution()
        for layer in function_version.config.layers:
            if layer.code:
                layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        """Unpacked code is kept by LocalStack's own cache; nothing of ours to clean."""

    @classmethod
    def validate_environment(cls) -> bool:
        return True


class TitanExecutorPlugin(RuntimeExecutorPlugin):
    name = "titan"

    def load(self, *args, **kwargs):
        return TitanRuntimeExecutor
