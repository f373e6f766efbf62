"""Notification use cases: turning notices into messages, the inbox, preferences, devices.

``notify`` makes, for each person a notice reaches, one message (the claim of the event, the
person and the kind makes a redelivered event a no-op), renders it in their locale, puts it
in their inbox, and writes one delivery per outside channel their preferences allow, all in
one transaction; then it queues the deliveries (``dispatch.py`` sends them, with retries and
a dead-letter queue). A retry of the event after the transaction finds the claim and queues
the deliveries that are not done again (sending is idempotent per delivery).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from aws_lambda_powertools.utilities.parameters import get_parameter
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from notifications import domain, render, settings
from notifications.domain import CATEGORIES, EMAIL, INBOX, PUSH, SMS
from notifications.messages import ACCOUNT, SELLER, Notice
from notifications.store import (
    KEEP_SECONDS,
    Claim,
    Collapse,
    Delivery,
    Device,
    Note,
    Preferences,
    Unread,
    owner,
)
from titan import clock
from titan.aws import client
from titan.calls import invoke
from titan.dynamo import condition_failed, failed_conditions, transaction
from titan.errors import Conflict, FieldRefused, NotFound
from titan.ids import new_id
from titan.observability import logger
from titan.paging import page_cursor, page_start

#: A delivery's SQS message waits at most this long (SQS's DelaySeconds limit); a later one
#: is queued again by the worker until it is due.
MAX_DELAY_SECONDS = 900
PENDING, DEFERRED, SENDING, SENT, SKIPPED, FAILED = (
    "PENDING",
    "DEFERRED",
    "SENDING",
    "SENT",
    "SKIPPED",
    "FAILED",
)
DONE = (SENT, SKIPPED, FAILED)


@dataclass(frozen=True)
class Person:
    account_id: str
    name: str | None
    email: str | None


@dataclass(frozen=True)
class Settings:
    """A person's effective preferences (their choices over the defaults)."""

    locale: str
    time_zone: str
    quiet: tuple[time, time] | None
    phone: str | None
    choices: dict[str, dict[str, bool]]
    version: int


def preferences(account_id: str) -> Settings:
    """The person's preferences, defaults where they chose nothing."""
    try:
        item = Preferences.get(*Preferences.key(account_id), consistent_read=True)
    except DoesNotExist:
        item = None
    quiet: tuple[time, time] | None = domain.DEFAULT_QUIET
    if item is not None and item.quiet_hours is not None:
        quiet = domain.parse_quiet(*item.quiet_hours.split("-")) if item.quiet_hours else None
    return Settings(
        locale=(item and item.locale) or domain.DEFAULT_LOCALE,
        time_zone=(item and item.time_zone) or domain.DEFAULT_TIME_ZONE,
        quiet=quiet,
        phone=item.phone if item else None,
        choices=(item.choices if item and item.choices else {}),
        version=int(item.version) if item else 0,
    )


# --- notify ----------------------------------------------------------------------------------
#: Seconds the site's address is kept between reads of its SSM parameter.
SITE_MAX_AGE = 300


def site() -> str:
    """Where messages' links point, without a trailing slash ("" when nowhere: links stay
    paths). Read from SSM (Powertools parameters, cached SITE_MAX_AGE seconds)."""
    name = settings.SETTINGS.site_url_parameter
    found = get_parameter(name, max_age=SITE_MAX_AGE) if name else settings.SETTINGS.site_url
    return (found or "").rstrip("/")


def audience(to: tuple[str, str]) -> list[Person]:
    """The people a notice reaches: the account, or every account acting for the seller
    (identity's steps say who; none for a seller nobody signs in for)."""
    kind, ident = to
    if kind == ACCOUNT:
        found = invoke("IDENTITY_STEPS_FUNCTION", "account_contacts", {"accountIds": [ident]})
    elif kind == SELLER:
        found = invoke("IDENTITY_STEPS_FUNCTION", "seller_contacts", {"sellerId": ident})
    else:
        raise ValueError(f"no audience {kind!r}")
    return [
        Person(c["accountId"], c.get("name"), c.get("email"))
        for c in sorted(found["contacts"], key=lambda c: c["accountId"])
    ]


