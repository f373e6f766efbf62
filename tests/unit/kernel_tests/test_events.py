import json

import boto3
import pytest
from moto import mock_aws
from pydantic import ValidationError

from contracts import Event
from titan.context import set_correlation_id
from titan.events import MAX_BATCH, DomainEvent, EventPublisher, PublishFailed, _batches


class Happened(Event, source="titan.test"):
    """A test's own event type."""

    i: int | None = None
    blob: str | None = None


@pytest.fixture
def bus_and_queue():
    with mock_aws():
        events = boto3.client("events")
        sqs = boto3.client("sqs")
        events.create_event_bus(Name="titan-test")
        queue_url = sqs.create_queue(QueueName="sink")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        events.put_rule(
            Name="all",
            EventBusName="titan-test",
            EventPattern=json.dumps({"source": [{"prefix": "titan."}]}),
        )
        events.put_targets(
            Rule="all", EventBusName="titan-test", Targets=[{"Id": "sink", "Arn": queue_arn}]
        )
        yield events, sqs, queue_url


def _drain(sqs, queue_url):
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            return bodies
        bodies += [json.loads(m["Body"]) for m in messages]
        for m in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def test_published_events_carry_the_envelope_and_correlation_id(bus_and_queue):
    events, sqs, queue_url = bus_and_queue
    set_correlation_id("corr-42")
    try:
        published = [
            DomainEvent.of(
                "ProductCreated",
                {"productId": f"{i:032x}", "title": "t", "category": "c", "status": "ACTIVE"},
            )
            for i in range(23)
        ]
        EventPublisher(client=events).publish(*published)
    finally:
        set_correlation_id(None)
    received = _drain(sqs, queue_url)
    assert len(received) == 23
    first = next(r for r in received if r["detail"]["data"]["productId"] == f"{0:032x}")
    assert first["source"] == "titan.catalog"
    assert first["detail-type"] == "ProductCreated"
    metadata = first["detail"]["metadata"]
    assert metadata["correlationId"] == "corr-42"
    assert metadata["version"] == 1
    assert metadata["eventId"].startswith("evt_")
    assert metadata["occurredAt"].endswith("Z")


def test_batches_respect_the_put_events_limits():
    entries = [DomainEvent(Happened(i=i)).entry("bus") for i in range(25)]
    assert [len(b) for b in _batches(entries)] == [MAX_BATCH, MAX_BATCH, 5]
    big = DomainEvent(Happened(blob="a" * 100_000)).entry("bus")
    assert [len(b) for b in _batches([big, big, big])] == [2, 1]
    with pytest.raises(ValueError):
        _batches([DomainEvent(Happened(blob="a" * 300_000)).entry("bus")])


def test_an_event_off_its_contract_is_not_published():
    with pytest.raises(ValidationError):
        DomainEvent.of("OrderShipped", {"orderId": "ord_1"})
    with pytest.raises(KeyError):
        DomainEvent.of("order_placed", {})
    with pytest.raises(TypeError):
        DomainEvent({"orderId": "ord_1"})


def test_only_the_fields_the_producer_set_are_published():
    event = DomainEvent(Happened(i=1))
    assert event.data == {"i": 1}
    assert (event.source, event.detail_type, event.version) == ("titan.test", "Happened", 1)


class _Flaky:
    """A PutEvents stand-in failing the first ``failures`` calls for one entry."""

    def __init__(self, failures):
        self.failures = failures
        self.calls = []

    def put_events(self, Entries):
        self.calls.append(Entries)
        if len(self.calls) <= self.failures:
            results = [{"EventId": "1"} for _ in Entries]
            results[0] = {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
            return {"FailedEntryCount": 1, "Entries": results}
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "1"} for _ in Entries]}


def test_failed_entries_are_retried_alone():
    client = _Flaky(failures=1)
    EventPublisher("bus", client=client).publish(*[DomainEvent(Happened(i=i)) for i in range(3)])
    assert [len(c) for c in client.calls] == [3, 1]


def test_entries_still_failing_after_the_retries_raise():
    client = _Flaky(failures=5)
    with pytest.raises(PublishFailed) as raised:
        EventPublisher("bus", client=client, attempts=2).publish(DomainEvent(Happened()))
    assert len(raised.value.failed) == 1
