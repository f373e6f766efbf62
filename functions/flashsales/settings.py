"""The flash-sale functions' settings (functions/flashsales/template.yaml), read at cold start."""

from pydantic import PositiveFloat

from titan.settings import Settings


class FlashSalesSettings(Settings):
    #: The queue of reservation expiries (messages delayed by the sale's hold time).
    expiry_queue_url: str | None = None
    #: Purchase attempts per second from one client IP (token bucket; burst 3 seconds' worth).
    flash_ip_rate: PositiveFloat = 100.0


SETTINGS = FlashSalesSettings.from_environment()
