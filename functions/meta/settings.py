"""The meta function's settings (functions/meta/template.yaml's Globals), read at cold start."""

from titan.settings import Settings


class MetaSettings(Settings):
    #: The deployed release (the package version when unset).
    titan_version: str | None = None
    titan_stage: str = ""
    #: What readiness probes: the idempotency table and the event bus.
    idempotency_table: str
    event_bus_name: str


SETTINGS = MetaSettings.from_environment()
