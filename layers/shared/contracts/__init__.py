"""The published language: one pydantic model per event type, importable by the context that
publishes it and by every context that consumes it (contracts are not a context's internals).

``events/schemas/<DetailType>.json`` are generated from these models (``make contracts``;
``make lint`` checks they are current). Producers publish instances (``titan.events``);
consumers receive them parsed (``titan.consumers``).
"""

from contracts import (
    catalog,
    chat,
    flashsales,
    fulfilment,
    identity,
    inventory,
    ledger,
    orders,
    payments,
    returns,
    reviews,
    sellers,
)
from contracts.base import REGISTRY, Contract, Event, Metadata, Money

CONTEXTS = (
    catalog,
    chat,
    flashsales,
    fulfilment,
    identity,
    inventory,
    ledger,
    orders,
    payments,
    returns,
    reviews,
    sellers,
)

__all__ = ["CONTEXTS", "REGISTRY", "Contract", "Event", "Metadata", "Money"]
