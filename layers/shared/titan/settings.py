"""A function's settings: the environment variables its template gives it, read and checked
once, when the module that declares them is imported (at cold start), into a frozen model.

Each context declares its own in ``<context>/settings.py``::

    class ReturnsSettings(Settings):
        refund_state_machine: str
        return_window_days: PositiveInt = 7   # from RETURN_WINDOW_DAYS

    SETTINGS = ReturnsSettings.from_environment()

A field is read from the variable of its name in upper case. A missing or malformed variable
fails the import with every problem named, so a function deployed with a broken configuration
fails at once instead of on the request that first needs the value. A value only some of the
context's functions are given (the state machine its API starts) defaults to None and is read
with ``SETTINGS.needed("refund_state_machine")``, which names the missing variable. Tests
replace a value with ``monkeypatch.setattr(module, "SETTINGS", SETTINGS.model_copy(update=...))``.

Table names stay with their pynamodb models (``titan.dynamo.table_meta``), read when the store
module is imported: the same cold-start read, where the model needs it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError


class SettingsError(RuntimeError):
    """The environment does not hold a valid configuration for a function."""


class Settings(BaseModel):
    """Base of each context's settings model (fields in snake case, variables upper case)."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=str.upper)

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> Self:
        """The settings from ``environment`` (``os.environ`` by default). Raises
        ``SettingsError`` naming each missing or invalid variable."""
        try:
            return cls.model_validate(dict(os.environ if environment is None else environment))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
                for error in exc.errors()
            )
            raise SettingsError(f"{cls.__name__}: {problems}") from exc

    def needed(self, field: str) -> str:
        """The value of ``field``, which this function's template must give it. Raises
        ``SettingsError`` naming the variable when it did not."""
        value = getattr(self, field)
        if value is None:
            raise SettingsError(f"{field.upper()} is not set for this function")
        return value
