"""The embedded local cloud: start, stop, deploy and inspect it.

``python -m localcloud <command>``; the Makefile wraps these (``make up``, ``make down``,
``make logs``, ``make reload``). Everything it writes stays under ``.localcloud/`` in the
project (git-ignored):

- ``localstack.pid``   the PID (and session id) of the LocalStack process we started
- ``logs/``            ``localstack.log`` and ``functions/<FunctionName>.log``
- ``localstack/``      LocalStack's FILESYSTEM_ROOT; ``tmp/`` its TMPDIR (unpacked code)
- ``lambda-runtime/``  boto3 as the AWS python3.12 runtime ships it, for the workers
- ``outputs.json``     the stack outputs, with ``ApiUrl`` as the local path-style URL,
                       ``WebSocketUrl`` as the local WebSocket endpoint and ``WebUrl`` as
                       the web front on the bucket's website endpoint

LocalStack runs in its own session (``start_new_session``) so that ``down`` can stop it and
every Lambda worker it started by one process-group id, escalating to SIGKILL.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import boto3
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[3]
STATE = Path(os.environ.get("LOCALCLOUD_STATE") or ROOT / ".localcloud").resolve()
PID_FILE = STATE / "localstack.pid"
LOGS = STATE / "logs"
OUTPUTS = STATE / "outputs.json"
RUNTIME_DIR = STATE / "lambda-runtime"
PORT = int(os.environ.get("LOCALCLOUD_PORT", "4566"))
ENDPOINT = f"http://127.0.0.1:{PORT}"
#: The WebSocket endpoint of the cloud's API Gateway v2 (localcloud.websocket_api).
WEBSOCKET_PORT = int(os.environ.get("LOCALCLOUD_WEBSOCKET_PORT", str(PORT - 56)))
DYNAMODB_PORT = int(os.environ.get("LOCALCLOUD_DYNAMODB_PORT", str(PORT + 3)))
REGION = "us-east-1"
STACK = os.environ.get("LOCALCLOUD_STACK", "titan-local")
STAGE = "local"
SAM = ROOT / ".venv-sam" / "bin"
#: LocalStack runs on Python 3.13; the Lambda workers on 3.12, the functions' runtime.
LOCALSTACK_PYTHON = ROOT / ".venv-localcloud" / "bin" / "python"
LAMBDA_PYTHON = ROOT / ".venv" / "bin" / "python"


def aws_env() -> dict[str, str]:
    """Environment for AWS clients and tools aimed at the local cloud (dummy credentials)."""
    return {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": ENDPOINT,
    }


def client(service: str, **config):
    """A boto3 client for the local cloud."""
    env = aws_env()
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, **config),
    )


def localstack_env() -> dict[str, str]:
    """The environment LocalStack is started with (see docs/local-cloud.md for each choice)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    env.update(
        GATEWAY_SERVER="twisted",  # bound to GATEWAY_LISTEN's host by localcloud.server
        GATEWAY_LISTEN=f"127.0.0.1:{PORT}",
        LOCALSTACK_HOST=f"127.0.0.1:{PORT}",
        DNS_ADDRESS="0",  # no DNS server on :53
        DISABLE_EVENTS="1",  # no analytics
        # One INFO line per AWS request cost ~10% of the cloud's CPU in bulk imports:
        # LOCALCLOUD_LOG=info brings the request log back.
        LS_LOG=os.environ.get("LOCALCLOUD_LOG", "warn"),
        # LocalStack's SQS sends a CloudWatch metric over HTTP on every send and receive; the
        # indexer's queue poller alone kept the idle cloud at ~100% CPU. Nothing reads them.
        SQS_DISABLE_CLOUDWATCH_METRICS="1",
        SKIP_SSL_CERT_DOWNLOAD="1",
        OVERRIDE_IN_DOCKER="0",  # this machine may be a container: still use the host layout
        FILESYSTEM_ROOT=str(STATE / "localstack"),
        CONFIG_DIR=str(STATE / "config"),
        TMPDIR=str(STATE / "tmp"),
        PROVIDER_OVERRIDE_DYNAMODB="titan",
        LAMBDA_RUNTIME_EXECUTOR="titan",
        # A burst of concurrent requests starts one environment each; on 2 busy cores a start
        # can take longer than LocalStack's 20 s default, and an environment killed for it is
        # started again, which only adds load (seen with 50 concurrent flash-sale buyers).
        LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT="120",
        TITAN_LAMBDA_PYTHON=str(LAMBDA_PYTHON),
        TITAN_LAMBDA_RUNTIME_DIR=str(RUNTIME_DIR),
        TITAN_LOGS_DIR=str(LOGS),
        TITAN_WEBSOCKET_PORT=str(WEBSOCKET_PORT),
        TITAN_DYNAMODB_PORT=str(DYNAMODB_PORT),
    )
    return env


