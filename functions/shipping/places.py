"""The shipping context's reference data, shipped in ``data/`` and read once per container:
where each zip-code prefix lies, the market service's fitted rate table and the fitted
delivery promise."""

from __future__ import annotations

import bisect
import csv
import gzip
import io
import json
from functools import cache
from pathlib import Path

from shipping.domain import MarketTable, Place, PromiseTable

DATA = Path(__file__).parent / "data"


@cache
def _places() -> tuple[list[str], dict[str, Place]]:
    text = gzip.decompress((DATA / "zip_prefixes.csv.gz").read_bytes()).decode()
    places = {
        row["zip_code_prefix"]: Place(
            row["zip_code_prefix"], float(row["lat"]), float(row["lng"]), row["state"]
        )
        for row in csv.DictReader(io.StringIO(text))
    }
    return sorted(places), places


def place(zip_code: str) -> Place:
    """The place of a zip code (its first five digits). A prefix the data lacks (about 8% of
    Olist's addresses) takes the nearest known prefix by number: Brazil's CEPs are assigned
    by area, so neighbouring numbers are neighbouring places. Raises ValueError unless
    ``zip_code`` starts with five digits."""
    prefix = zip_code.replace("-", "")[:5]
    if len(prefix) != 5 or not prefix.isdigit():
        raise ValueError(f"not a zip code: {zip_code!r}")
    prefixes, places = _places()
    if prefix in places:
        return places[prefix]
    at = bisect.bisect_left(prefixes, prefix)
    nearest = min(
        (prefixes[i] for i in (at - 1, at) if 0 <= i < len(prefixes)),
        key=lambda known: abs(int(known) - int(prefix)),
    )
    return places[nearest]


@cache
def market() -> MarketTable:
    """The market service's rate table (``data/market.json``)."""
    return MarketTable(**json.loads((DATA / "market.json").read_text()))


@cache
def promise() -> PromiseTable:
    """The fitted delivery promise (``data/promise.json``)."""
    return PromiseTable(**json.loads((DATA / "promise.json").read_text()))
