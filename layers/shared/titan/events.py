"""Domain events: the envelope every context publishes on the one EventBridge bus.

An event is ``source = "titan.<context>"``, ``detail-type = "<PastTenseFact>"`` and::

    detail = {"metadata": {"eventId", "occurredAt", "correlationId", "version"}, "data": {...}}

Each detail-type is a pydantic model in ``contracts`` (its ``detail.data``), from which the
JSON Schemas under ``events/schemas`` are generated. A ``DomainEvent`` wraps an instance of
one, so nothing off-contract is published. ``EventPublisher`` sends
events in batches of at most 10 entries (the PutEvents limit) and retries the entries
EventBridge reports as failed; consumers deduplicate on ``metadata.eventId``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import boto3

from contracts import REGISTRY, Event, everything
from titan import clock
from titan.context import correlation_id
from titan.ids import new_id

MAX_BATCH = 10  # PutEvents entries per call
MAX_ENTRY_BYTES = 256 * 1024  # PutEvents size limit per call


class PublishFailed(RuntimeError):
    """EventBridge still refused some entries after the retries; ``failed`` lists them."""

    def __init__(self, failed: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(failed)} event(s) not published: {failed[:3]}")
        self.failed = failed


@dataclass(frozen=True)
class DomainEvent:
    """An event to publish: ``payload``, an instance of its contract (``contracts.OrderPlaced``,
    which names the detail-type and the source), and its metadata."""

    payload: Event
    event_id: str = field(default_factory=lambda: new_id("evt"))
    occurred_at: str = field(default_factory=clock.iso)
    correlation_id: str = field(default_factory=correlation_id)

    def __post_init__(self) -> None:
        if not isinstance(self.payload, Event):
            raise TypeError(f"a DomainEvent carries a contract, not {type(self.payload)}")

    @classmethod
    def of(cls, detail_type: str, data: dict[str, Any], **metadata: str) -> DomainEvent:
        """The event of ``detail_type`` with ``data`` checked against its contract (pydantic
        ValidationError if off-contract; KeyError for an unknown detail-type)."""
        contract = REGISTRY.get(detail_type) or everything()[detail_type]
        return cls(contract.model_validate(data), **metadata)

    @property
    def detail_type(self) -> str:
        return type(self.payload).detail_type()

    @property
    def source(self) -> str:
        return type(self.payload).source

    @property
    def version(self) -> int:
        return type(self.payload).version

    @cached_property
    def data(self) -> dict[str, Any]:
        """``detail.data`` as JSON: the fields the producer set (absent ones stay absent)."""
        return self.payload.model_dump(mode="json", exclude_unset=True)

    def detail(self) -> dict[str, Any]:
        return {
            "metadata": {
                "eventId": self.event_id,
                "occurredAt": self.occurred_at,
                "correlationId": self.correlation_id,
                "version": self.version,
            },
            "data": self.data,
        }

    def as_delivered(self, account: str = "000000000000", region: str = "us-east-1") -> dict:
        """The event as EventBridge delivers it to a rule's target (tests and tools)."""
        return {
            "version": "0",
            "id": self.event_id.removeprefix("evt_"),
            "detail-type": self.detail_type,
            "source": self.source,
            "account": account,
            "time": self.occurred_at,
            "region": region,
            "resources": [],
            "detail": self.detail(),
        }

    def entry(self, bus_name: str) -> dict[str, Any]:
        """The PutEvents request entry for this event on ``bus_name``."""
        return {
            "Source": self.source,
            "DetailType": self.detail_type,
            "Detail": json.dumps(self.detail(), separators=(",", ":")),
            "EventBusName": bus_name,
        }


class EventPublisher:
    """Publishes ``DomainEvent``s to the bus named by ``EVENT_BUS_NAME`` (or ``bus_name``)."""

    def __init__(
        self,
        bus_name: str | None = None,
        client: Any = None,
        attempts: int = 3,
        concurrency: int = 1,
    ) -> None:
        """``concurrency`` > 1 sends that many PutEvents calls at once (bulk publishers);
        EventBridge does not order events across calls in any case."""
        self.bus_name = bus_name or os.environ["EVENT_BUS_NAME"]
        self._client = client
        self.attempts = attempts
        self.concurrency = concurrency
        self._lock = threading.Lock()

    @property
    def client(self):
        with self._lock:  # boto3 clients are thread-safe once made; making them is not
            if self._client is None:
                self._client = boto3.client("events")
            return self._client

    def publish(self, *events: DomainEvent) -> None:
        """Publish all ``events``, in order, in batches. Raises ``PublishFailed`` when entries
        are still refused after ``attempts`` tries (with 50 ms, 100 ms... back-off)."""
        batches = _batches([event.entry(self.bus_name) for event in events])
        if self.concurrency <= 1 or len(batches) <= 1:
            for batch in batches:
                self._send(batch)
            return
        with ThreadPoolExecutor(min(self.concurrency, len(batches))) as pool:
            for future in [pool.submit(self._send, batch) for batch in batches]:
                future.result()  # re-raises PublishFailed

    def _send(self, batch: list[dict[str, Any]]) -> None:
        pending = batch
        for attempt in range(self.attempts):
            response = self.client.put_events(Entries=pending)
            if not response.get("FailedEntryCount"):
                return
            pending = [
                entry
                for entry, result in zip(pending, response["Entries"], strict=True)
                if result.get("ErrorCode")
            ]
            time.sleep(0.05 * 2**attempt)
        raise PublishFailed(pending)


def _batches(entries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    batches: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        entry_size = len(entry["Detail"]) + len(entry["DetailType"]) + len(entry["Source"])
        if entry_size > MAX_ENTRY_BYTES:
            raise ValueError(f"event {entry['DetailType']} is larger than 256 KiB")
        if current and (len(current) == MAX_BATCH or size + entry_size > MAX_ENTRY_BYTES):
            batches.append(current)
            current, size = [], 0
        current.append(entry)
        size += entry_size
    if current:
        batches.append(current)
    return batches


_default: EventPublisher | None = None


def publish(events: list[DomainEvent]) -> None:
    """Publish ``events`` (maybe none) on the bus of ``EVENT_BUS_NAME`` with one shared
    ``EventPublisher``: what saga steps and consumers use."""
    global _default
    if not events:
        return
    _default = _default or EventPublisher()
    _default.publish(*events)
