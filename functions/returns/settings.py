"""The returns functions' settings (functions/returns/template.yaml), read at cold start."""

from pydantic import NonNegativeInt, PositiveInt

from titan.settings import Settings


class ReturnsSettings(Settings):
    #: The refund saga (STANDARD state machine) this context starts.
    refund_state_machine: str | None = None
    #: Days after delivery a return may be asked for (the escrow is released when they end).
    return_window_days: PositiveInt = 7
    #: Returns refunding up to this (minor units) are approved by rule; 0: every one waits.
    return_auto_approve_limit: NonNegativeInt = 10_000
    #: How long the saga waits for the seller's decision (then approves: the buyer is not left
    #: waiting) and for the goods (then the return expires), in seconds.
    return_decision_timeout_seconds: PositiveInt = 3 * 86400
    return_goods_timeout_seconds: PositiveInt = 14 * 86400


SETTINGS = ReturnsSettings.from_environment()
