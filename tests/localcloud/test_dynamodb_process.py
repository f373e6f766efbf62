"""The local cloud's DynamoDB process (localcloud/dynamodb_server.py), on a real socket.

It runs in the local cloud's own environment (LocalStack's moto) and is called here with
boto3 as the Lambda workers call it (``AWS_ENDPOINT_URL_DYNAMODB``): AWS's error shapes,
conditional writes exact under concurrent clients, transactions all or nothing, index
queries that follow the writes, accounts kept apart, and no process left behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

pytestmark = pytest.mark.offline

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv-localcloud/bin/python"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the DynamoDB process exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the DynamoDB process did not listen")


@pytest.fixture(scope="module")
def endpoint():
    port = _free_port()
    process = subprocess.Popen(
        [str(PYTHON), "-m", "localcloud.dynamodb_server", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_listening(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()


def _client(endpoint: str, key: str = "test"):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=16),
    )


def _table(ddb, name: str) -> None:
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "owner", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byOwner",
                "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def test_answers_as_dynamodb_does_with_its_errors(endpoint):
    ddb = _client(endpoint)
    _table(ddb, "errors")
    ddb.put_item(TableName="errors", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    assert ddb.get_item(TableName="errors", Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "1"}

    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(
            TableName="errors",
            Item={"pk": {"S": "a"}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.get_item(TableName="missing", Key={"pk": {"S": "a"}})
    with pytest.raises(ddb.exceptions.ClientError) as refused:
        ddb.update_item(TableName="errors", Key={"pk": {"S": "a"}}, UpdateExpression="SET")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_conditional_decrements_are_exact_under_concurrent_clients(endpoint):
    ddb = _client(endpoint)
    _table(ddb, "stock")
    ddb.put_item(TableName="stock", Item={"pk": {"S": "sku"}, "available": {"N": "300"}})

    def take(_: int) -> bool:
        try:
            ddb.update_item(
                TableName="stock",
                Key={"pk": {"S": "sku"}},
                UpdateExpression="SET available = available - :one",
                ConditionExpression="available >= :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
            return True
        except ddb.exceptions.ConditionalCheckFailedException:
            return False

    with ThreadPoolExecutor(12) as pool:
        taken = sum(pool.map(take, range(400)))

    left = ddb.get_item(TableName="stock", Key={"pk": {"S": "sku"}}, ConsistentRead=True)
    assert taken == 300
    assert left["Item"]["available"] == {"N": "0"}


def test_a_cancelled_transaction_writes_nothing(endpoint):
    ddb = _client(endpoint)
    _table(ddb, "ledger")
    ddb.put_item(TableName="ledger", Item={"pk": {"S": "wallet"}, "balance": {"N": "100"}})

    with pytest.raises(ddb.exceptions.TransactionCanceledException) as cancelled:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "ledger", "Item": {"pk": {"S": "entry-1"}}}},
                {
                    "Update": {
                        "TableName": "ledger",
                        "Key": {"pk": {"S": "wallet"}},
                        "UpdateExpression": "SET balance = balance - :x",
                        "ConditionExpression": "balance >= :x",
                        "ExpressionAttributeValues": {":x": {"N": "150"}},
                    }
                },
            ]
        )
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert "Item" not in ddb.get_item(TableName="ledger", Key={"pk": {"S": "entry-1"}})
    wallet = ddb.get_item(TableName="ledger", Key={"pk": {"S": "wallet"}})["Item"]
    assert wallet["balance"] == {"N": "100"}


def test_index_queries_follow_each_write(endpoint):
    ddb = _client(endpoint)
    _table(ddb, "orders")

    def owned(owner: str) -> list[str]:
        found = ddb.query(
            TableName="orders",
            IndexName="byOwner",
            KeyConditionExpression="#o = :o",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues={":o": {"S": owner}},
        )
        return sorted(item["pk"]["S"] for item in found["Items"])

    for pk in ("o1", "o2"):
        ddb.put_item(TableName="orders", Item={"pk": {"S": pk}, "owner": {"S": "ana"}})
    assert owned("ana") == ["o1", "o2"]
    ddb.update_item(
        TableName="orders",
        Key={"pk": {"S": "o2"}},
        UpdateExpression="SET #o = :b",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":b": {"S": "bia"}},
    )
    ddb.delete_item(TableName="orders", Key={"pk": {"S": "o1"}})
    assert owned("ana") == []
    assert owned("bia") == ["o2"]


def test_accounts_are_kept_apart_by_access_key(endpoint):
    default, other = _client(endpoint), _client(endpoint, key="111111111111")
    _table(default, "private")
    assert "private" in default.list_tables()["TableNames"]
    assert "private" not in other.list_tables()["TableNames"]


def test_the_process_ends_when_its_parent_does(tmp_path):
    port = _free_port()
    pid_file = tmp_path / "pid"
    parent = subprocess.Popen(
        [
            "sh",
            "-c",
            f'"{PYTHON}" -m localcloud.dynamodb_server {port} >/dev/null &'
            f" echo $! > {pid_file}; wait",
        ],
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text().strip()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        child = int(pid_file.read_text())
        _wait_listening(port, parent)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        gone = threading.Event()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not gone.is_set():
            try:
                os.kill(child, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                gone.set()
        if not gone.is_set():
            os.kill(child, signal.SIGKILL)
        assert gone.is_set(), "the DynamoDB process outlived its parent"
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
