"""Each function's settings: read and checked at cold start, and given by its template."""

import importlib

import pytest
from pydantic import PositiveInt

from template_env import load, template_files
from titan.settings import Settings, SettingsError


class Example(Settings):
    orders_table: str
    window_days: PositiveInt = 7
    state_machine: str | None = None


def test_fields_are_read_from_their_upper_case_variables():
    settings = Example.from_environment({"ORDERS_TABLE": "t", "WINDOW_DAYS": "3", "OTHER": "x"})
    assert (settings.orders_table, settings.window_days, settings.state_machine) == ("t", 3, None)


def test_a_missing_or_malformed_variable_is_named():
    with pytest.raises(SettingsError) as missing:
        Example.from_environment({})
    assert "ORDERS_TABLE" in str(missing.value)
    with pytest.raises(SettingsError) as malformed:
        Example.from_environment({"ORDERS_TABLE": "t", "WINDOW_DAYS": "-1"})
    assert "WINDOW_DAYS" in str(malformed.value)


def test_a_value_only_some_functions_get_is_named_when_needed_and_missing():
    settings = Example.from_environment({"ORDERS_TABLE": "t"})
    with pytest.raises(SettingsError, match="STATE_MACHINE is not set"):
        settings.needed("state_machine")
    assert (
        Example.from_environment({"ORDERS_TABLE": "t", "STATE_MACHINE": "arn"}).needed(
            "state_machine"
        )
        == "arn"
    )


def test_settings_are_frozen():
    settings = Example.from_environment({"ORDERS_TABLE": "t"})
    with pytest.raises(ValueError, match="frozen"):
        settings.window_days = 1


def _functions():
    """(context, variables the template gives the function) for every function."""
    for path in template_files():
        document = load(path)
        shared = (
            ((document.get("Globals") or {}).get("Function") or {}).get("Environment") or {}
        ).get("Variables") or {}
        for resource in (document.get("Resources") or {}).values():
            if resource.get("Type") != "AWS::Serverless::Function":
                continue
            own = (resource["Properties"].get("Environment") or {}).get("Variables") or {}
            yield resource["Properties"]["Handler"].split(".")[0], {*shared, *own}


def test_every_function_is_given_the_variables_its_settings_require():
    checked = 0
    for context, variables in _functions():
        try:
            module = importlib.import_module(f"{context}.settings")
        except ModuleNotFoundError:
            continue
        model = type(module.SETTINGS)
        required = {
            name.upper() for name, field in model.model_fields.items() if field.is_required()
        }
        assert required <= variables, (context, required - variables)
        checked += 1
    assert checked >= 20
