"""Event contracts: every sample under events/ matches the envelope and its own schema, and
the kernel publishes envelopes that match."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from contracts import Metadata, everything
from titan.events import DomainEvent

EVENTS = Path(__file__).resolve().parents[3] / "events"
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
    entry = DomainEvent.of(
        "ProductCreated", {"productId": "0" * 32, "title": "t", "category": "c", "status": "ACTIVE"}
    ).entry("bus")
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


def test_every_contract_has_a_sample_its_model_reads():
    contracts = {n: m for n, m in everything().items() if m.__module__.startswith("contracts.")}
    assert len(contracts) > 50  # the registry is filled
    missing = sorted(n for n in contracts if not (EVENTS / "samples" / f"{n}.json").exists())
    assert not missing, f"add events/samples for {missing}"
    for name, model in contracts.items():
        event = json.loads((EVENTS / "samples" / f"{name}.json").read_text())
        assert (event["source"], event["detail-type"]) == (model.source, name)
        Metadata.model_validate(event["detail"]["metadata"])
        model.model_validate(event["detail"]["data"])


def test_the_schemas_are_generated_from_the_contracts():
    import event_schemas

    assert event_schemas.main(["--check"]) == 0
