"""The notification functions' settings (functions/notifications/template.yaml), read at cold
start."""

from pydantic import PositiveInt

from titan.settings import Settings


class NotificationsSettings(Settings):
    #: Sender of the e-mails (an SES identity).
    mail_from: str = "noreply@titan.local"
    #: The SSM parameter holding where messages' links point (``site_url`` when empty).
    site_url_parameter: str = ""
    #: Where messages' links point: this URL plus the path (``/orders/<id>``); a tracking
    #: number is followed at ``<site>/tracking/<number>``.
    site_url: str = ""
    #: The queue of deliveries to send (one message per channel of a notification).
    delivery_queue_url: str | None = None
    #: The SNS platform application (FCM or APNS) devices register with for push; push is
    #: off when empty.
    push_application_arn: str = ""
    #: Seconds a conversation's further messages stay quiet after one reached its reader's
    #: phone or e-mail.
    chat_collapse_seconds: PositiveInt = 900


SETTINGS = NotificationsSettings.from_environment()
