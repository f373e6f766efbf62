"""The local cloud's WebSocket API as the AWS SDK sees it: ``apigatewaymanagementapi`` pointed
at the cloud (``AWS_ENDPOINT_URL``, as the functions are) finds a live connection
(GetConnection), pushes to it (PostToConnection), closes it (DeleteConnection, which runs
``$disconnect``: the chat forgets the connection), and hears ``GoneException`` afterwards;
messages past 128 KB are refused with ``PayloadTooLargeException``."""

from __future__ import annotations

import asyncio

import pytest
from botocore.exceptions import ClientError

from chat_client import ChatSocket
from shopper import new_customer
from tests.e2e import polling


def connection_ids(aws, cloud, account_id: str) -> list[str]:
    found = aws("dynamodb").query(
        TableName=cloud["ChatTableName"],
        KeyConditionExpression="pk = :owner",
        ExpressionAttributeValues={":owner": {"S": f"ACCOUNT#{account_id}"}},
        ConsistentRead=True,
    )
    return [item["sk"]["S"].removeprefix("CONN#") for item in found["Items"]]


def test_the_sdk_manages_connections_through_the_local_cloud(cloud, api_url, aws):
    buyer = new_customer(api_url)
    management = aws("apigatewaymanagementapi")

    async def scene():
        socket = await ChatSocket.open(cloud["WebSocketUrl"], buyer.token)
        (connection_id,) = await asyncio.to_thread(connection_ids, aws, cloud, buyer.account_id)
        described = await asyncio.to_thread(management.get_connection, ConnectionId=connection_id)
        assert described["Identity"]["SourceIp"] == "127.0.0.1"
        assert described["ConnectedAt"] <= described["LastActiveAt"]
        await asyncio.to_thread(
            management.post_to_connection, ConnectionId=connection_id, Data=b'{"type":"ping"}'
        )
        assert await socket.expect("ping", timeout=10) == {"type": "ping"}
        with pytest.raises(ClientError) as too_big:
            await asyncio.to_thread(
                management.post_to_connection, ConnectionId=connection_id, Data=b"x" * 131073
            )
        assert too_big.value.response["Error"]["Code"] == "PayloadTooLargeException"
        await asyncio.to_thread(management.delete_connection, ConnectionId=connection_id)
        await asyncio.sleep(0.5)
        assert socket.connection.state.name == "CLOSED"
        return connection_id

    connection_id = asyncio.run(scene())
    polling.until(
        lambda: connection_ids(aws, cloud, buyer.account_id), lambda ids: not ids, "$disconnect", 30
    )
    for call in (management.get_connection, management.delete_connection):
        with pytest.raises(ClientError) as gone:
            call(ConnectionId=connection_id)
        assert gone.value.response["Error"]["Code"] == "GoneException"
    with pytest.raises(ClientError) as gone:
        management.post_to_connection(ConnectionId=connection_id, Data=b"late")
    assert gone.value.response["Error"]["Code"] == "GoneException"
