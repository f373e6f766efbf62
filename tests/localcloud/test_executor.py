"""The local cloud's Lambda executor, with functions created through the Lambda API."""

import base64
import concurrent.futures
import io
import json
import time
import zipfile

import pytest

CODE = """
import os, time
def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("fail"):
        raise RuntimeError("failed on purpose")
    if event.get("import"):
        __import__(event["import"])
    print("hello from", context.function_name)
    return {"pid": os.getpid(), "greeting": os.environ.get("GREETING"),
            "endpoint": os.environ.get("AWS_ENDPOINT_URL")}
"""


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("probe.py", source)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def probe(cloud, aws):
    """Create a function (timeout 2 s) and clean it up afterwards; yields an invoker."""
    lam = aws("lambda", read_timeout=60)
    names = []

    def create(layers=(), timeout=2):
        name = f"probe-{time.time_ns()}"
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Handler="probe.handler",
            Role="arn:aws:iam::000000000000:role/probe",
            Code={"ZipFile": _zip(CODE)},
            Timeout=timeout,
            Layers=list(layers),
            Environment={"Variables": {"GREETING": "olá"}},
        )
        lam.get_waiter("function_active_v2").wait(FunctionName=name)
        names.append(name)

        def invoke(event=None, tail=False):
            response = lam.invoke(
                FunctionName=name,
                Payload=json.dumps(event or {}),
                LogType="Tail" if tail else "None",
            )
            payload = json.loads(response["Payload"].read() or b"null")
            return response, payload

        return invoke

    yield create
    for name in names:
        lam.delete_function(FunctionName=name)


def test_handlers_get_their_environment_and_the_local_endpoint(probe, cloud):
    response, payload = probe()()
    assert "FunctionError" not in response
    assert payload["greeting"] == "olá"
    assert payload["endpoint"] == cloud["Endpoint"]


def test_errors_are_shaped_like_lambdas(probe):
    response, payload = probe()({"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "RuntimeError"
    assert payload["errorMessage"] == "failed on purpose"


def test_the_timeout_is_enforced_and_a_fresh_worker_follows(probe):
    invoke = probe(timeout=1)
    _, first = invoke()
    began = time.monotonic()
    response, payload = invoke({"sleep": 5}, tail=True)
    assert time.monotonic() - began < 4
    assert "Status: timeout" in base64.b64decode(response["LogResult"]).decode()  # logged
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in payload["errorMessage"]
    _, after = invoke()
    assert after["pid"] != first["pid"]


def test_logs_are_returned_per_invocation(probe):
    response, _ = probe()(tail=True)
    logs = base64.b64decode(response["LogResult"]).decode()
    assert "hello from probe-" in logs
    assert "START RequestId" in logs and "REPORT RequestId" in logs


def test_concurrent_invocations_get_more_workers(probe):
    invoke = probe()
    invoke()  # warm one
    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: invoke({"sleep": 1})[1], range(4)))
    assert time.monotonic() - began < 3.5  # serially it would take 4 s
    assert len({r["pid"] for r in results}) >= 2


def test_a_dependency_missing_from_the_layers_fails_as_on_aws(probe, cloud):
    response, payload = probe()({"import": "pydantic"})
    assert payload["errorType"] == "ModuleNotFoundError", payload
    response, payload = probe(layers=[cloud["SharedLayerArn"]])({"import": "pydantic"})
    assert "FunctionError" not in response, payload
