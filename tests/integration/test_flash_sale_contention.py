"""The flash-sale race at full contention on the local cloud's DynamoDB (conditional writes
and transactions, serialised as on AWS): 2,000 purchase attempts from 50 concurrent clients
by 500 customers for 100 units with a limit of 2 each, then every reservation expired by 4
threads at once. Runs ``infra/tools/flash_crowd.py direct`` in its own process, so the
flash-sales code is configured for the deployed tables and nothing else in this session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_unit_is_sold_twice_nor_any_customer_over_the_limit_and_expiry_happens_once(cloud):
    run = subprocess.run(
        [sys.executable, str(ROOT / "infra" / "tools" / "flash_crowd.py"), "direct"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    result = json.loads(run.stdout.strip().splitlines()[-1])
    rush, expiry = result["rush"], result["expiry"]
    assert sum(rush["outcomes"].values()) == 2000
    assert set(rush["outcomes"]) <= {"201", "SOLD_OUT", "LIMIT_REACHED"}, rush
    # Exactly the 100 units are held: as the answers say, as the reservations say, as the
    # buyers' counts say, and none is left in the shards.
    assert rush["answeredUnits"] == rush["reservedUnits"] == rush["buyerUnits"] == 100, rush
    assert rush["remaining"] == 0 and rush["maxPerCustomer"] <= 2, rush
    assert rush["outcomes"]["LIMIT_REACHED"] > 0  # the limit was tested, not just the stock
    # Each reservation expired once although four handlers raced for it.
    assert expiry["failures"] == {}, expiry
    assert expiry["expiredEvents"] == expiry["reservations"] == rush["outcomes"]["201"], expiry
    assert expiry["remaining"] == 100 and expiry["buyerUnits"] == 0, expiry
