"""What the catalog's tests share: the Olist ids they use, a bulk import run in-process,
and a publisher that checks each event against its schema."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from catalog import importer
from catalog.store import Import
from titan import clock

SCHEMAS = Path(__file__).resolve().parents[3] / "events" / "schemas"


P1, P2, P3 = (
    "1e9e8ef04dbcff4541ed26657ea517e5",
    "3aa071139cb16b67ca9e5dea641aaa2f",
    "96bd76ec8810374ed1b65e291975717f",
)


S1, S2 = "3442f8959a84dea7ee197c632cb2df15", "d1b65fc7debc3361ea86b5f14c68d2e2"


PRODUCT_HEADER = (
    "product_id,product_category_name,product_name_lenght,product_description_lenght,"
    "product_photos_qty,product_weight_g,product_length_cm,product_height_cm,"
    "product_width_cm\n"
)


class Body:
    """A stand-in for botocore's StreamingBody."""

    def __init__(self, text: str):
        self.data = text.encode()

    def iter_lines(self, keepends=False):
        yield from self.data.splitlines(keepends=keepends)


class Recorder:
    """An EventPublisher that keeps what it is given, after checking it against its schema."""

    def __init__(self):
        self.events = []

    def publish(self, *events):
        for event in events:
            schema = json.loads((SCHEMAS / f"{event.detail_type}.json").read_text())
            Draft202012Validator(schema).validate(event.data)
        self.events += events


def run(kind: str, text: str) -> tuple[Import, Recorder]:
    import_id = f"imp_{kind}_{len(text)}_{clock.epoch_seconds()}"
    record = Import(
        *Import.key(import_id),
        import_id=import_id,
        kind=kind,
        status="RUNNING",
        object_key=f"imports/{import_id}/{kind}.csv",
        requested_by="acct_x",
        created_at=clock.iso(),
    )
    record.save()
    recorder = Recorder()
    importer.run_import(record, Body(text), recorder, workers=1)  # moto is not thread-safe
    record.refresh()
    return record, recorder


def counts(record: Import) -> tuple:
    return record.rows, record.created, record.updated, record.unchanged, record.skipped
