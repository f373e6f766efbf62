"""pynamodb configuration shared by every context's ``store.py``.

Table names come from environment variables set in template.yaml (``ORDERS_TABLE``...), so
the same code runs against any stage. The endpoint comes from ``AWS_ENDPOINT_URL_DYNAMODB``
or ``AWS_ENDPOINT_URL`` (the local cloud sets the latter); on AWS neither is set.

Usage::

    class Offer(Model):
        Meta = table_meta("CATALOG_TABLE")
"""

from __future__ import annotations

import os
import threading
from typing import TypeVar

from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from titan.errors import NotFound


def endpoint() -> str | None:
    """The DynamoDB endpoint override, or None for the AWS default."""
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL") or None


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1")


_local = threading.local()


def transaction() -> TransactWrite:
    """A pynamodb ``TransactWrite`` (use as ``with transaction() as write:``) on the same
    region and endpoint as the tables of ``table_meta``. The connection (and its botocore
    client, about 80 ms of CPU to create) is made once per thread and reused."""
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = Connection(region=region(), host=endpoint())
    return TransactWrite(connection=connection)


def condition_failed(exc: Exception) -> bool:
    """True if a pynamodb single-item write (``PutError``, ``UpdateError``, ``DeleteError``)
    was refused by its condition expression, not by any other error."""
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def failed_conditions(exc: Exception) -> set[int]:
    """Positions of the items whose condition failed in a cancelled ``TransactWriteError``;
    empty for any other error. Positions follow pynamodb's request order: condition checks,
    then deletes, then puts (``save``), then updates, each kind in the order it was added."""
    if getattr(exc, "cause_response_code", None) != "TransactionCanceledException":
        return set()
    return {
        i
        for i, reason in enumerate(exc.cancellation_reasons)
        if reason is not None and reason.code == "ConditionalCheckFailed"
    }


def table_meta(env_var: str, **extra) -> type:
    """A pynamodb ``Meta`` class for the table named by ``os.environ[env_var]``.

    Raises KeyError at import if the variable is missing: a function deployed without its
    table fails at once, not on the first request."""
    attributes = {
        "table_name": os.environ[env_var],
        "region": region(),
        "host": endpoint(),
        "max_retry_attempts": 3,
        **extra,
    }
    return type("Meta", (), attributes)


def index(name: str, range_key: bool = True) -> type[GlobalSecondaryIndex]:
    """A pynamodb global secondary index class for the index ``name`` (``gsi1``...), keyed
    by ``<name>pk`` and, with ``range_key``, ``<name>sk`` (string attributes), all
    attributes projected: the shape every context's table uses. Declare it on the model
    beside its key attributes: ``by_order = index("gsi1")()``."""
    attributes = {
        "Meta": type("Meta", (), {"index_name": name, "projection": AllProjection()}),
        f"{name}pk": UnicodeAttribute(hash_key=True),
    }
    if range_key:
        attributes[f"{name}sk"] = UnicodeAttribute(range_key=True)
    return type(f"Index_{name}", (GlobalSecondaryIndex,), attributes)


M = TypeVar("M", bound=Model)


def get_or_404(model: type[M], *key: str, code: str, detail: str, consistent: bool = True) -> M:
    """The item of ``model`` at ``key`` (``model.key(...)``'s hash and range key), read
    strongly consistent unless ``consistent`` is False. Raises NotFound ``code`` with
    ``detail`` when there is none."""
    try:
        return model.get(*key, consistent_read=consistent)
    except model.DoesNotExist as exc:
        raise NotFound(detail, code=code) from exc
