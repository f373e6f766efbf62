"""The inventory functions' settings (functions/inventory/template.yaml), read at cold start."""

from pydantic import NonNegativeInt

from titan.settings import Settings


class InventorySettings(Settings):
    #: Units of new stock each offer gets when it is created (the Olist data has no stock).
    seed_stock_units: NonNegativeInt = 50
    #: LowStock is published when an offer's available units in a warehouse fall below this.
    low_stock_threshold: NonNegativeInt = 5


SETTINGS = InventorySettings.from_environment()