def notify(event_id: str, notices: list[Notice], occurred_at: str | None = None) -> dict[str, int]:
    """Make and queue the messages of ``notices`` (from the event ``event_id``, which happened
    at ``occurred_at``, RFC 3339; now when not given). Returns ``{"messages", "deliveries"}``
    counted. Raises what DynamoDB and SQS raise (the event is retried; what was done is not
    done twice).

    The inbox lists messages newest first by what they tell of: a message's id is stamped
    with its event's time, so an event delivered late (a retry, a busy queue) still takes
    its place among the others."""
    jobs: list[dict] = []
    messages = 0
    happened = clock.parse(occurred_at) if occurred_at else None
    for notice in notices:
        for person in audience(notice.to):
            made = _message(event_id, notice, person, happened)
            messages += made is not None
            jobs += made or []
    queue(jobs)
    return {"messages": messages, "deliveries": len(jobs)}


def _destinations(channels: frozenset[str], person: Person, prefs: Settings) -> dict[str, str]:
    """Where each outside channel reaches the person (a channel with nowhere is left out)."""
    found = {}
    if EMAIL in channels and person.email:
        found[EMAIL] = person.email
    if SMS in channels and prefs.phone:
        found[SMS] = prefs.phone
    if PUSH in channels and settings.SETTINGS.push_application_arn:
        devices = Device.query(owner(person.account_id), Device.sk.startswith("DEVICE#"), limit=1)
        if next(iter(devices), None) is not None:
            found[PUSH] = "devices"
    return found


def _message(
    event_id: str, notice: Notice, person: Person, happened: datetime | None = None
) -> list[dict] | None:
    """The person's message of ``notice``: its jobs, [] when it existed already (its
    unfinished deliveries' jobs then), None when the person gets nothing (no channel, or a
    collapsed one)."""
    # No read of the claim first: a repeated event is rare, and the transaction's condition
    # on the claim finds it (one DynamoDB call less for every message).
    claim = Claim(*Claim.key(event_id, person.account_id, notice.kind))
    prefs = preferences(person.account_id)
    channels = domain.channels_for(notice.category, prefs.choices)
    if not channels:
        return None
    now = clock.now()
    base = site()
    rendered = render.render(
        notice.kind,
        prefs.locale,
        prefs.time_zone,
        notice.data,
        name=person.name,
        link=f"{base}{notice.link}",
        tracking_url=f"{base}/tracking/",
    )
    notification_id = new_id("ntf", at=happened)
    inbox = INBOX in channels
    stamp = clock.iso(now)
    expires = clock.epoch_seconds() + KEEP_SECONDS
    note = Note(
        *Note.key(person.account_id, notification_id, inbox),
        notification_id=notification_id,
        account_id=person.account_id,
        kind=notice.kind,
        category=notice.category,
        urgent=notice.urgent,
        title=rendered.subject,
        text=rendered.text,
        short=rendered.short,
        link=notice.link,
        locale=prefs.locale,
        event_id=event_id,
        channels=sorted(channels),
        created_at=stamp,
    )
    if inbox:
        note.gsi1pk, note.gsi1sk = f"UNREAD#{person.account_id}", notification_id
    else:
        note.expires = expires
    held = None if notice.urgent else domain.quiet_until(now, prefs.time_zone, prefs.quiet)
    deliveries = [
        Delivery(
            *Delivery.key(person.account_id, notification_id, channel),
            account_id=person.account_id,
            notification_id=notification_id,
            channel=channel,
            status=DEFERRED if held else PENDING,
            destination=destination,
            html=rendered.html if channel == EMAIL else None,
            due_at=clock.iso(held or now),
            updated_at=stamp,
            expires=expires,
        )
        for channel, destination in _destinations(channels, person, prefs).items()
    ]
    claim.notification_id, claim.inbox, claim.expires = notification_id, inbox, expires
    collapse = (
        Collapse(
            *Collapse.key(person.account_id, notice.collapse),
            until=clock.iso(now + timedelta(seconds=settings.SETTINGS.chat_collapse_seconds)),
            expires=expires,
        )
        if notice.collapse
        else None
    )
    try:
        with transaction() as tx:
            tx.save(claim, condition=Claim.pk.does_not_exist())
            tx.save(note, condition=Note.pk.does_not_exist())
            for delivery in deliveries:
                tx.save(delivery)
            if collapse is not None:
                tx.save(
                    collapse,
                    condition=Collapse.pk.does_not_exist() | (Collapse.until < stamp),
                )
            if inbox:
                tx.update(Unread(*Unread.key(person.account_id, notice.category)),
                          [Unread.count.add(1)])  # fmt: skip
    except TransactWriteError as exc:
        failed = set(failed_conditions(exc))
        if 0 in failed:  # an earlier or concurrent delivery of the same event made it
            made = Claim.get(claim.pk, claim.sk, consistent_read=True)
            return _unfinished(person.account_id, made.notification_id)
        if collapse is not None and 2 + len(deliveries) in failed:
            logger.info("collapsed", extra={"kind": notice.kind, "collapse": notice.collapse})
            return None
        raise
    return [_job(d) for d in deliveries]


