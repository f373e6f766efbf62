"""The correlation id of the request or event being handled, carried into every domain event
published while handling it (``metadata.correlationId``) and into the logs."""

from __future__ import annotations

from contextvars import ContextVar

from titan.ids import new_id

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def correlation_id() -> str:
    """The current correlation id; a new one if none was set."""
    value = _correlation_id.get()
    if value is None:
        value = new_id("corr")
        _correlation_id.set(value)
    return value


def set_correlation_id(value: str | None) -> None:
    """Set (or with None, clear) the correlation id for the current invocation."""
    _correlation_id.set(value)
