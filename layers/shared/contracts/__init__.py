"""The published language: one pydantic model per event type, importable by the context that
publishes it and by every context that consumes it (contracts are not a context's internals).

``events/schemas/<DetailType>.json`` are generated from these models (``make contracts``;
``make lint`` checks they are current). Producers publish instances (``titan.events``);
consumers receive them parsed (``titan.consumers``).

A function imports the contracts it uses (``from contracts.orders import OrderPlaced``), not
all of them: building every context's models at import cost each handler's cold start about
100 ms (docs/benchmarks.md). ``everything()`` imports them all, for what needs any event type
by its name (``DomainEvent.of``, the schemas, the tests).
"""

from __future__ import annotations

import importlib

from contracts.base import REGISTRY, Contract, Event, Metadata, Money

#: The context modules (``contracts.<name>``), one per publishing context.
CONTEXTS = (
    "catalog",
    "chat",
    "flashsales",
    "fulfilment",
    "identity",
    "inventory",
    "ledger",
    "orders",
    "payments",
    "returns",
    "reviews",
    "sellers",
)


def everything() -> dict[str, type[Event]]:
    """Import every context's contracts and return the registry: detail-type -> its Event
    subclass."""
    for name in CONTEXTS:
        importlib.import_module(f"contracts.{name}")
    return REGISTRY


__all__ = ["CONTEXTS", "REGISTRY", "Contract", "Event", "Metadata", "Money", "everything"]
