"""The Lambda runtime inside one warm worker process (started by lambda_executor.py).

Run as ``python -S -u worker.py REQ_FD RESP_FD TASK_ROOT RUNTIME_DIR [LAYER_DIR ...]``. ``-S``
keeps the development virtualenv off ``sys.path``: a handler sees only its own code
(LAMBDA_TASK_ROOT), its layers' ``python/`` folders and the runtime folder (boto3, as the AWS
python3.12 runtime ships it), in the order AWS uses. A dependency missing from the layer
therefore fails here as it would on AWS.

Protocol: one JSON object per line. The executor writes invocations to REQ_FD; the worker
answers on RESP_FD with ``{"type": "ready"}`` once, then one ``{"type": "result", ...}`` per
invocation. stdout and stderr are the function's log; after each invocation the worker prints a
NUL-prefixed end marker so the executor can cut the log per invocation.

A worker never outlives the cloud that started it: a thread watches the parent process and
ends the worker when it is gone (killed by a signal or by the kernel's OOM killer), even in
the middle of an invocation that would otherwise hold its memory until it timed out.
"""

from __future__ import annotations

import decimal
import importlib
import json
import os
import sys
import threading
import time
import traceback

END_MARKER = "\x00TITAN-END "


class LambdaContext:
    """The subset of the AWS ``LambdaContext`` that handlers and Powertools read."""

    def __init__(self, request_id: str, arn: str, deadline: float) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _error(exc: BaseException, error_type: str | None = None) -> dict:
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def _load_handler(spec: str):
    module_name, _, function_name = spec.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        return None, _error(exc, "Runtime.ImportModuleError")
    handler = getattr(module, function_name, None)
    if handler is None:
        return None, {
            "errorMessage": f"Handler '{function_name}' missing on module '{module_name}'",
            "errorType": "Runtime.HandlerNotFound",
            "stackTrace": [],
        }
    return handler, None


PARENT_CHECK_SECONDS = 1.0


def exit_with_parent(parent: int) -> None:
    """Exit the process (status 1) once its parent is no longer ``parent``: the worker was
    orphaned and re-parented. Runs forever on a daemon thread."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def main(argv: list[str]) -> None:
    threading.Thread(
        target=exit_with_parent, args=(os.getppid(),), daemon=True, name="parent-watch"
    ).start()
    req_fd, resp_fd, task_root, runtime_dir, *layer_dirs = argv
    del sys.path[0]  # this script's folder: not part of a Lambda sandbox
    layer_paths = []
    for layer in layer_dirs:
        layer_paths += [f"{layer}/python/lib/python3.12/site-packages", f"{layer}/python"]
    sys.path[0:0] = [task_root, *layer_paths, runtime_dir]
    os.chdir(task_root)

    requests = os.fdopen(int(req_fd), "r", encoding="utf-8")
    responses = os.fdopen(int(resp_fd), "w", encoding="utf-8")

    def send(message: dict) -> None:
        responses.write(json.dumps(message, default=_json_default) + "\n")
        responses.flush()

    started = time.perf_counter()
    handler, init_error = _load_handler(os.environ["_HANDLER"])
    send({"type": "ready", "init_ms": (time.perf_counter() - started) * 1000})

    for line in requests:  # EOF when the executor (or the whole cloud) goes away
        request = json.loads(line)
        request_id = request["request_id"]
        os.environ["_X_AMZN_TRACE_ID"] = request.get("trace_id") or ""
        version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        print(f"START RequestId: {request_id} Version: {version}")
        began = time.perf_counter()
        if init_error is not None:
            result = {"type": "result", "is_error": True, "payload": init_error}
        else:
            context = LambdaContext(request_id, request["arn"], request["deadline"])
            try:
                event = json.loads(request["payload"]) if request["payload"] else {}
                value = handler(event, context)
                result = {"type": "result", "is_error": False, "payload": value}
            except Exception as exc:
                traceback.print_exc()
                result = {"type": "result", "is_error": True, "payload": _error(exc)}
        print(f"END RequestId: {request_id}")
        duration_ms = (time.perf_counter() - began) * 1000
        print(f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms")
        sys.stdout.flush()
        sys.stderr.flush()
        print(f"{END_MARKER}{request_id}", flush=True)
        try:
            send(result)
        except TypeError as exc:
            send(
                {"type": "result", "is_error": True, "payload": _error(exc, "Runtime.MarshalError")}
            )


if __name__ == "__main__":
    main(sys.argv[1:])
