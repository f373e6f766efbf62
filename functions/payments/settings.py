"""The payments functions' settings (functions/payments/template.yaml), read at cold start."""

from titan.settings import Settings


class PaymentsSettings(Settings):
    #: Secrets Manager secret of the provider's signed webhooks (made at deploy).
    payment_webhook_secret_arn: str | None = None


SETTINGS = PaymentsSettings.from_environment()
