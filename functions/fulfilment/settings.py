"""The fulfilment functions' settings (functions/fulfilment/template.yaml), read at cold start."""

from __future__ import annotations

from pydantic import PositiveInt

from titan.settings import Settings


class FulfilmentSettings(Settings):
    #: The bucket holding the carriers' labels (PDF).
    labels_bucket: str | None = None
    #: The Secrets Manager secret the carriers' webhook signing keys derive from.
    carrier_webhook_secret: str | None = None
    #: Days a seller has, from payment, to hand a package to the carrier.
    handover_days: PositiveInt = 2
    #: Days without a carrier scan after which a parcel with the carrier is declared lost.
    lost_after_days: PositiveInt = 10


SETTINGS = FulfilmentSettings.from_environment()