def _job(delivery: Delivery) -> dict:
    return {
        "accountId": delivery.account_id,
        "notificationId": delivery.notification_id,
        "channel": delivery.channel,
        "dueAt": delivery.due_at,
    }


def _unfinished(account_id: str, notification_id: str) -> list[dict]:
    return [
        _job(d)
        for d in Delivery.query(
            owner(account_id), Delivery.sk.startswith(f"DLV#{notification_id}#")
        )
        if d.status not in DONE
    ]


def queue(jobs: list[dict]) -> None:
    """Send delivery jobs to the delivery queue, each delayed until it is due (at most
    ``MAX_DELAY_SECONDS``). Raises RuntimeError when SQS refuses some."""
    if not jobs:
        return
    url = settings.SETTINGS.needed("delivery_queue_url")
    now = clock.now()
    sqs = client("sqs")
    for start in range(0, len(jobs), 10):
        batch = jobs[start : start + 10]
        entries = []
        for i, job in enumerate(batch):
            wait = (clock.parse(job["dueAt"]) - now).total_seconds()
            entries.append(
                {
                    "Id": str(i),
                    "MessageBody": json.dumps(job),
                    "DelaySeconds": int(min(MAX_DELAY_SECONDS, max(0, wait))),
                }
            )
        answer = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        if answer.get("Failed"):
            raise RuntimeError(f"SQS refused deliveries: {answer['Failed']}")


# --- inbox -----------------------------------------------------------------------------------
def unread_counts(account_id: str) -> dict[str, Any]:
    """``{"total", "byCategory": {category: count}}`` (categories with none left out)."""
    counts = {
        u.sk.removeprefix("UNREAD#"): int(u.count)
        for u in Unread.query(owner(account_id), Unread.sk.startswith("UNREAD#"))
        if u.count
    }
    return {"total": sum(counts.values()), "byCategory": counts}


def inbox(
    account_id: str, unread_only: bool, category: str | None, cursor: str | None, limit: int
) -> dict[str, Any]:
    """A page of the person's messages, newest first: ``{"items": [Note], "nextCursor",
    "unread"}``. Raises BadRequest INVALID_CURSOR."""
    if unread_only:
        start = page_start(
            cursor, ("pk", "sk", "gsi1pk", "gsi1sk"), {"gsi1pk": f"UNREAD#{account_id}"}
        )
        query = Note.unread.query(
            f"UNREAD#{account_id}",
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start,
            filter_condition=(Note.category == category) if category else None,
        )
    else:
        start = page_start(cursor, ("pk", "sk"), {"pk": owner(account_id)}, {"sk": "NOTE#"})
        query = Note.query(
            owner(account_id),
            Note.sk.startswith("NOTE#"),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start,
            filter_condition=(Note.category == category) if category else None,
        )
    items = list(query)
    return {
        "items": items,
        "nextCursor": page_cursor(query.last_evaluated_key),
        "unread": unread_counts(account_id),
    }