# --- process ------------------------------------------------------------------------------
def _recorded_pid() -> int | None:
    try:
        return int(PID_FILE.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def running_pid() -> int | None:
    """The PID of the running LocalStack we started (its session's id too), or None."""
    pid = _recorded_pid()
    if pid is None:
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return None
    return pid if b"localstack.runtime.main" in cmdline else None


def healthy() -> bool:
    try:
        return requests.get(f"{ENDPOINT}/_localstack/health", timeout=2).ok
    except requests.RequestException:
        return False


def ensure_lambda_runtime() -> None:
    """Install boto3 into .localcloud/lambda-runtime: the workers' stand-in for /var/runtime."""
    if (RUNTIME_DIR / "boto3").is_dir():
        return
    subprocess.run(
        [
            str(ROOT / "infra" / "bin" / "uv"),
            "pip",
            "install",
            "--quiet",
            "--target",
            str(RUNTIME_DIR),
            "--python",
            str(LAMBDA_PYTHON),
            f"boto3=={boto3.__version__}",
        ],
        check=True,
    )


def start(timeout_s: float = 90) -> None:
    """Start LocalStack in the background and wait until it answers, or reuse a running one.

    Raises RuntimeError if it exits or does not answer within ``timeout_s`` seconds."""
    if running_pid() and healthy():
        print(f"local cloud already running (pid {running_pid()}) at {ENDPOINT}")
        return
    if healthy():
        raise RuntimeError(f"something else answers on {ENDPOINT}; stop it or set LOCALCLOUD_PORT")
    stop(quiet=True)  # what a cloud that died left behind (its workers), if anything
    ensure_lambda_runtime()
    # LocalStack keeps its state in memory: what a previous run unpacked is garbage now.
    shutil.rmtree(STATE / "tmp", ignore_errors=True)
    for folder in (LOGS, STATE / "tmp", STATE / "localstack", STATE / "config"):
        folder.mkdir(parents=True, exist_ok=True)
    log = open(LOGS / "localstack.log", "ab")  # noqa: SIM115 - handed to the child
    process = subprocess.Popen(
        [str(LOCALSTACK_PYTHON), "-m", "localstack.runtime.main"],
        env=localstack_env(),
        cwd=STATE,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    PID_FILE.write_text(str(process.pid))
    began = time.monotonic()
    while time.monotonic() - began < timeout_s:
        if process.poll() is not None:
            raise RuntimeError(
                f"LocalStack exited with {process.returncode}; see {LOGS}/localstack.log"
            )
        if healthy():
            elapsed = time.monotonic() - began
            print(f"local cloud up in {elapsed:.1f} s (pid {process.pid}) at {ENDPOINT}")
            return
        time.sleep(0.25)
    stop()
    raise RuntimeError(f"LocalStack did not answer in {timeout_s:.0f} s; see {LOGS}/localstack.log")


def stop(grace_s: float = 10, quiet: bool = False) -> None:
    """Stop the LocalStack we started and every process of its session (the Lambda workers):
    SIGTERM, then SIGKILL. The session id is the recorded PID, so workers left behind by a
    LocalStack that died (the OOM killer, a crash) are stopped too."""
    pgid = _recorded_pid()
    if pgid is None or not _group_alive(pgid):
        PID_FILE.unlink(missing_ok=True)
        if not quiet:
            print("local cloud not running")
        return
    main_alive = running_pid() is not None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and _group_alive(pgid):
        time.sleep(0.2)
    if _group_alive(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        while _group_alive(pgid):
            time.sleep(0.1)
    PID_FILE.unlink(missing_ok=True)
    if main_alive:
        print(f"local cloud stopped (pid {pgid})")
    else:
        print(f"local cloud had died; stopped the processes it left (session {pgid})")


def _group_alive(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


# --- deploy -------------------------------------------------------------------------------
def _tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(aws_env())
    # sam build needs a python3.12 with pip on PATH: the SAM CLI's own environment has one.
    env["PATH"] = f"{SAM}:{env.get('PATH', '')}"
    env["SAM_CLI_TELEMETRY"] = "0"
    # sam deploy looks at the change set and the stack every 5 s by default (AWS's rate
    # limits); the local cloud answers at once, so it looks every half second.
    env.setdefault("SAM_CLI_POLL_DELAY", "0.5")
    env["EDGE_PORT"] = str(PORT)
    env["LOCALSTACK_HOSTNAME"] = "127.0.0.1"
    return env


def _run_tool(args: list[str]) -> None:
    """Run a SAM CLI command in the project. Its output goes to the terminal when there is
    one, else (tests, CI) to .localcloud/logs/deploy.log. Raises CalledProcessError."""
    if sys.stdout.isatty():
        subprocess.run(args, cwd=ROOT, env=_tool_env(), check=True)
        return
    LOGS.mkdir(parents=True, exist_ok=True)
    with open(LOGS / "deploy.log", "ab") as log:
        result = subprocess.run(
            args, cwd=ROOT, env=_tool_env(), stdout=log, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode:
        tail = (LOGS / "deploy.log").read_text(errors="replace")[-3000:]
        raise subprocess.CalledProcessError(result.returncode, args, output=tail)


def build() -> None:
    """``sam build`` the template (cached: unchanged layers are not rebuilt)."""
    _run_tool([str(SAM / "sam"), "build", "--cached", "--parallel"])


#: What a deploy is made of: a change to any of these needs a new deploy.
SOURCES = (
    "template.yaml",
    "gateway.json",
    "samconfig.toml",
    "functions",
    "layers",
    "statemachines",
    "infra/templates",
)
#: Where sam deploy uploads code and nested templates (samconfig.toml's [localcloud]).
ARTIFACTS = "titan-local-deploy-artifacts"
#: The fingerprint of the sources and parameters last deployed (``deploy_if_changed``).
DEPLOYED = STATE / "deployed.sha256"


def fingerprint(parameters: dict[str, str]) -> str:
    """SHA-256 of every source file a deploy is made of, and of ``parameters``."""
    digest = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode())
    for source in SOURCES:
        path = ROOT / source
        for file in sorted([path] if path.is_file() else path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


#: The SNS platform application devices register with for push (FCM, with a local key):
#: CloudFormation has no resource for one, so ``deploy`` makes it and passes its ARN.
PUSH_APPLICATION = f"titan-{STAGE}-push"


def _overrides(parameters: dict[str, str]) -> dict[str, str]:
    return {
        "Stage": STAGE,
        "Version": _version(),
        # Every local request comes from 127.0.0.1: a per-IP sign-in lockout would lock out
        # every developer and test at once. (The lockout itself is covered by unit tests.)
        "LoginIpFailureLimit": "1000",
        "PushApplicationArn": f"arn:aws:sns:{REGION}:000000000000:app/GCM/{PUSH_APPLICATION}",
        # LocalStack's free edition has no CloudFront: the bucket's website endpoint serves it.
        "WebDistribution": "website",
        **parameters,
    }


def _push_application() -> str:
    """Make (or find) the local push platform application; its ARN."""
    return client("sns").create_platform_application(
        Name=PUSH_APPLICATION,
        Platform="GCM",
        Attributes={"PlatformCredential": "local-fcm-key", "PlatformPrincipal": "titan-local"},
    )["PlatformApplicationArn"]


def deploy_if_changed() -> dict[str, str]:
    """``deploy()`` unless the running cloud already has exactly these sources deployed (the
    stack exists and the fingerprint matches the last deploy's); then the outputs are read
    again. Test sessions use it: a second session on an unchanged tree starts at once."""
    current = fingerprint(_overrides({}))
    if DEPLOYED.exists() and DEPLOYED.read_text() == current and _stack_complete():
        return write_outputs()
    return deploy()


#: The test run (``TITAN_TEST_RUN``) that started the running cloud, which that run stops.
STARTED_BY_TESTS = STATE / "started-by-test-run"


def ready_for_tests(run: str) -> dict[str, str]:
    """The cloud a test run needs: started if nothing runs (marked as started by ``run``, which
    then stops it: ``stop_if_started_by``), reused if ``make up`` runs it, and deployed only
    if the sources changed. Callers take turns (a file lock): the first starts and deploys,
    the others find it ready. Returns the stack outputs. Raises CalledProcessError if the
    deploy fails, RuntimeError if the cloud does not start."""
    import fcntl

    STATE.mkdir(parents=True, exist_ok=True)
    with open(STATE / "test-session.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not healthy():
            start()
            STARTED_BY_TESTS.write_text(run)
        return deploy_if_changed()


def stop_if_started_by(run: str) -> None:
    """Stop the cloud if test run ``run`` started it (``ready_for_tests``)."""
    if STARTED_BY_TESTS.exists() and STARTED_BY_TESTS.read_text() == run:
        stop()
        STARTED_BY_TESTS.unlink(missing_ok=True)


def _stack_complete() -> bool:
    try:
        stack = client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    except Exception:
        return False
    return stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")


def deploy(**parameters: str) -> dict[str, str]:
    """Build and deploy template.yaml to the local cloud, then write outputs.json.

    ``parameters`` override template parameters (``deploy(Version="x")``); the rest come
    from samconfig.toml's ``localcloud`` environment. Raises CalledProcessError on failure."""
    overrides = _overrides(parameters)
    DEPLOYED.unlink(missing_ok=True)
    made = _push_application()
    if made != overrides["PushApplicationArn"]:
        raise RuntimeError(f"the push application is {made}, not the expected ARN")
    build()
    s3 = client("s3")
    try:
        s3.head_bucket(Bucket=ARTIFACTS)
    except s3.exceptions.ClientError:
        s3.create_bucket(Bucket=ARTIFACTS)
    _run_tool(
        [
            str(SAM / "samlocal"),
            "deploy",
            "--config-env",
            "localcloud",
            "--parameter-overrides",
            " ".join(f"{k}={v}" for k, v in overrides.items()),
        ]
    )
    check_deployed()
    outputs = write_outputs()
    DEPLOYED.write_text(fingerprint(overrides))
    return outputs


def stack_resources(stack: str = STACK) -> list[dict]:
    """Every resource of ``stack`` and of the stacks nested in it (each context is one),
    depth first: ``describe_stack_resources`` entries."""
    cfn = client("cloudformation")
    found = []
    for resource in cfn.describe_stack_resources(StackName=stack)["StackResources"]:
        found.append(resource)
        if resource["ResourceType"] == "AWS::CloudFormation::Stack":
            found.extend(stack_resources(resource["PhysicalResourceId"]))
    return found


def nested_outputs(stack: str = STACK) -> dict[str, str]:
    """The outputs of the stacks nested in ``stack``, at any depth, by name. A name that more
    than one nested stack outputs (each context's ``ApiFunctionArn``) is left out."""
    cfn = client("cloudformation")
    seen: dict[str, list[str]] = {}
    for resource in stack_resources(stack):
        if resource["ResourceType"] != "AWS::CloudFormation::Stack":
            continue
        nested = cfn.describe_stacks(StackName=resource["PhysicalResourceId"])["Stacks"][0]
        for output in nested.get("Outputs", []):
            seen.setdefault(output["OutputKey"], []).append(output["OutputValue"])
    return {key: values[0] for key, values in seen.items() if len(values) == 1}


def check_deployed() -> None:
    """Raise RuntimeError naming every resource, in the stack or a nested one, that LocalStack
    skipped as unsupported (it reports those CREATE_COMPLETE with the physical id "unknown")
    instead of deploying it."""
    skipped = [
        f"{r['LogicalResourceId']} ({r['ResourceType']})"
        for r in stack_resources()
        if r.get("PhysicalResourceId") == "unknown"
    ]
    if skipped:
        raise RuntimeError("the local cloud did not deploy: " + ", ".join(skipped))


def _version() -> str:
    """The release reported by /health locally: the package version plus the git commit."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"0.1.0-local.{commit}" if commit else "0.1.0-local"


def write_outputs() -> dict[str, str]:
    """Read the stack's outputs, and its contexts' (nested stacks), into .localcloud/outputs.json;
    ApiUrl is the path-style local URL."""
    stack = client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    outputs = nested_outputs()
    outputs.update({o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])})
    outputs["ApiUrl"] = f"{ENDPOINT}/_aws/execute-api/{outputs['ApiId']}/{STAGE}"
    if bucket := outputs.get("WebBucketName"):
        # The bucket's website endpoint; browsers resolve *.localhost to the loopback address.
        outputs["WebUrl"] = f"http://{bucket}.s3-website.localhost:{PORT}/"
    if api_id := outputs.get("WebSocketApiId"):
        outputs["WebSocketUrl"] = f"ws://127.0.0.1:{WEBSOCKET_PORT}/{api_id}/{STAGE}"
    if secret_arn := outputs.get("AdminCredentialsSecretArn"):
        # Local cloud only: the bootstrap admin's credentials, for people and tests.
        admin = json.loads(
            client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
        )
        outputs["AdminEmail"], outputs["AdminPassword"] = admin["email"], admin["password"]
    for partner in ("PaymentWebhookSecret", "CarrierWebhookSecret"):
        if secret_arn := outputs.get(f"{partner}Arn"):
            # Local cloud only: the sandbox partners' webhook secrets, to sign as they do.
            outputs[partner] = client("secretsmanager").get_secret_value(SecretId=secret_arn)[
                "SecretString"
            ]
    outputs["Endpoint"] = ENDPOINT
    outputs["StackName"] = STACK
    OUTPUTS.write_text(json.dumps(outputs, indent=2, sort_keys=True) + "\n")
    return outputs


def stack_functions() -> dict[str, str]:
    """Logical id -> physical function name of every Lambda function in the stack and its
    nested stacks (logical ids are unique across the templates)."""
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in stack_resources()
        if r["ResourceType"] == "AWS::Lambda::Function"
    }


def reload_code() -> None:
    """Push code-only changes to the running functions without a stack update: ``sam build``,
    then UpdateFunctionCode for each function whose build folder exists. Layer or template
    changes need ``deploy``."""
    build()
    lam = client("lambda")
    began = time.monotonic()
    updating = []
    built = ROOT / ".aws-sam" / "build"
    for logical_id, name in stack_functions().items():
        # sam build puts a nested application's functions under the application's folder
        folder = next(built.glob(f"*/{logical_id}"), built / logical_id)
        if folder.is_dir():
            lam.update_function_code(FunctionName=name, ZipFile=_zip(folder))
            updating.append(name)
    # All updates run at once; then wait for each (polling at the local cloud's pace).
    waiter = lam.get_waiter("function_updated_v2")
    for name in updating:
        waiter.wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 1500})
    print(f"code of {len(updating)} functions reloaded in {time.monotonic() - began:.1f} s")


def _zip(folder: Path) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder))
    return buffer.getvalue()


def logs(follow: bool = False) -> None:
    """Print (or follow) the cloud's log and every function's log."""
    files = [LOGS / "localstack.log", *sorted((LOGS / "functions").glob("*.log"))]
    files = [str(f) for f in files if f.exists()]
    if not files:
        print("no logs yet")
        return
    command = ["tail", "-n", "200", *(["-F"] if follow else []), *files]
    with contextlib.suppress(KeyboardInterrupt):
        subprocess.run(command, check=False)
