"""The payment card a request carries (checkout payments, wallet top-ups): one input shape
for every route that takes a card, validated the same way. Full numbers are passed to the
payments context and never stored (it keeps last4 and brand)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class CardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: Annotated[
        str,
        Field(pattern=r"^[0-9 ]{12,23}$", description="Sandbox: test numbers decide the outcome"),
    ]
    expMonth: Annotated[int, Field(ge=1, le=12)] | None = None
    expYear: Annotated[int, Field(ge=2000, le=2100)] | None = None
    cvc: Annotated[str, Field(pattern=r"^[0-9]{3,4}$")] | None = None
    holderName: Annotated[str, Field(max_length=100)] | None = None
