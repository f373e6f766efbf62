"""Pages of DynamoDB queries behind ``?cursor=``: the opaque cursor a page returns and the
strict check of a cursor a client sends back (it may only continue the query that made it)."""

from __future__ import annotations

import base64
import json

from titan.errors import BadRequest


def page_cursor(last_key: dict | None) -> str | None:
    """The opaque ``cursor`` a paginated response returns for a DynamoDB query's
    ``last_evaluated_key`` (None on the last page)."""
    return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode() if last_key else None


def page_start(
    cursor: str | None,
    names: tuple[str, ...],
    fixed: dict[str, str],
    prefixes: dict[str, str] | None = None,
) -> dict | None:
    """The ``last_evaluated_key`` a ``?cursor=`` continues from.

    ``names``: the key attributes the query's page ends carry (the table's and the index's);
    ``fixed``: those the query pins (its partition key: a cursor cannot move to another
    partition); ``prefixes``: those its key condition bounds with ``begins_with``.
    Raises BadRequest ``INVALID_CURSOR`` for any cursor this query did not make: not base64
    of JSON, other attribute names, values that are not strings, another partition.
    """
    if not cursor:
        return None
    invalid = BadRequest("The cursor is not valid.", code="INVALID_CURSOR")
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:
        raise invalid from exc
    if not isinstance(key, dict) or set(key) != set(names):
        raise invalid
    for name, value in key.items():
        if not (isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str)):
            raise invalid
        if not value["S"] or (name in fixed and value["S"] != fixed[name]):
            raise invalid
        if not value["S"].startswith((prefixes or {}).get(name, "")):
            raise invalid
        try:
            value["S"].encode("utf-8")
        except UnicodeError as exc:
            raise invalid from exc
    return key
