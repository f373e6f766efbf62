"""The identity functions' settings (functions/identity/template.yaml), read at cold start."""

from pydantic import PositiveInt

from titan.settings import Settings


class IdentitySettings(Settings):
    #: The deployment stage: part of the tokens' issuer.
    titan_stage: str = "dev"
    #: Secrets Manager secret holding the token signing keys (a JWK set).
    signing_keys_secret: str
    #: Sender of account e-mails (an SES identity); only the API and provisioning send.
    mail_from: str | None = None
    #: Failed sign-ins from one source IP within the window before it is locked out.
    login_ip_failure_limit: PositiveInt = 20


SETTINGS = IdentitySettings.from_environment()
