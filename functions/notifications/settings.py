"""The notification function's settings (functions/notifications/template.yaml), read at cold
start."""

from titan.settings import Settings


class NotificationsSettings(Settings):
    #: Sender of the e-mails (an SES identity).
    mail_from: str
    #: Where a tracking number is followed: this URL plus the number.
    tracking_url: str = "/tracking/"


SETTINGS = NotificationsSettings.from_environment()
