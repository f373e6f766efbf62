import pytest

from catalog import categories


@pytest.fixture(autouse=True)
def fresh_category_tree(monkeypatch):
    """Each test reads its own (moto) table: no category tree cached by an earlier test."""
    monkeypatch.setattr(categories, "_cached", None)
