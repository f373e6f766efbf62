"""The kernel's consumer: typed events, the cause's correlation id, once per event id, partial
batch failures, schedules."""

from __future__ import annotations

import pytest
from moto import mock_aws

from apigw import FakeContext
from contracts import Event
from delivery import deliver, sqs_batch
from titan.consumers import UnexpectedEvent, consumer
from titan.context import set_correlation_id
from titan.events import DomainEvent, EventPublisher


class ParcelWeighed(Event, source="titan.test"):
    """A test's own event: a parcel was weighed."""

    parcelId: str
    grams: int


class ParcelLabelled(Event, source="titan.test"):
    """What the test consumer publishes in answer."""

    parcelId: str


@pytest.fixture
def published(monkeypatch):
    from tests.unit.tables import create_tables

    with mock_aws():
        create_tables("IdempotencyTable")
        sent: list[DomainEvent] = []
        monkeypatch.setattr(EventPublisher, "publish", lambda self, *e: sent.extend(e))
        yield sent


def _weighed(parcel: str, correlation: str, grams: int = 500) -> DomainEvent:
    set_correlation_id(correlation)
    try:
        return DomainEvent(ParcelWeighed(parcelId=parcel, grams=grams))
    finally:
        set_correlation_id(None)


def _labeller(runs: list):
    def label(received) -> list[DomainEvent]:
        runs.append(received)
        if received.event.grams < 0:
            raise ValueError("a negative weight")
        return [DomainEvent(ParcelLabelled(parcelId=received.event.parcelId))]

    return consumer({ParcelWeighed: label}, schedule=lambda: {"swept": 1})


def test_each_event_published_in_answer_carries_its_cause_s_correlation_id(published):
    runs: list = []
    handler = _labeller(runs)
    deliver(handler, _weighed("p1", "corr-first"), _weighed("p2", "corr-second"))
    # A warm function used to stamp the first cause's id on everything it published after.
    assert [(e.payload.parcelId, e.correlation_id) for e in published] == [
        ("p1", "corr-first"),
        ("p2", "corr-second"),
    ]
    assert [r.metadata.correlationId for r in runs] == ["corr-first", "corr-second"]
    assert isinstance(runs[0].event, ParcelWeighed) and runs[0].event.grams == 500


def test_a_redelivered_event_runs_once_and_a_failed_one_runs_again(published):
    runs: list = []
    handler = _labeller(runs)
    event = _weighed("p1", "c1")
    assert deliver(handler, event, event) == [{"published": 1}, {"published": 1}]
    assert len(runs) == 1 and len(published) == 1
    failing = _weighed("p2", "c2", grams=-1)
    for _ in range(2):  # EventBridge's retries: each runs, since a failure leaves no record
        with pytest.raises(ValueError):
            deliver(handler, failing)
    assert len(runs) == 3


def test_an_event_it_does_not_take_or_off_contract_is_refused(published):
    handler = _labeller([])
    with pytest.raises(UnexpectedEvent):
        deliver(handler, DomainEvent(ParcelLabelled(parcelId="p1")))
    broken = _weighed("p1", "c1").as_delivered()
    broken["detail"]["data"]["grams"] = "heavy"
    with pytest.raises(UnexpectedEvent):
        handler(broken, FakeContext())


def test_through_a_queue_only_the_failed_messages_are_retried(published):
    runs: list = []
    handler = _labeller(runs)
    batch = sqs_batch(_weighed("p1", "c1"), _weighed("p2", "c2", grams=-1), _weighed("p3", "c3"))
    batch["Records"].append({**batch["Records"][0], "messageId": "junk", "body": "not json"})
    response = handler(batch, FakeContext())
    failed = sorted(f["itemIdentifier"] for f in response["batchItemFailures"])
    assert failed == ["junk", "m1"]
    assert sorted(e.payload.parcelId for e in published) == ["p1", "p3"]


def test_bulk_handlers_take_a_batch_s_events_of_their_type_at_once(published):
    taken: list = []
    handler = consumer({ParcelLabelled: lambda r: None}, bulk={ParcelWeighed: taken.append})
    handler(sqs_batch(*(_weighed(f"p{n}", "c") for n in range(3))), FakeContext())
    assert [[r.event.parcelId for r in batch] for batch in taken] == [["p0", "p1", "p2"]]


def test_a_scheduled_event_runs_the_schedule(published):
    scheduled = {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
    assert _labeller([])(scheduled, FakeContext()) == {"swept": 1}
    with pytest.raises(UnexpectedEvent):
        consumer({ParcelWeighed: lambda r: None})(scheduled, FakeContext())
