"""Sending deliveries: the delivery queue's worker and its dead-letter queue's (SQS → Lambda).

Each SQS message names one delivery (a message on one outside channel). The worker:
- does nothing for a delivery already done (SENT, SKIPPED, FAILED): SQS delivers at least
  once, and ``notify`` may queue a delivery again when its event is retried;
- queues it again when it is not due yet (quiet hours last longer than SQS's 15-minute delay);
- takes a lease on it (a conditional write: PENDING or DEFERRED, or a SENDING whose lease
  ran out), so two copies of a job never send twice at once;
- sends it: e-mail through SES (text and HTML), SMS through SNS (``Transactional`` or
  ``Promotional``), push through SNS to every device of the account (a disabled or deleted
  endpoint unregisters its device);
- records SENT with the provider's message ids, or the error: a refusal that no retry can
  change (an invalid phone number) is FAILED at once; anything else goes back to PENDING and
  the message fails, so SQS retries it after its visibility timeout, and after
  ``maxReceiveCount`` receives moves it to the dead-letter queue, whose worker records FAILED.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import ClientError
from pynamodb.exceptions import DoesNotExist, UpdateError

from notifications import service, settings
from notifications.domain import EMAIL, PUSH, SMS
from notifications.service import DEFERRED, DONE, FAILED, PENDING, SENDING, SENT, SKIPPED
from notifications.store import Delivery, Note
from titan import clock
from titan.aws import client
from titan.dynamo import condition_failed
from titan.observability import logger, metrics, observed

#: Seconds a worker holds a delivery while it sends (then another may take it).
LEASE_SECONDS = 60
#: Provider error codes no retry changes.
PERMANENT = frozenset({"InvalidParameter", "InvalidParameterValue", "InvalidParameterException"})


def _email(delivery: Delivery, note: Note) -> list[str]:
    sent = client("ses").send_email(
        Source=settings.SETTINGS.mail_from,
        Destination={"ToAddresses": [delivery.destination]},
        Message={
            "Subject": {"Data": note.title, "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": note.text, "Charset": "UTF-8"},
                "Html": {"Data": delivery.html or "", "Charset": "UTF-8"},
            },
        },
    )
    return [sent["MessageId"]]


def _sms(delivery: Delivery, note: Note) -> list[str]:
    kind = "Promotional" if note.category == "MARKETING" else "Transactional"
    sent = client("sns").publish(
        PhoneNumber=delivery.destination,
        Message=f"Titan: {note.short}",
        MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": kind},
        },
    )
    return [sent["MessageId"]]


def push_payload(note: Note) -> str:
    """SNS's ``MessageStructure=json`` message: FCM's (HTTP v1 through SNS) and APNS's
    shapes, with the notification's id and link for the app to open."""
    data = {"notificationId": note.notification_id, "link": note.link or "", "kind": note.kind}
    fcm = {"fcmV1Message": {"message": {
        "notification": {"title": note.title, "body": note.short},
        "data": data,
        "android": {"priority": "high" if note.urgent else "normal"},
    }}}  # fmt: skip
    apns = {"aps": {"alert": {"title": note.title, "body": note.short}, "sound": "default"}}
    return json.dumps(
        {"default": note.short, "GCM": json.dumps(fcm), "APNS": json.dumps(apns | data)}
    )


