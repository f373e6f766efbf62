"""The template deployed to the local cloud: handlers, DynamoDB, EventBridge."""

import importlib.util
import io
import json
import sys
import threading
import time
import zipfile

import pytest
import requests
from botocore.exceptions import ClientError

from contracts import Event
from titan.events import DomainEvent, EventPublisher


class ThingHappened(Event, source="titan.test"):
    """This test's own event type."""

    n: int


def test_a_deployed_handler_uses_its_env_vars_to_reach_dynamodb_and_eventbridge(api_url):
    response = requests.get(f"{api_url}/health/ready", timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["stage"] == "local"  # TITAN_STAGE from the context templates' Globals
    assert {c["name"]: c["ok"] for c in body["checks"]} == {"dynamodb": True, "eventbridge": True}


def test_every_stack_function_runs_in_the_local_executor(cloud, aws):
    from localcloud import cloud as local

    names = list(local.stack_functions().values())
    assert len(names) > 30  # every context's functions, from its nested stack
    config = aws("lambda").get_function_configuration(FunctionName=names[0])
    assert config["Runtime"] == "python3.12"
    assert config["Environment"]["Variables"]["EVENT_BUS_NAME"] == cloud["EventBusName"]
    assert [layer["Arn"] for layer in config["Layers"]] == [cloud["SharedLayerArn"]]


@pytest.fixture
def event_sink(cloud, aws):
    """An SQS queue receiving the test's own events (source titan.test) on the stack's bus:
    other tests publish on the same bus at the same time."""
    sqs, events = aws("sqs"), aws("events")
    queue_url = sqs.create_queue(QueueName=f"sink-{time.time_ns()}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    rule = f"sink-{time.time_ns()}"
    bus = cloud["EventBusName"]
    events.put_rule(
        Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["titan.test"]})
    )
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    yield sqs, queue_url
    events.remove_targets(Rule=rule, EventBusName=bus, Ids=["q"])
    events.delete_rule(Name=rule, EventBusName=bus)
    sqs.delete_queue(QueueUrl=queue_url)


def test_domain_events_reach_subscribers_through_the_bus(cloud, aws, event_sink):
    sqs, queue_url = event_sink
    publisher = EventPublisher(cloud["EventBusName"], client=aws("events"))
    publisher.publish(*[DomainEvent(ThingHappened(n=n)) for n in range(12)])
    received = []
    deadline = time.monotonic() + 20
    while len(received) < 12 and time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        received += [json.loads(m["Body"]) for m in messages]
    assert sorted(r["detail"]["data"]["n"] for r in received) == list(range(12))
    archives = aws("events").list_archives()["Archives"]
    assert any(cloud["EventBusName"] in a["EventSourceArn"] for a in archives)


@pytest.fixture
def stock_table(aws):
    ddb = aws("dynamodb", max_pool_connections=16)
    name = f"stock-{time.time_ns()}"
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    ddb.put_item(TableName=name, Item={"pk": {"S": "sku"}, "stock": {"N": "500"}})
    yield ddb, name
    ddb.delete_table(TableName=name)


DECREMENT = {
    "Key": {"pk": {"S": "sku"}},
    "UpdateExpression": "SET stock = stock - :one",
    "ConditionExpression": "stock >= :one",
    "ExpressionAttributeValues": {":one": {"N": "1"}},
}


def _race(attempt, threads=8, per_thread=100) -> int:
    successes = []
    lock = threading.Lock()

    def worker(t):
        for i in range(per_thread):
            try:
                attempt(t, i)
            except ClientError as exc:
                code = exc.response["Error"]["Code"]
                assert code in {"ConditionalCheckFailedException", "TransactionCanceledException"}
                continue
            with lock:
                successes.append((t, i))

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(successes)


def _stock(ddb, name) -> int:
    item = ddb.get_item(TableName=name, Key={"pk": {"S": "sku"}}, ConsistentRead=True)["Item"]
    return int(item["stock"]["N"])


def test_conditional_decrements_never_oversell_under_concurrency(stock_table):
    ddb, name = stock_table
    wins = _race(lambda t, i: ddb.update_item(TableName=name, **DECREMENT))
    assert (wins, _stock(ddb, name)) == (500, 0)


