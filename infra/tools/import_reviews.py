"""``make import-reviews``: bring Olist's real reviews of the replayed orders in through the
reviews API's bulk import (``POST /admin/reviews/imports``), so they pass the same moderation
as new reviews, then print what moderation did and the import's rate.

Which Titan order an Olist order became comes from the replay's results (``make replay
RESULTS=file`` keeps them; ``make replay`` also imports at its end). Each Olist review becomes a
review of every product and of every seller of its order, by the order's buyer, dated when
it was written (Olist's timestamps are Brasilia time). Importing again changes nothing.

Data: Olist Brazilian E-Commerce Public Dataset, CC BY-NC-SA 4.0 (infra/seed/README.md).
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "infra" / "seed" / "olist" / "orders"
#: Olist's timestamps are Brasilia time (UTC-3 then).
BRASILIA = timezone(timedelta(hours=-3))
#: Reviews per request: the API's limit.
BATCH = 100


def written_at(text: str) -> str:
    """An Olist review date (``2018-05-23 00:00:00``, Brasilia) as RFC 3339 with its offset."""
    return datetime.fromisoformat(text).replace(tzinfo=BRASILIA).isoformat()


def rows_for(reviews: list[dict], placed: dict[str, str]) -> list[dict]:
    """The import rows of the ``reviews`` (Olist's CSV rows) whose order was placed, as
    ``placed`` maps Olist order ids to Titan's. A review's id is not unique in Olist's data;
    with its order's id it is."""
    return [
        {
            "sourceId": f"olist:{row['review_id']}:{row['order_id']}",
            "orderId": placed[row["order_id"]],
            "rating": int(row["review_score"]),
            "title": row["review_comment_title"],
            "text": row["review_comment_message"],
            "createdAt": written_at(row["review_creation_date"]),
        }
        for row in reviews
        if row["order_id"] in placed
    ]


def read_reviews(folder: Path) -> list[dict]:
    with (folder / "reviews.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def placed_from_results(path: Path) -> dict[str, str]:
    """{Olist order id: Titan order id} from a replay's results file (JSON lines)."""
    placed = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        result = json.loads(line)
        if result.get("outcome") == "placed":
            placed[result["orderId"]] = result["titanOrderId"]
    return placed


def run(api: str, token_for, rows: list[dict], log=print) -> dict:
    """POST ``rows`` in batches as staff (``token_for()`` gives a fresh token); returns
    ``{results, seconds, reviews}`` where ``reviews`` counts reviews written (a row makes one
    per product and seller of its order)."""
    session = requests.Session()
    results, started, token, token_at = [], time.perf_counter(), token_for(), time.monotonic()
    for start in range(0, len(rows), BATCH):
        if time.monotonic() - token_at > 600:  # access tokens last 15 minutes
            token, token_at = token_for(), time.monotonic()
        batch = rows[start : start + BATCH]
        for attempt in range(1, 4):
            response = session.post(
                f"{api}/admin/reviews/imports",
                json={"reviews": batch},
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
            if response.status_code < 500 or attempt == 3:
                break
            time.sleep(2 * attempt)  # a fault: importing again changes nothing
        response.raise_for_status()
        results.extend(response.json()["results"])
        log(f"  {len(results)} of {len(rows)} reviews imported")
    seconds = time.perf_counter() - started
    written = sum(len(r["reviewIds"]) for r in results)
    return {"results": results, "seconds": seconds, "reviews": written}


def summary(done: dict, rows: list[dict]) -> str:
    results = done["results"]
    outcomes = collections.Counter(r["outcome"] for r in results)
    by_id = {row["sourceId"]: row for row in rows}
    lines = [
        f"Olist reviews imported: {len(results)} (making {done['reviews']} product and seller "
        f"reviews) in {done['seconds']:.1f} s: {len(results) / max(done['seconds'], 1e-9):.1f} "
        f"Olist reviews/s, {done['reviews'] / max(done['seconds'], 1e-9):.1f} reviews/s",
    ]
    lines += [f"  {n} x {outcome}" for outcome, n in outcomes.most_common()]
    held = [r for r in results if r["outcome"] == "HELD"]
    share = 100 * len(held) / max(len(results), 1)
    lines.append(f"held for staff: {len(held)} ({share:.2f}%)")
    for result in held:
        reasons = "; ".join(f"{f['code']}: {f['detail']}" for f in result["reasons"])
        words = (by_id[result["sourceId"]]["title"] + " " + by_id[result["sourceId"]]["text"])[:90]
        lines.append(f"  {result['sourceId']}: {reasons} | {words.strip()!r}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", required=True, help="the replay's results (JSON lines)")
    parser.add_argument("--orders", default=str(DATA), help="folder with Olist's reviews.csv")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "infra" / "localcloud"))
    from localcloud import cloud, seed

    outputs = json.loads(cloud.OUTPUTS.read_text())
    api = outputs["ApiUrl"]
    rows = rows_for(read_reviews(Path(args.orders)), placed_from_results(Path(args.results)))
    done = run(api, lambda: seed.admin_token(api, outputs), rows)
    print(summary(done, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
