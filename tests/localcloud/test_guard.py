"""The local cloud extension depends on LocalStack and moto internals: fail loudly if an
upgrade changes them. The check (localcloud/guard.py) runs in the local cloud's own Python 3.13
environment and also exercises the transaction rollback and the API Gateway stage update."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_localstack_and_moto_internals_are_as_the_extension_expects():
    result = subprocess.run(
        [str(ROOT / ".venv-localcloud/bin/python"), "-m", "localcloud.guard"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
