"""The ledger functions' settings (functions/ledger/template.yaml), read at cold start."""

from pydantic import Field, NonNegativeInt, PositiveInt

from titan.settings import Settings


class LedgerSettings(Settings):
    #: Commission in basis points of the item price (freight passes through to the seller).
    commission_bps: NonNegativeInt = Field(1200, le=10_000)
    #: Days after delivery that an order's escrow is released if the buyer has not confirmed
    #: receipt: the return window (a return must be asked for before the money leaves escrow).
    return_window_days: PositiveInt = 7


SETTINGS = LedgerSettings.from_environment()
