"""Refunds at full contention and the refund saga's timeout, on the local cloud's DynamoDB
and Step Functions (``infra/tools/ledger_load.py`` runs the service code in a subprocess
with the deployed tables' names)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load(command: str) -> dict:
    run = subprocess.run(
        [sys.executable, str(ROOT / "infra" / "tools" / "ledger_load.py"), command],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_twelve_refunds_racing_never_give_back_more_than_was_captured(cloud):
    race = load("race")
    payments, escrow = race["payments"], race["escrow"]
    # R$ 100,00 captured, twelve refunds of R$ 30,00 at once: three win, nine are refused.
    assert payments["other"] == [] and escrow["other"] == [], race
    assert (payments["won"], payments["refused"]) == (3, 9), race
    assert payments["refunded"] == 9000 <= payments["captured"], race
    assert (escrow["won"], escrow["refused"]) == (3, 9), race
    assert escrow["balance"] == escrow["entriesSum"] == 1000, race


def test_goods_that_never_come_end_the_return_as_expired(cloud):
    result = load("timeout")
    assert result["status"] == "EXPIRED", result
    assert result["history"] == ["REQUESTED", "APPROVED", "EXPIRED"], result
    assert list(result["returned"].values()) == [0], result  # the unit may be returned again
