"""Notification figures for ``make bench``: messages and deliveries per second through the
local cloud.

``EVENTS`` ShipmentStatusChanged events (a package delivered) are put on the bus at once, for
``PEOPLE`` buyers who chose e-mail, SMS and push for shipping (no quiet hours). Each event
becomes one message (EventBridge → the notifications consumer: identity's contacts, the
preferences, two templates rendered, one DynamoDB transaction) and three deliveries (SQS →
the dispatcher: SES, SNS SMS, SNS push). Measured from the first PutEvents: every message in
its inbox (messages/s), and every e-mail and SMS out (sends/s; the pushes go in the same
batches, LocalStack keeps no count of them by address).
"""

from __future__ import annotations

import time
import uuid

import requests

from localcloud import cloud as local
from shopper import new_customer
from titan.events import DomainEvent

EVENTS = 200
PEOPLE = 5
TIMEOUT_SECONDS = 600


def _people(api: str) -> list:
    people = []
    for n in range(PEOPLE):
        person = new_customer(api)
        person.phone = f"+55199{uuid.uuid4().int % 10**8:08d}"
        person.call("PATCH", "/me/notification-preferences", {
            "quietHours": None, "phone": person.phone,
            "categories": {"SHIPPING": {"SMS": True, "PUSH": True}},
        })  # fmt: skip
        person.call(
            "POST", "/me/devices", {"platform": "FCM", "token": f"bench-{n}-{uuid.uuid4()}"}
        )
        person.email = person.call("GET", "/me").json()["email"]
        people.append(person)
    return people


def _delivered(person, n: int) -> DomainEvent:
    return DomainEvent.of(
        "ShipmentStatusChanged",
        {
            "packageId": f"pkg_bench_{uuid.uuid4().hex[:12]}",
            "orderId": "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
            "customerId": person.account_id,
            "sellerId": "8a32e327fe2c1b3511609d81aaf9f042",
            "status": "DELIVERED",
            "movedBy": "CARRIER",
            "carrier": "correio",
            "trackingNumber": f"SX{n:09d}BR",
            "at": "2026-12-01T12:00:00.000Z",
        },
    )


def _sent(base: str, people: list) -> int:
    emails = {p.email for p in people}
    phones = {p.phone for p in people}
    mail = requests.get(f"{base}/_aws/ses", timeout=30).json()["messages"]
    sms = requests.get(f"{base}/_aws/sns/sms-messages", timeout=30).json()["sms_messages"]
    return sum(1 for m in mail if set(m["Destination"]["ToAddresses"]) & emails) + sum(
        len(found) for phone, found in sms.items() if phone in phones
    )


def figures(outputs: dict) -> list[str]:
    api = outputs["ApiUrl"]
    base = api.split("/_aws/")[0]
    people = _people(api)
    events = [_delivered(people[n % PEOPLE], n) for n in range(EVENTS)]
    bus = outputs["EventBusName"]
    client = local.client("events")
    started = time.perf_counter()
    for start in range(0, EVENTS, 10):
        client.put_events(Entries=[e.entry(bus) for e in events[start : start + 10]])
    inboxed = sent = None
    while time.perf_counter() - started < TIMEOUT_SECONDS:
        if inboxed is None:
            counts = [p.call("GET", "/me/notifications").json()["unread"]["total"] for p in people]
            if sum(counts) >= EVENTS:
                inboxed = time.perf_counter() - started
        if _sent(base, people) >= 2 * EVENTS:
            sent = time.perf_counter() - started
            break
        time.sleep(0.5)
    if inboxed is None or sent is None:
        return [f"  not done in {TIMEOUT_SECONDS} s"]
    out = 2 * EVENTS
    return [
        f"  {EVENTS} events → messages in the inbox: {inboxed:6.1f} s"
        f"  {EVENTS / inboxed:6.1f} messages/s",
        f"  {out} e-mails and SMS out (with {EVENTS} pushes): {sent:6.1f} s"
        f"  {out / sent:6.1f} sends/s",
    ]
