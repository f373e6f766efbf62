"""The published language's building blocks: the base of every contract, money, instants,
the metadata of an event, and the registry of event types.

An event type is a subclass of ``Event`` named after its detail-type (``OrderPlaced``) that
says its ``source`` (``titan.<context>``)::

    class OrderPlaced(Event, source="titan.orders"):
        orderId: str
        ...

Its fields are the event's ``detail.data``. ``version`` (a class attribute, default 1) goes
into ``detail.metadata.version``; a change a consumer could not read is a new version.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

#: detail-type -> its Event subclass, filled as the context modules are imported
REGISTRY: dict[str, type[Event]] = {}

#: An RFC 3339 date-time with its offset, as ``titan.clock.iso`` writes it.
Instant = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
#: ``evt_`` and a ULID (``titan.ids.new_id("evt")``).
EventId = Annotated[str, Field(pattern=r"^evt_[0-9A-HJKMNP-TV-Z]{26}$")]


class Contract(BaseModel):
    """A published shape: unknown fields are refused, so a typo cannot pass unseen."""

    model_config = ConfigDict(extra="forbid")


class Money(Contract):
    """An amount in minor units (centavos for BRL) and its ISO 4217 currency."""

    amount: Annotated[int, Field(description="Minor units")]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Metadata(Contract):
    """``detail.metadata`` of every event."""

    eventId: EventId
    occurredAt: Instant
    correlationId: Annotated[str, Field(min_length=1)]
    version: Annotated[int, Field(ge=1)]


class Event(Contract):
    """The base of every event type; see the module docstring."""

    source: ClassVar[str]
    version: ClassVar[int] = 1

    def __init_subclass__(cls, source: str | None = None, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if source is None:
            raise TypeError(f"{cls.__name__} must say its source: class X(Event, source=...)")
        if cls.__name__ in REGISTRY:
            raise TypeError(f"two event types named {cls.__name__}")
        cls.source = source
        REGISTRY[cls.__name__] = cls

    @classmethod
    def detail_type(cls) -> str:
        """The EventBridge detail-type: the class name (``OrderPlaced``)."""
        return cls.__name__