def test_transactions_never_oversell_under_concurrency(stock_table):
    ddb, name = stock_table

    def reserve(t, i):
        ddb.transact_write_items(
            TransactItems=[
                {"Update": {"TableName": name, **DECREMENT}},
                {
                    "Put": {
                        "TableName": name,
                        "Item": {"pk": {"S": f"reservation-{t}-{i}"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    wins = _race(reserve)
    assert (wins, _stock(ddb, name)) == (500, 0)
    reservations = ddb.scan(TableName=name, Select="COUNT")["Count"] - 1
    assert reservations == 500  # cancelled transactions left nothing behind


@pytest.mark.serial
def test_a_redeploy_updates_the_stack_in_place(aws, api_url):
    """A second deploy of a changed parameter updates the context's nested stack and its
    functions in place (LocalStack's own Stack provider cannot update; the extension does).
    The parameter reaches two contexts' functions only, so the two deploys stay short."""
    from localcloud import cloud as local

    function = local.stack_functions()["ReturnsApiFunction"]

    def window() -> str:
        config = aws("lambda").get_function_configuration(FunctionName=function)
        return config["Environment"]["Variables"]["RETURN_WINDOW_DAYS"]

    try:
        local.deploy(ReturnWindowDays="8")
        assert window() == "8"
        assert requests.get(f"{api_url}/health", timeout=30).status_code == 200
    finally:
        # SAM keeps a parameter's previous value unless told (as on AWS): the default again,
        # remembered as the plain deploy it now equals, so the next session does not redeploy.
        local.deploy(ReturnWindowDays="7")
        local.DEPLOYED.write_text(local.fingerprint(local._overrides({})))
    assert window() == "7"


@pytest.mark.serial
def test_code_reload_updates_the_running_functions_without_a_stack_update(cloud, aws, api_url):
    from localcloud import cloud as local

    lam = aws("lambda")
    functions = local.stack_functions()
    before = {
        n: lam.get_function_configuration(FunctionName=n)["LastModified"]
        for n in functions.values()
    }
    stack_before = aws("cloudformation").describe_stacks(StackName=cloud["StackName"])
    local.reload_code()
    after = {
        n: lam.get_function_configuration(FunctionName=n)["LastModified"]
        for n in functions.values()
    }
    assert all(after[n] != before[n] for n in before)
    stack_after = aws("cloudformation").describe_stacks(StackName=cloud["StackName"])
    assert stack_after["Stacks"][0].get("LastUpdatedTime") == stack_before["Stacks"][0].get(
        "LastUpdatedTime"
    )
    assert requests.get(f"{api_url}/health", timeout=30).status_code == 200


def test_a_stack_update_changes_an_eventbridge_rule_and_its_targets(aws):
    """A changed EventPattern and a removed target reach the rule on update (LocalStack alone
    reported the update done and kept the old rule)."""
    import json
    import uuid

    cfn, events = aws("cloudformation"), aws("events")
    name = f"rule-update-{uuid.uuid4().hex[:8]}"

    def template(types: list[str], targets: int) -> str:
        rule = {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "EventPattern": {"source": ["titan.test"], "detail-type": types},
                "Targets": [
                    {"Id": f"q{i}", "Arn": {"Fn::GetAtt": ["Queue", "Arn"]}} for i in range(targets)
                ],
            },
        }
        resources = {"Queue": {"Type": "AWS::SQS::Queue"}, "Rule": rule}
        return json.dumps({"Resources": resources})

    def wait(waiter: str) -> None:
        cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})

    cfn.create_stack(StackName=name, TemplateBody=template(["A"], 2))
    wait("stack_create_complete")
    try:
        rule = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Rule")
        rule_name = rule["StackResourceDetail"]["PhysicalResourceId"].split("|")[-1]
        cfn.update_stack(StackName=name, TemplateBody=template(["A", "B"], 1))
        wait("stack_update_complete")
        pattern = json.loads(events.describe_rule(Name=rule_name)["EventPattern"])
        assert pattern["detail-type"] == ["A", "B"]
        assert [t["Id"] for t in events.list_targets_by_rule(Rule=rule_name)["Targets"]] == ["q0"]
    finally:
        cfn.delete_stack(StackName=name)


def _cached_name(source: str) -> str:
    folder, _, name = source.rpartition("/")
    return f"{folder}/__pycache__/{name[:-3]}.{sys.implementation.cache_tag}.pyc"


def test_the_layer_ships_bytecode_that_lambda_uses_without_compiling(cloud, aws):
    """Lambda's /opt is read-only: a layer without bytecode is compiled on every cold start.
    Every module of the deployed layer has its .pyc for the runtime's Python (3.12, as
    these tests), hash-based and unchecked (PEP 552), so zip timestamps do not matter."""
    layer = aws("lambda").get_layer_version_by_arn(Arn=cloud["SharedLayerArn"])
    archive = zipfile.ZipFile(
        io.BytesIO(requests.get(layer["Content"]["Location"], timeout=60).content)
    )
    names = set(archive.namelist())
    sources = [n for n in names if n.startswith("python/") and n.endswith(".py")]
    assert len(sources) > 1000  # the requirements and the titan kernel
    assert [s for s in sources if _cached_name(s) not in names] == []
    for source in ("python/titan/api.py", "python/pydantic/main.py", "python/boto3/session.py"):
        header = archive.read(_cached_name(source))[:8]
        assert header[:4] == importlib.util.MAGIC_NUMBER
        assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, source not checked
