"""Pushing to WebSocket clients through API Gateway's ``@connections`` API (PostToConnection).

Where the API is: the stage's callback URL (``WEBSOCKET_CALLBACK_URL``), or, when
``AWS_ENDPOINT_URL`` points at a local cloud or LocalStack, that endpoint (which serves
``/@connections/{id}`` as LocalStack does). A connection that is gone (``GoneException``:
the client went without a clean close, or its ``$disconnect`` is still on its way) is
forgotten, so nobody pushes to it again.
"""

from __future__ import annotations

import json
import os
from functools import cache

import boto3
from botocore.config import Config

from chat import settings
from chat.store import Connection
from titan.observability import logger


@cache
def _management():
    local = os.environ.get("AWS_ENDPOINT_URL")
    url = None if local else settings.SETTINGS.needed("websocket_callback_url")
    # One quick attempt: a slow or gone client must not hold the sender's request.
    config = Config(
        retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=2, read_timeout=5
    )
    return boto3.client("apigatewaymanagementapi", endpoint_url=url, config=config)


def reachable(owners: list[str]) -> dict[str, str]:
    """{connection id: owner} of the live connections under ``owners`` (``ACCOUNT#<id>``,
    ``SELLER#<id>``)."""
    found: dict[str, str] = {}
    for owner in owners:
        for item in Connection.query(owner, Connection.sk.startswith("CONN#")):
            found[item.sk.removeprefix("CONN#")] = owner
    return found


def push(connection_ids: list[str], payload: dict) -> set[str]:
    """Send ``payload`` (JSON) to each connection; the ids it reached. Connections that are
    gone are forgotten (their items deleted)."""
    data = json.dumps(payload, separators=(",", ":")).encode()
    reached = set()
    api = _management()
    for connection_id in connection_ids:
        try:
            api.post_to_connection(ConnectionId=connection_id, Data=data)
            reached.add(connection_id)
        except api.exceptions.GoneException:
            forget(connection_id)
        except Exception as exc:  # one client's failure must not fail the others' delivery
            logger.warning("push failed", extra={"connectionId": connection_id, "error": str(exc)})
    return reached


def forget(connection_id: str) -> None:
    """Delete a connection's items (nothing if they are gone already)."""
    try:
        connection = Connection.get(*Connection.key(connection_id))
    except Connection.DoesNotExist:
        return
    owners = [f"ACCOUNT#{connection.account_id}"]
    if connection.seller_id:
        owners.append(f"SELLER#{connection.seller_id}")
    with Connection.batch_write() as batch:
        for owner in owners:
            batch.delete(Connection(*Connection.reach_key(owner, connection_id)))
        batch.delete(connection)
