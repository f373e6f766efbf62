"""Response shapes every context shares, declared once so the merged OpenAPI document has one
schema per name (``infra/tools/openapi.py`` fails on two different schemas under one name)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field


class Money(BaseModel):
    """An amount of money: ``amount`` in integer minor units (centavos for BRL), ``currency``
    an ISO 4217 code."""

    amount: int = Field(description="Minor units (centavos for BRL)")
    currency: str = Field(description="ISO 4217 code", examples=["BRL"])

    @classmethod
    def of(cls, amount: int | Decimal, currency: str) -> Money:
        """``amount`` (minor units; a stored number is read as an int) in ``currency``."""
        return cls(amount=int(amount), currency=currency)


class UploadForm(BaseModel):
    """A presigned S3 POST (``titan.uploads.upload_form``): the browser POSTs ``fields`` as
    form fields and the file last, as ``file``."""

    url: str
    fields: dict[str, str] = Field(description="POST them as form fields, then the file as `file`")
    key: str = Field(description="Name this key where the upload is used")
    expiresIn: int = Field(description="Seconds the form stays valid")
