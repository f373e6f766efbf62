"""Event contracts: every sample under events/ matches the envelope and its own schema, and
the kernel publishes envelopes that match."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from titan.events import DomainEvent

EVENTS = Path(__file__).resolve().parents[2] / "events"
ENVELOPE = json.loads((EVENTS / "schemas" / "Envelope.json").read_text())
SAMPLES = sorted((EVENTS / "samples").glob("*.json"))


def _validate(schema: dict, document: dict) -> None:
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(document)


def test_the_envelope_schema_is_valid():
    Draft202012Validator.check_schema(ENVELOPE)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_samples_match_the_envelope_and_their_schema(sample):
    event = json.loads(sample.read_text())
    _validate(ENVELOPE, event)
    own = EVENTS / "schemas" / f"{event['detail-type']}.json"
    if sample.stem != "Envelope":
        assert own.exists(), f"no schema for {event['detail-type']}"
        _validate(json.loads(own.read_text()), event["detail"]["data"])


def test_published_events_match_the_envelope():
    entry = DomainEvent("catalog", "ProductCreated", {"productId": "p1"}).entry("bus")
    _validate(
        ENVELOPE,
        {
            "source": entry["Source"],
            "detail-type": entry["DetailType"],
            "detail": json.loads(entry["Detail"]),
        },
    )


def test_the_envelope_schema_rejects_a_malformed_event():
    with pytest.raises(Exception, match="eventId"):
        _validate(
            ENVELOPE,
            {
                "source": "titan.x",
                "detail-type": "Happened",
                "detail": {
                    "metadata": {
                        "occurredAt": "2026-01-01T00:00:00Z",
                        "correlationId": "c",
                        "version": 1,
                    },
                    "data": {},
                },
            },
        )


def _published_detail_types() -> set[str]:
    """Detail-types the functions publish: ``publish("X", ...)`` and ``DomainEvent(ctx, "X"``."""
    import re

    functions = Path(__file__).resolve().parents[2] / "functions"
    pattern = re.compile(
        r'(?:publish\(|DomainEvent\(\s*"[a-z-]+",\s*|status_event\(\w+,\s*|: )\s*'
        r'"([A-Z][a-z]+[A-Z][A-Za-z]+)"'
    )
    found = set()
    for source in functions.rglob("*.py"):
        found |= set(pattern.findall(source.read_text()))
    return found


def test_every_published_event_type_has_a_schema_and_a_sample():
    published = _published_detail_types()
    assert "LoginFailed" in published  # the scan itself works
    missing = {
        t
        for t in published
        if not (EVENTS / "schemas" / f"{t}.json").exists()
        or not (EVENTS / "samples" / f"{t}.json").exists()
    }
    assert not missing, f"add events/schemas and events/samples for {sorted(missing)}"
