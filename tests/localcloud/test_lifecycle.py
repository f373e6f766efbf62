"""Starting and stopping the local cloud: a second instance on its own port and state folder,
so the shared one keeps running."""

import fcntl
import io
import json
import os
import signal
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = 4599


@pytest.fixture(autouse=True)
def one_second_cloud_at_a_time():
    """Each test starts a second cloud on ``PORT``: parallel test workers take turns."""
    with open(Path(tempfile.gettempdir()) / "titan-second-cloud.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _cloud(command: str, state: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOCALCLOUD_PORT": str(PORT), "LOCALCLOUD_STATE": str(state)}
    return subprocess.run(
        [str(ROOT / ".venv-localcloud/bin/python"), "-m", "localcloud", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )


def _session_processes(pgid: int) -> list[int]:
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def _start(state: Path) -> int:
    """Start a second cloud with its state in ``state``: its PID (and session id)."""
    started = _cloud("start", state)
    assert started.returncode == 0, started.stderr
    return int((state / "localstack.pid").read_text())


def _worker_pid() -> int:
    """Create a function that answers its worker's PID and invoke it: the worker's PID."""
    lam = boto3.client(
        "lambda",
        endpoint_url=f"http://127.0.0.1:{PORT}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("f.py", "import os\ndef handler(e, c):\n    return os.getpid()\n")
    lam.create_function(
        FunctionName="f",
        Runtime="python3.12",
        Handler="f.handler",
        Role="arn:aws:iam::000000000000:role/f",
        Code={"ZipFile": code.getvalue()},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName="f")
    return json.loads(lam.invoke(FunctionName="f")["Payload"].read())


def test_down_stops_the_cloud_and_every_lambda_worker(tmp_path):
    pid = _start(tmp_path)
    try:
        worker = _worker_pid()
        assert worker in _session_processes(pid)  # the worker belongs to the cloud's session
    finally:
        stopped = _cloud("down", tmp_path)
    assert stopped.returncode == 0, stopped.stderr
    assert _session_processes(pid) == []
    assert not Path(f"/proc/{worker}").exists()
    assert not (tmp_path / "localstack.pid").exists()
    assert list(tmp_path.iterdir())  # its state stayed in its own folder


def test_a_cloud_killed_by_the_oom_killer_leaves_no_worker_and_starts_again(tmp_path):
    pid = _start(tmp_path)
    try:
        worker = _worker_pid()
        os.kill(pid, signal.SIGKILL)  # the OOM killer sends SIGKILL to the biggest process
        deadline = time.monotonic() + 10
        while _session_processes(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _session_processes(pid) == []  # its workers went with it, by themselves
        assert not Path(f"/proc/{worker}").exists() or _is_zombie(worker)
        again = _cloud("start", tmp_path)  # what make up does: the cloud comes back
        assert again.returncode == 0, again.stderr
        assert int((tmp_path / "localstack.pid").read_text()) != pid
    finally:
        stopped = _cloud("down", tmp_path)
    assert stopped.returncode == 0, stopped.stderr
    assert not (tmp_path / "localstack.pid").exists()


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
