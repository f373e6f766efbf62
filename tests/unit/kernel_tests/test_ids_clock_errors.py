from datetime import UTC, datetime

import pytest

from titan import clock
from titan.errors import Conflict, Problem
from titan.ids import is_id, new_id


def test_ids_are_prefixed_unique_and_time_ordered():
    ids = [new_id("ord") for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(is_id(i, "ord") for i in ids)
    assert not is_id(ids[0], "usr")
    assert ids[0][:14] <= ids[-1][:14]  # the ULID's leading characters are its timestamp
    with pytest.raises(ValueError):
        new_id("Bad-Prefix")


def test_clock_can_be_frozen():
    moment = datetime(2026, 11, 11, 0, 0, 0, 123000, tzinfo=UTC)
    clock.freeze(moment)
    try:
        assert clock.now() == moment
        assert clock.iso() == "2026-11-11T00:00:00.123Z"
        assert clock.epoch_seconds() == int(moment.timestamp())
    finally:
        clock.unfreeze()
    assert clock.now() != moment
    with pytest.raises(ValueError):
        clock.freeze(datetime(2026, 1, 1))


def test_clock_parses_what_it_writes():
    moment = datetime(2026, 11, 11, 0, 0, 0, 123000, tzinfo=UTC)
    assert clock.parse(clock.iso(moment)) == moment
    assert clock.parse("2026-11-11T03:00:00+03:00") == datetime(2026, 11, 11, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.parse("11/11/2026")


def test_problem_document_has_type_status_code_and_extras():
    problem = Conflict("Only 2 left.", code="OUT_OF_STOCK", title="Out of stock", available=2)
    assert problem.body() == {
        "type": "https://titan.commerce/problems/out-of-stock",
        "title": "Out of stock",
        "status": 409,
        "code": "OUT_OF_STOCK",
        "detail": "Only 2 left.",
        "available": 2,
    }
    assert Problem().status == 400


def test_a_derived_id_follows_from_its_parts_and_is_well_formed():
    from titan.ids import derived_id, is_id

    one = derived_id("ret", "acct_1", "key-1")
    assert one == derived_id("ret", "acct_1", "key-1") and is_id(one, "ret")
    assert one != derived_id("ret", "acct_1", "key-2") != derived_id("ret", "acct_1key-1")
    with pytest.raises(ValueError):
        derived_id("Bad", "x")