def message(account_id: str, notification_id: str) -> tuple[Note, list[Delivery]]:
    """The person's message and its delivery log. Raises NotFound NOTIFICATION_NOT_FOUND."""
    note = _note(account_id, notification_id)
    deliveries = list(
        Delivery.query(owner(account_id), Delivery.sk.startswith(f"DLV#{notification_id}#"))
    )
    return note, deliveries


def _note(account_id: str, notification_id: str) -> Note:
    try:
        return Note.get(*Note.key(account_id, notification_id), consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such notification.", code="NOTIFICATION_NOT_FOUND") from exc


def mark_read(account_id: str, notification_id: str) -> Note:
    """Mark one message read (again: no change). Its category's unread count goes down in
    the same transaction. Raises NotFound NOTIFICATION_NOT_FOUND."""
    note = _note(account_id, notification_id)
    if note.read_at is None:
        _read([note])
        note = _note(account_id, notification_id)
    return note


def _read(notes: list[Note]) -> int:
    """Mark ``notes`` (at most 50) read in one transaction, each on the condition it was
    unread; returns how many. A note another request marked meanwhile fails the
    transaction: the rest are marked one by one."""
    stamp = clock.iso()
    expires = clock.epoch_seconds() + KEEP_SECONDS
    by_category: dict[tuple[str, str], int] = {}
    for note in notes:
        key = (note.account_id, note.category)
        by_category[key] = by_category.get(key, 0) + 1
    try:
        with transaction() as tx:
            for note in notes:
                tx.update(
                    note,
                    [
                        Note.read_at.set(stamp),
                        Note.gsi1pk.remove(),
                        Note.gsi1sk.remove(),
                        Note.expires.set(expires),
                    ],
                    condition=Note.read_at.does_not_exist(),
                )
            for (account, category), count in by_category.items():
                tx.update(Unread(*Unread.key(account, category)), [Unread.count.add(-count)])
    except TransactWriteError as exc:
        if not failed_conditions(exc) or len(notes) == 1:
            if len(notes) == 1 and failed_conditions(exc):
                return 0  # read by a concurrent request
            raise
        return sum(_read([note]) for note in notes)
    return len(notes)


def mark_all_read(account_id: str, category: str | None) -> int:
    """Mark every unread message (of ``category``) read, 50 to a transaction; returns how
    many were."""
    unread = Note.unread.query(
        f"UNREAD#{account_id}",
        filter_condition=(Note.category == category) if category else None,
    )
    marked, chunk = 0, []
    for note in unread:  # every page: a filtered page may hold none of the category
        chunk.append(note)
        if len(chunk) == 50:
            marked += _read(chunk)
            chunk = []
    return marked + (_read(chunk) if chunk else 0)


# --- preferences -----------------------------------------------------------------------------
def change_preferences(account_id: str, changes: dict[str, Any]) -> Settings:
    """Apply ``changes`` (camelCase keys as the API takes them: locale, timeZone,
    quietHours {start, end} or None, phone or None, categories {category: {channel: on}})
    over the person's preferences, on the condition nobody changed them meanwhile.
    Raises Unprocessable (the rule's code, with the field) and Conflict PREFERENCES_CHANGED."""
    current = preferences(account_id)
    phone = changes.get("phone", current.phone)
    choices = {k: dict(v) for k, v in current.choices.items()}
    for category, picked in (changes.get("categories") or {}).items():
        choices.setdefault(category, {}).update(picked)
    time_zone = changes.get("timeZone") or current.time_zone
    quiet_text = None
    try:
        domain.zone(time_zone)
        domain.check_choices(choices, has_phone=bool(phone))
        if "quietHours" in changes:
            quiet = changes["quietHours"]
            quiet_text = f"{quiet['start']}-{quiet['end']}" if quiet else ""
            if quiet:
                domain.parse_quiet(quiet["start"], quiet["end"])
    except domain.PreferenceError as exc:
        raise exc.problem() from exc
    item = Preferences(*Preferences.key(account_id))
    actions = [
        Preferences.locale.set(changes.get("locale") or current.locale),
        Preferences.time_zone.set(time_zone),
        Preferences.choices.set(choices),
        Preferences.updated_at.set(clock.iso()),
        Preferences.version.set(current.version + 1),
        Preferences.phone.set(phone) if phone else Preferences.phone.remove(),
    ]
    if quiet_text is not None:
        actions.append(Preferences.quiet_hours.set(quiet_text))
    condition = (
        Preferences.version == current.version
        if current.version
        else Preferences.pk.does_not_exist()
    )
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if condition_failed(exc):
            raise Conflict(
                "Your preferences changed meanwhile; read them and try again.",
                code="PREFERENCES_CHANGED",
            ) from exc
        raise
    return preferences(account_id)


def preferences_view(prefs: Settings) -> dict[str, Any]:
    """The API's shape of a person's preferences, every category with its effective
    channels and whether it can be switched off."""
    return {
        "locale": prefs.locale,
        "timeZone": prefs.time_zone,
        "quietHours": (
            {"start": prefs.quiet[0].strftime("%H:%M"), "end": prefs.quiet[1].strftime("%H:%M")}
            if prefs.quiet
            else None
        ),
        "phone": prefs.phone,
        "categories": {
            name: {
                "description": rule.description,
                "transactional": rule.transactional,
                "channels": {
                    channel: channel in domain.channels_for(name, prefs.choices)
                    for channel in domain.CHANNELS
                },
            }
            for name, rule in CATEGORIES.items()
        },
    }


# --- devices ---------------------------------------------------------------------------------
def register_device(account_id: str, platform: str, token: str) -> tuple[Device, bool]:
    """Register a device's push token (FCM registration token or APNS device token) with
    the platform application; the same token again is the same device. Returns (device,
    created). Raises Conflict PUSH_NOT_CONFIGURED when this deployment has no platform
    application; Unprocessable DEVICE_TOKEN_INVALID when SNS refuses the token."""
    application = settings.SETTINGS.push_application_arn
    if not application:
        raise Conflict("Push notifications are not set up here.", code="PUSH_NOT_CONFIGURED")
    device_id = "dev_" + hashlib.sha256(f"{platform}:{token}".encode()).hexdigest()[:26]
    try:
        return Device.get(*Device.key(account_id, device_id), consistent_read=True), False
    except DoesNotExist:
        pass
    sns = client("sns")
    try:
        endpoint = sns.create_platform_endpoint(
            PlatformApplicationArn=application, Token=token, CustomUserData=account_id
        )["EndpointArn"]
    except sns.exceptions.InvalidParameterException as exc:
        raise FieldRefused(
            "The push token is not valid.", "DEVICE_TOKEN_INVALID", "token"
        ).problem() from exc
    device = Device(
        *Device.key(account_id, device_id),
        device_id=device_id,
        platform=platform,
        endpoint_arn=endpoint,
        created_at=clock.iso(),
    )
    device.save()
    return device, True


def devices(account_id: str) -> list[Device]:
    return list(Device.query(owner(account_id), Device.sk.startswith("DEVICE#")))


def forget_device(account_id: str, device_id: str) -> None:
    """Unregister a device (its SNS endpoint deleted). Raises NotFound DEVICE_NOT_FOUND."""
    try:
        device = Device.get(*Device.key(account_id, device_id), consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such device.", code="DEVICE_NOT_FOUND") from exc
    client("sns").delete_endpoint(EndpointArn=device.endpoint_arn)
    device.delete()


# --- views -----------------------------------------------------------------------------------
def note_view(note: Note) -> dict[str, Any]:
    """The API's shape of a message."""
    return {
        "notificationId": note.notification_id,
        "kind": note.kind,
        "category": note.category,
        "urgent": bool(note.urgent),
        "title": note.title,
        "text": note.text,
        "link": note.link,
        "createdAt": note.created_at,
        "readAt": note.read_at,
    }


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    """The API's shape of a line of the delivery log."""
    return {
        "channel": delivery.channel,
        "status": delivery.status,
        "attempts": int(delivery.attempts or 0),
        "dueAt": delivery.due_at,
        "sentAt": delivery.sent_at,
        "lastError": delivery.last_error,
    }


def device_view(device: Device) -> dict[str, Any]:
    return {
        "deviceId": device.device_id,
        "platform": device.platform,
        "createdAt": device.created_at,
    }