def _push(delivery: Delivery, note: Note) -> list[str]:
    sns = client("sns")
    ids = []
    for device in service.devices(delivery.account_id):
        try:
            sent = sns.publish(
                TargetArn=device.endpoint_arn, MessageStructure="json", Message=push_payload(note)
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("EndpointDisabled", "NotFound"):
                logger.info("device gone", extra={"device": device.device_id})
                device.delete()
                continue
            raise
        ids.append(sent["MessageId"])
    return ids


SENDERS = {EMAIL: _email, SMS: _sms, PUSH: _push}


def _lease(delivery: Delivery) -> bool:
    """Take the delivery for LEASE_SECONDS (and count the attempt); False when it is done
    or another worker holds it."""
    now = clock.now()
    stamp = clock.iso(now)
    try:
        delivery.update(
            actions=[
                Delivery.status.set(SENDING),
                Delivery.lease_until.set(clock.iso(now + timedelta(seconds=LEASE_SECONDS))),
                Delivery.attempts.add(1),
                Delivery.updated_at.set(stamp),
            ],
            condition=Delivery.status.is_in(PENDING, DEFERRED)
            | ((Delivery.status == SENDING) & (Delivery.lease_until < stamp)),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _settle(delivery: Delivery, status: str, **fields: Any) -> None:
    actions = [
        Delivery.status.set(status),
        Delivery.lease_until.remove(),
        Delivery.updated_at.set(clock.iso()),
    ]
    actions += [getattr(Delivery, name).set(value) for name, value in fields.items()]
    delivery.update(actions=actions)


def send(job: dict) -> str:
    """Send one delivery job (``{accountId, notificationId, channel, dueAt}``); returns what
    became of it. Raises when the send failed and should be retried."""
    account, notification, channel = job["accountId"], job["notificationId"], job["channel"]
    try:
        delivery = Delivery.get(*Delivery.key(account, notification, channel), consistent_read=True)
    except DoesNotExist:
        return "gone"  # expired with its message
    if delivery.status in DONE:
        return "done"
    if clock.parse(delivery.due_at) > clock.now():
        service.queue([job | {"dueAt": delivery.due_at}])
        return "later"
    if not _lease(delivery):
        return "held"
    note = _find_note(account, notification)
    try:
        ids = SENDERS[channel](delivery, note)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        error = f"{code}: {exc.response['Error'].get('Message', '')}"[:500]
        if code in PERMANENT:
            _settle(delivery, FAILED, last_error=error)
            metrics.add_metric(name="NotificationFailed", unit="Count", value=1)
            return FAILED
        _settle(delivery, PENDING, last_error=error)
        raise
    if not ids:  # every device was gone
        _settle(delivery, SKIPPED, last_error="no device to push to")
        return SKIPPED
    _settle(delivery, SENT, sent_at=clock.iso(), provider_ids=ids)
    metrics.add_metric(name="NotificationSent", unit="Count", value=1)
    return SENT


def _find_note(account: str, notification: str) -> Note:
    for inbox in (True, False):
        try:
            return Note.get(*Note.key(account, notification, inbox))
        except DoesNotExist:
            continue
    raise DoesNotExist(f"notification {notification} of {account}")


def give_up(job: dict, receives: int) -> str:
    """A job the dead-letter queue received: its delivery is FAILED unless it got through."""
    key = Delivery.key(job["accountId"], job["notificationId"], job["channel"])
    try:
        Delivery(*key).update(
            actions=[
                Delivery.status.set(FAILED),
                Delivery.lease_until.remove(),
                Delivery.updated_at.set(clock.iso()),
            ],
            condition=Delivery.pk.exists() & Delivery.status.is_in(PENDING, DEFERRED, SENDING),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return "done"
        raise
    logger.warning("delivery dead-lettered", extra={**job, "receives": receives})
    metrics.add_metric(name="NotificationFailed", unit="Count", value=1)
    return FAILED


_processor = BatchProcessor(event_type=EventType.SQS)


def _one(record: SQSRecord) -> str:
    return send(record.json_body)


@observed
def handler(event: dict, context: Any) -> dict:
    """The delivery queue's worker (partial batch response: only failed jobs are retried)."""
    return process_partial_response(event, _one, _processor, context)


@observed
def dead_letters(event: dict, context: Any) -> dict:
    """The dead-letter queue's worker: record each job's delivery as FAILED."""
    done = [
        give_up(SQSRecord(r).json_body, int(r["attributes"].get("ApproximateReceiveCount", 0)))
        for r in event["Records"]
    ]
    return {"failed": done.count(FAILED)}
