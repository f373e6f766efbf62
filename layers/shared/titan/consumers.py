"""Event consumers: the one way a Lambda takes domain events, whether EventBridge invokes it
directly or through an SQS queue, and the schedules that share its function.

    handler = consumer(
        {OrderPlaced: open_escrow, OrderDelivered: start_release_clock},
        schedule=release_due,
    )

For each event, ``consumer``:
- parses it with Powertools Parser into its contract (an EventBridge envelope, a union
  discriminated on detail-type over the types handled): anything else is refused
  (``UnexpectedEvent``), since a rule delivering it is a deployment error;
- takes the correlation id from ``detail.metadata.correlationId`` (so the events it publishes
  carry the cause's id, not the first one a warm function saw), and puts it, the event id and
  the detail-type on every log line;
- runs the handler once per ``metadata.eventId`` (Powertools idempotency on the shared table,
  kept ``EXPIRES_SECONDS``): a redelivered or replayed event returns the first run's summary
  without running again. A handler that raises leaves no record, so the retry runs it;
- publishes the events the handler returns, inside that once.

Through SQS, each message is one event and failures are reported per message (partial batch
response: the queue retries only those, then its dead-letter queue). ``bulk`` handlers take
all the batch's events of a type at once (thousands of OfferCreated in a catalog import); they
must be idempotent by themselves. A scheduled event (EventBridge Scheduler or a rule's
schedule) runs ``schedule()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Generic, Literal, TypeVar, Union

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, Field, create_model

from contracts import Event, Metadata
from titan.context import set_correlation_id
from titan.events import DomainEvent, publish
from titan.idempotency import persistence
from titan.observability import logger, observed

E = TypeVar("E", bound=Event)
#: A redelivery or an archive replay within this time does nothing (seconds).
EXPIRES_SECONDS = 7 * 24 * 3600
SCHEDULED = "Scheduled Event"


class UnexpectedEvent(ValueError):
    """The event is not one this consumer handles, or not on its contract."""


@dataclass(frozen=True)
class Received(Generic[E]):
    """An event as a handler gets it: ``event``, the contract instance (``detail.data``), and
    ``metadata`` (``eventId``, ``occurredAt``, ``correlationId``, ``version``)."""

    event: E
    metadata: Metadata

    @property
    def detail_type(self) -> str:
        return type(self.event).detail_type()


Handler = Callable[[Received[Any]], list[DomainEvent] | None]


class _Detail(BaseModel):
    metadata: Metadata


@cache
def _envelope(types: tuple[type[Event], ...]) -> Any:
    """The Powertools EventBridge model of an event of one of ``types``, discriminated on
    detail-type."""
    members = []
    for model in types:
        detail = create_model(f"{model.__name__}Detail", __base__=_Detail, data=(model, ...))
        members.append(
            create_model(
                f"{model.__name__}EventBridge",
                __base__=EventBridgeModel,
                detail_type=(Literal[model.detail_type()], Field(alias="detail-type")),
                detail=(detail, ...),
            )
        )
    if len(members) == 1:
        return members[0]
    return Annotated[Union[tuple(members)], Field(discriminator="detail_type")]  # noqa: UP007


def receive(event: dict, types: tuple[type[Event], ...]) -> Received[Any]:
    """Parse an EventBridge event into a ``Received`` of one of ``types``. Raises
    UnexpectedEvent for any other detail-type or an event off its contract."""
    try:
        parsed = parse(event=event, model=_envelope(types))
    except ValidationError as exc:
        kind = event.get("detail-type") if isinstance(event, dict) else None
        raise UnexpectedEvent(f"cannot take {kind!r}: {exc.errors()[:3]}") from exc
    return Received(parsed.detail.data, parsed.detail.metadata)


def consumer(
    handlers: Mapping[type[Event], Handler],
    *,
    schedule: Callable[[], dict[str, Any]] | None = None,
    bulk: Mapping[type[Event], Callable[[list[Received[Any]]], None]] | None = None,
) -> Callable[[dict, Any], dict]:
    """The Lambda handler of a consumer (see the module docstring). ``handlers`` map a
    contract to the function run once per event of it, returning the events to publish (or
    None); ``schedule`` is run for a scheduled event and returns a JSON summary; ``bulk`` map
    a contract to a function taking every event of it in an SQS batch at once."""
    bulk = dict(bulk or {})
    types = tuple(dict.fromkeys([*handlers, *bulk]))
    processor = BatchProcessor(event_type=EventType.SQS)
    config = IdempotencyConfig(event_key_jmespath="eventId", expires_after_seconds=EXPIRES_SECONDS)

    def run(facts: dict, received: Received[Any]) -> dict:
        events = handlers[type(received.event)](received) or []
        publish(events)
        return {"published": len(events)}

    @cache  # made at the first event: the persistence layer needs the environment
    def once() -> Callable[..., dict]:
        return idempotent_function(
            data_keyword_argument="facts", persistence_store=persistence("events"), config=config
        )(run)

    def one(event: dict) -> dict:
        received = receive(event, types)
        metadata = received.metadata
        set_correlation_id(metadata.correlationId)
        logger.append_keys(
            correlation_id=metadata.correlationId,
            event_id=metadata.eventId,
            detail_type=received.detail_type,
        )
        if type(received.event) in bulk:
            bulk[type(received.event)]([received])
            return {"published": 0}
        return once()(facts={"eventId": metadata.eventId}, received=received)

    def message(record: SQSRecord) -> dict:
        return one(record.json_body)

    def batch(event: dict, context: Any) -> dict:
        if not bulk:  # each message parsed once, by ``message``
            return process_partial_response(event, message, processor, context)
        records, together = [], {}
        for record in event["Records"]:
            try:
                body = SQSRecord(record).json_body
            except ValueError:  # reported as this message's failure below
                body = None
            model = type_of(body, bulk)
            if model is None:
                records.append(record)
            else:  # a bulk type: parse now, handle with the others of its type
                together.setdefault(model, []).append(receive(body, types))
        for model, received in together.items():  # raises: the whole batch is retried
            bulk[model](received)
        if not records:
            return {"batchItemFailures": []}
        return process_partial_response({"Records": records}, message, processor, context)

    @observed
    def handler(event: dict, context: Any) -> dict:
        if context is not None:
            config.register_lambda_context(context)
        set_correlation_id(None)
        if "Records" in event:
            return batch(event, context)
        if event.get("detail-type") == SCHEDULED:
            if schedule is None:
                raise UnexpectedEvent("this consumer has no schedule")
            done = schedule()
            logger.info("scheduled run", extra=done)
            return done
        return one(event)

    handler.handlers = dict(handlers)  # type: ignore[attr-defined]  (documentation, tests)
    return handler


def type_of(body: Any, among: Mapping[type[Event], Any]) -> type[Event] | None:
    """The contract of ``among`` an EventBridge event's detail-type names, if any."""
    kind = body.get("detail-type") if isinstance(body, dict) else None
    return next((m for m in among if m.detail_type() == kind), None)
