"""Refund and ledger figures for ``make bench``, on the service layer against the local
cloud's DynamoDB (``infra/tools/ledger_load.py bench``, in its own process: the ledger and
payments code there is configured for the deployed tables):

- ledger posts: 400 balanced two-entry transactions (wallet to wallet) from 4 threads, each
  one TransactWriteItems of 5 items (transaction, 2 entries, 2 balances);
- refunds: 60 refunds from 4 threads, each the three money steps of the refund saga: the
  escrow hold (ledger), the split over the captured payments (payments) and the settlement
  (ledger): 3 TransactWriteItems and their reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "infra" / "tools" / "ledger_load.py"


def figures() -> list[str]:
    run = subprocess.run(
        [sys.executable, str(TOOL), "bench"], capture_output=True, text=True, check=True
    )
    r = json.loads(run.stdout.strip().splitlines()[-1])
    return [
        f"  ledger posts: {r['ledgerPosts']} from {r['threads']} threads,"
        f" {r['postsPerSecond']} posts/s, p50 {r['postP50Ms']} ms, p95 {r['postP95Ms']} ms",
        f"  refunds (escrow hold + payments split + settlement): {r['refunds']} from"
        f" {r['threads']} threads, {r['refundsPerSecond']} refunds/s,"
        f" p50 {r['refundP50Ms']} ms, p95 {r['refundP95Ms']} ms",
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(TOOL.parent))
    print("\n".join(figures()))
