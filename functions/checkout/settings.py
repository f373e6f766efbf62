"""The checkout functions' settings (functions/checkout/template.yaml), read at cold start."""

from titan.settings import Settings


class CheckoutSettings(Settings):
    #: The checkout saga (EXPRESS state machine) the API runs synchronously.
    checkout_state_machine: str | None = None


SETTINGS = CheckoutSettings.from_environment()
