"""The import contracts cover every context folder without a list to keep."""

import tomllib

import import_contracts


def test_every_context_folder_is_in_the_contracts():
    names = import_contracts.contexts()
    assert {"cart", "catalog", "returns", "ledger"} <= set(names)
    config = tomllib.loads(import_contracts.config(names))["tool"]["importlinter"]
    independent = next(c for c in config["contracts"] if c["type"] == "independence")
    assert independent["modules"] == names
    routes = next(c for c in config["contracts"] if c["name"].startswith("Routes"))
    assert (
        "returns.api" in routes["source_modules"] and "returns.store" in routes["forbidden_modules"]
    )


def test_a_new_context_is_covered_by_being_a_folder():
    config = tomllib.loads(import_contracts.config(["cart", "shipping"]))["tool"]["importlinter"]
    assert all("shipping" in str(c) for c in config["contracts"][:2] + config["contracts"][3:4])
