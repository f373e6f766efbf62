"""Notification persistence: one DynamoDB table (``NOTIFICATIONS_TABLE``), pynamodb models.

Items (pk / sk):
- ``ACCOUNT#<id>`` / ``PREFS``: a person's preferences (locale, time zone, quiet hours,
  phone for SMS, channel choices per category).
- ``ACCOUNT#<id>`` / ``DEVICE#<deviceId>``: a phone or browser registered for push, with its
  SNS platform endpoint.
- ``ACCOUNT#<id>`` / ``NOTE#<notificationId>``: a message in the inbox (notification ids are
  ULIDs: newest first by the sort key); ``SENT#<notificationId>`` for a message whose
  person switched the inbox off for its category. Unread ones carry GSI1
  ``UNREAD#<accountId>`` / ``<notificationId>`` (sparse: removed when read).
- ``ACCOUNT#<id>`` / ``UNREAD#<category>``: the person's unread count in a category, moved
  only in the transactions that add a message or mark one read.
- ``ACCOUNT#<id>`` / ``DLV#<notificationId>#<channel>``: the delivery log of a message on an
  outside channel (status, attempts, last error, when sent).
- ``EVENT#<eventId>`` / ``TO#<accountId>#<kind>``: the claim that makes one message of one
  event for one person, however often the event arrives.
- ``ACCOUNT#<id>`` / ``COLLAPSE#<key>``: until when further messages with that key (a chat
  conversation) stay quiet.
Read messages, deliveries, claims and collapse marks expire (TTL ``expires``); an unread
message stays until read, so unread counts never drift.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from titan.dynamo import index, table_meta

META = table_meta("NOTIFICATIONS_TABLE")
ByGsi1 = index("gsi1")

#: Seconds a read message, a delivery log line and an event's claim are kept.
KEEP_SECONDS = 180 * 24 * 3600


class _Item(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


def owner(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


class Preferences(_Item):
    locale = UnicodeAttribute(null=True)
    time_zone = UnicodeAttribute(null=True)
    #: ``"22:00-08:00"``; ``""`` when the person turned quiet hours off; None: the default.
    quiet_hours = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    #: ``{category: {channel: on}}``: only what the person chose.
    choices = JSONAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    version = NumberAttribute(default=0)

    @staticmethod
    def key(account_id: str) -> tuple[str, str]:
        return owner(account_id), "PREFS"


class Device(_Item):
    device_id = UnicodeAttribute()
    platform = UnicodeAttribute()  # FCM or APNS
    endpoint_arn = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(account_id: str, device_id: str) -> tuple[str, str]:
        return owner(account_id), f"DEVICE#{device_id}"


class Note(_Item):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    unread = ByGsi1()
    notification_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    category = UnicodeAttribute()
    urgent = BooleanAttribute(default=False)
    title = UnicodeAttribute()
    text = UnicodeAttribute()
    short = UnicodeAttribute()
    link = UnicodeAttribute(null=True)
    locale = UnicodeAttribute()
    event_id = UnicodeAttribute()
    channels = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UnicodeAttribute()
    read_at = UnicodeAttribute(null=True)
    expires = NumberAttribute(null=True)

    @staticmethod
    def key(account_id: str, notification_id: str, inbox: bool = True) -> tuple[str, str]:
        return owner(account_id), f"{'NOTE' if inbox else 'SENT'}#{notification_id}"


class Unread(_Item):
    count = NumberAttribute(default=0)

    @staticmethod
    def key(account_id: str, category: str) -> tuple[str, str]:
        return owner(account_id), f"UNREAD#{category}"


class Delivery(_Item):
    account_id = UnicodeAttribute()
    notification_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    #: PENDING, DEFERRED (quiet hours), SENDING (a worker holds it until ``lease_until``),
    #: SENT, SKIPPED (nowhere to send), FAILED (refused, or retries exhausted).
    status = UnicodeAttribute()
    destination = UnicodeAttribute(null=True)
    html = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    lease_until = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    provider_ids = ListAttribute(of=UnicodeAttribute, default=list)
    updated_at = UnicodeAttribute()
    expires = NumberAttribute()

    @staticmethod
    def key(account_id: str, notification_id: str, channel: str) -> tuple[str, str]:
        return owner(account_id), f"DLV#{notification_id}#{channel}"


class Claim(_Item):
    notification_id = UnicodeAttribute()
    inbox = BooleanAttribute(default=True)
    expires = NumberAttribute()

    @staticmethod
    def key(event_id: str, account_id: str, kind: str) -> tuple[str, str]:
        return f"EVENT#{event_id}", f"TO#{account_id}#{kind}"


class Collapse(_Item):
    until = UnicodeAttribute()
    expires = NumberAttribute()

    @staticmethod
    def key(account_id: str, collapse: str) -> tuple[str, str]:
        return owner(account_id), f"COLLAPSE#{collapse}"
