"""The shipping context's configuration, read from its functions' environment at cold start."""

from __future__ import annotations

from pydantic import NonNegativeInt

from titan.settings import Settings


class ShippingSettings(Settings):
    #: A package whose items come to at least this (minor units) ships free with the
    #: national post's standard service, paid by the platform (0 turns it off).
    free_shipping_minimum: NonNegativeInt = 19900


SETTINGS = ShippingSettings.from_environment()
