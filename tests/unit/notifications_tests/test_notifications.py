"""The notification center on moto: events become one message each in the inbox and queued
deliveries, sent by the delivery worker through SES and SNS; preferences, quiet hours, push
devices, retries, the dead-letter queue's record, and the inbox over HTTP."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from apigw import call
from contracts.orders import OrderPlaced
from delivery import deliver
from notifications import api as notifications_api
from notifications import consumers, dispatch, service, settings
from notifications.messages import WRITERS
from notifications.store import Delivery, Preferences
from tests.unit.shop import ANA, BIA, CUSTOMER, SELLER, steps_call
from titan import clock
from titan.events import DomainEvent

BRL = "BRL"
ORDER = {
    "orderId": "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
    "checkoutId": "chk_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
    "customerId": CUSTOMER,
    "customerEmail": "ana@example.com",
    "customerName": "Ana",
    "status": "CONFIRMED",
    "lines": [
        {
            "lineId": "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0-1",
            "cartLineId": "line_1",
            "productId": "1e9e8ef04dbcff4541ed26657ea517e5",
            "sellerId": SELLER,
            "offerId": "off_00000000000000000001",
            "title": "Perfume 50 ml",
            "quantity": 2,
            "unitPrice": {"amount": 3499, "currency": BRL},
            "freight": {"amount": 3210, "currency": BRL},
        }
    ],
    "total": {"amount": 10208, "currency": BRL},
    "payments": [],
    "discount": {"amount": 0, "currency": BRL},
}
SELLER_PERSON = "acct_01JDQ6R8V9W3X4Y5Z6A7B8SE11"
#: Noon in São Paulo: outside the default quiet hours (22:00-08:00).
NOON = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


class Post:
    """The outside world: the delivery queue drained through the worker, what SES and SNS
    sent."""

    def __init__(self, queue_url: str):
        self.queue_url = queue_url
        self.sqs = boto3.client("sqs")

    def jobs(self) -> list[dict]:
        found = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            messages = got.get("Messages", [])
            if not messages:
                return found
            for m in messages:
                found.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])

    def drain(self) -> list[str]:
        """Run the worker on every queued job; what became of each."""
        return [dispatch.send(job) for job in self.jobs()]

    @property
    def emails(self) -> list:
        return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages

    @property
    def sms(self) -> list[tuple[str, str]]:
        return list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())


@pytest.fixture
def post(world, monkeypatch):
    from identity import service as identity

    monkeypatch.setattr(service, "invoke", steps_call)
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="titan-test-deliveries")["QueueUrl"]
    boto3.client("ses").verify_email_identity(EmailAddress="noreply@titan.test")
    update = {"delivery_queue_url": url, "site_url": "https://titan.test"}
    monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(update=update))
    _account(SELLER_PERSON, "seller@example.com", "Sônia Vendas")
    identity.grant_role("acct_01JDQ6R8V9W3X4Y5Z6A7B8ADMN", SELLER_PERSON, "seller", SELLER)
    clock.freeze(NOON)
    yield Post(url)
    clock.unfreeze()


def _account(account_id: str, email: str, name: str) -> None:
    from identity.store import Account

    now = clock.iso()
    Account(
        *Account.key(account_id),
        account_id=account_id,
        email=email,
        name=name,
        password_hash="x",
        roles={"customer"},
        created_at=now,
        updated_at=now,
    ).save()


def api(method, path, body=None, who=ANA):
    return call(notifications_api.handler, method, path, body, authorizer=who)


def _inbox(who=ANA, query: str = "") -> dict:
    status, _, body = api("GET", f"/me/notifications{query}", who=who)
    assert status == 200, body
    return body


def test_an_order_tells_its_buyer_and_its_seller_once_however_often_it_arrives(post):
    placed = DomainEvent.of("OrderPlaced", ORDER)
    deliver(consumers.handler, placed, placed)  # delivered, then redelivered
    # past the consumer's once-per-event guard (its record expired): the claims hold
    service.notify(placed.event_id, WRITERS[OrderPlaced](placed.payload))
    # one e-mail each (no push device); the retry queued the unsent deliveries again
    assert sorted(post.drain()) == ["SENT", "SENT", "done", "done"]
    buyer_mail, seller_mail = sorted(post.emails, key=lambda m: m.destinations["ToAddresses"])
    assert buyer_mail.destinations["ToAddresses"] == ["ana@example.com"]
    assert buyer_mail.subject == "Pedido ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0: confirmado"
    assert "2 x Perfume 50 ml: R$\xa034,99" in buyer_mail.body
    assert "https://titan.test/orders/ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0" in buyer_mail.body
    assert seller_mail.subject == "Novo pedido ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0 para enviar"
    inbox = _inbox()
    assert [n["kind"] for n in inbox["items"]] == ["order_placed"]
    assert inbox["unread"] == {"total": 1, "byCategory": {"ORDERS": 1}}
    seller_inbox = _inbox({"principalId": SELLER_PERSON, "roles": "seller", "sellerId": SELLER})
    assert [n["kind"] for n in seller_inbox["items"]] == ["new_order"]
    assert post.drain() == []


def test_a_failed_send_is_retried_then_dead_lettered_and_logged(post, monkeypatch):
    deliver(consumers.handler, DomainEvent.of("OrderPlaced", {**ORDER, "lines": []}))
    (job,) = post.jobs()
    monkeypatch.setattr(
        settings, "SETTINGS", settings.SETTINGS.model_copy(update={"mail_from": "x@nowhere.test"})
    )
    with pytest.raises(Exception, match="not verified"):
        dispatch.send(job)  # SES refuses: the message fails and SQS retries it
    (item,) = _inbox()["items"]
    status, _, detail = api("GET", f"/me/notifications/{item['notificationId']}")
    (line,) = detail["deliveries"]
    assert (line["channel"], line["status"], line["attempts"]) == ("EMAIL", "PENDING", 1)
    assert "not verified" in line["lastError"]
    assert dispatch.give_up(job, receives=5) == "FAILED"  # the dead-letter queue's worker
    assert dispatch.send(job) == "done"  # a late copy sends nothing
    _, _, detail = api("GET", f"/me/notifications/{item['notificationId']}")
    assert detail["deliveries"][0]["status"] == "FAILED" and post.emails == []


def test_a_second_copy_of_a_job_does_not_send_while_the_first_holds_it(post):
    deliver(consumers.handler, DomainEvent.of("OrderPlaced", {**ORDER, "lines": []}))
    (job,) = post.jobs()
    item = Delivery.get(*Delivery.key(CUSTOMER, job["notificationId"], "EMAIL"))
    assert dispatch._lease(item)  # a first worker takes it...
    assert dispatch.send(job) == "held"  # ...and a duplicate job waits
    clock.freeze(clock.now() + timedelta(seconds=dispatch.LEASE_SECONDS + 1))
    assert dispatch.send(job) == "SENT"  # the first died: the lease ran out
    assert len(post.emails) == 1


def _moved(status: str, **extra) -> DomainEvent:
    return DomainEvent.of(
        "ShipmentStatusChanged",
        {
            "packageId": "pkg_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
            "direction": "OUTBOUND",
            "orderId": ORDER["orderId"],
            "customerId": CUSTOMER,
            "sellerId": SELLER,
            "status": status,
            "movedBy": "CARRIER",
            "carrier": "correio",
            "trackingNumber": "SX123456785BR",
            "at": "2026-12-02T01:00:00.000Z",
            **extra,
        },
    )


def test_quiet_hours_hold_what_can_wait_and_never_the_inbox(post):
    status, _, prefs = api(
        "PATCH",
        "/me/notification-preferences",
        {"locale": "en", "quietHours": {"start": "22:00", "end": "07:30"}},
    )
    assert status == 200 and prefs["quietHours"] == {"start": "22:00", "end": "07:30"}
    clock.freeze(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))  # 23:00 in São Paulo
    handed = dataclasses.replace(  # a minute before: the inbox's order is the events'
        _moved("HANDED_OVER"), occurred_at=clock.iso(clock.now() - timedelta(minutes=1))
    )
    deliver(consumers.handler, handed, _moved("OUT_FOR_DELIVERY"))
    jobs = {j["notificationId"]: j for j in post.jobs()}
    inbox = _inbox()
    assert [n["kind"] for n in inbox["items"]] == ["out_for_delivery", "shipped"]
    shipped, urgent = inbox["items"][1], inbox["items"][0]
    assert urgent["urgent"] and dispatch.send(jobs[urgent["notificationId"]]) == "SENT"
    (held,) = service._unfinished(CUSTOMER, shipped["notificationId"])
    assert held["dueAt"] == "2026-12-02T10:30:00.000Z"  # 07:30 in São Paulo
    assert dispatch.send(held) == "later"  # queued again until it is due
    _, _, detail = api("GET", f"/me/notifications/{shipped['notificationId']}")
    assert detail["deliveries"][0]["status"] == "DEFERRED"
    clock.freeze(datetime(2026, 12, 2, 10, 31, tzinfo=UTC))
    assert dispatch.send(held) == "SENT"
    assert [m.subject for m in post.emails] == [
        "Order ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0: out for delivery",
        "Order ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0: shipped",
    ]
    assert "Track it: https://titan.test/tracking/SX123456785BR" in post.emails[1].body


def test_preferences_are_checked_and_choose_the_channels(post):
    refused = api(
        "PATCH", "/me/notification-preferences", {"categories": {"ORDERS": {"EMAIL": False}}}
    )
    assert refused[0] == 422 and refused[2]["code"] == "TRANSACTIONAL_REQUIRED"
    assert refused[2]["errors"][0]["location"] == "body.categories.ORDERS.EMAIL"
    no_phone = api(
        "PATCH", "/me/notification-preferences", {"categories": {"SHIPPING": {"SMS": True}}}
    )
    assert no_phone[0] == 422 and no_phone[2]["code"] == "PHONE_REQUIRED"
    for body, code in [
        ({"timeZone": "Mars/Base"}, "TIME_ZONE_UNKNOWN"),
        ({"quietHours": {"start": "08:00", "end": "08:00"}}, "QUIET_HOURS_INVALID"),
        ({"phone": "11987654321"}, "VALIDATION_FAILED"),
        ({"categories": {"NEWS": {"EMAIL": True}}}, "VALIDATION_FAILED"),
    ]:
        status, _, problem = api("PATCH", "/me/notification-preferences", body)
        assert (status, problem["code"]) == (422, code), body
    status, _, prefs = api(
        "PATCH",
        "/me/notification-preferences",
        {"phone": "+5519987654321", "quietHours": None,
         "categories": {"SHIPPING": {"SMS": True, "PUSH": False}, "MARKETING": {"EMAIL": True}}},
    )  # fmt: skip
    assert status == 200 and prefs["quietHours"] is None
    assert prefs["categories"]["SHIPPING"]["channels"] == {
        "EMAIL": True, "SMS": True, "PUSH": False, "INBOX": True
    }  # fmt: skip
    assert prefs["categories"]["MARKETING"]["channels"]["EMAIL"] is True
    assert prefs["categories"]["ORDERS"]["transactional"] is True
    deliver(consumers.handler, _moved("DELIVERED"))
    assert sorted(post.drain()) == ["SENT", "SENT"]
    ((phone, text),) = post.sms
    assert phone == "+5519987654321" and text.startswith("Titan: Seu pacote foi entregue")
    assert api("GET", "/me/notification-preferences", who=BIA)[2]["quietHours"] == {
        "start": "22:00", "end": "08:00"
    }  # fmt: skip


def test_an_sms_the_carrier_refuses_fails_at_once(post):
    Preferences(*Preferences.key(CUSTOMER), phone="+0800 FLORES",
                choices={"SHIPPING": {"SMS": True}}, quiet_hours="").save()  # fmt: skip
    deliver(consumers.handler, _moved("DELIVERED"))
    assert sorted(post.drain()) == ["FAILED", "SENT"]
    (item,) = _inbox()["items"]
    _, _, detail = api("GET", f"/me/notifications/{item['notificationId']}")
    sms = next(d for d in detail["deliveries"] if d["channel"] == "SMS")
    assert sms["status"] == "FAILED" and sms["lastError"].startswith("InvalidParameter")


def test_push_reaches_every_device_and_a_disabled_one_is_forgotten(post, monkeypatch):
    sns = boto3.client("sns")
    app = sns.create_platform_application(
        Name="titan-test", Platform="GCM", Attributes={"PlatformCredential": "key"}
    )["PlatformApplicationArn"]
    monkeypatch.setattr(
        settings, "SETTINGS", settings.SETTINGS.model_copy(update={"push_application_arn": app})
    )
    phone = api("POST", "/me/devices", {"platform": "FCM", "token": "fcm-token-phone-0001"})
    again = api("POST", "/me/devices", {"platform": "FCM", "token": "fcm-token-phone-0001"})
    tablet = api("POST", "/me/devices", {"platform": "APNS", "token": "a" * 64})
    assert (phone[0], again[0], tablet[0]) == (201, 200, 201)
    assert again[2]["deviceId"] == phone[2]["deviceId"]
    assert len(api("GET", "/me/devices")[2]["devices"]) == 2
    assert api("GET", "/me/devices", who=BIA)[2]["devices"] == []
    assert api("DELETE", f"/me/devices/{phone[2]['deviceId']}", who=BIA)[0] == 404
    deliver(consumers.handler, _moved("OUT_FOR_DELIVERY"))
    assert sorted(post.drain()) == ["SENT", "SENT"]  # e-mail, and push to both devices
    endpoints = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].platform_endpoints.values()
    pushed = [json.loads(m) for e in endpoints for m in e.messages.values()]
    assert len(pushed) == 2
    fcm = json.loads(pushed[0]["GCM"])["fcmV1Message"]["message"]
    assert fcm["notification"]["body"] == "Seu pacote chega hoje com a Correio Nacional."
    for endpoint in endpoints:  # the phone app was uninstalled: FCM disabled its endpoint
        if endpoint.token == "fcm-token-phone-0001":
            sns.set_endpoint_attributes(EndpointArn=endpoint.arn, Attributes={"Enabled": "false"})
    deliver(consumers.handler, _moved("DELIVERY_FAILED"))
    post.drain()
    assert [d["platform"] for d in api("GET", "/me/devices")[2]["devices"]] == ["APNS"]
    assert api("DELETE", f"/me/devices/{tablet[2]['deviceId']}")[0] == 204
    assert api("GET", "/me/devices")[2]["devices"] == []


def test_the_inbox_pages_counts_and_marks_read_for_its_owner_only(post):
    for n, status in enumerate(["HANDED_OVER", "OUT_FOR_DELIVERY", "DELIVERED"]):
        moved = _moved(status, packageId=f"pkg_01JDQ6R8V9W3X4Y5Z6A7B8C9D{n}")
        at = clock.iso(NOON - timedelta(minutes=10 - n))  # the inbox's order is the events'
        deliver(consumers.handler, dataclasses.replace(moved, occurred_at=at))
    deliver(consumers.handler, DomainEvent.of("OrderPlaced", ORDER))
    first = _inbox(query="?limit=3")
    assert [n["kind"] for n in first["items"]] == ["order_placed", "delivered", "out_for_delivery"]
    rest = _inbox(query=f"?limit=3&cursor={first['nextCursor']}")
    assert [n["kind"] for n in rest["items"]] == ["shipped"] and rest["nextCursor"] is None
    assert first["unread"] == {"total": 4, "byCategory": {"ORDERS": 1, "SHIPPING": 3}}
    shipped = rest["items"][0]["notificationId"]
    assert api("POST", f"/me/notifications/{shipped}/read", who=BIA)[0] == 404
    assert api("GET", f"/me/notifications/{shipped}", who=BIA)[0] == 404
    status, _, read = api("POST", f"/me/notifications/{shipped}/read")
    again = api("POST", f"/me/notifications/{shipped}/read")[2]
    assert status == 200 and read["readAt"] and again["readAt"] == read["readAt"]
    unread = _inbox(query="?unread=true&category=SHIPPING")
    assert [n["kind"] for n in unread["items"]] == ["delivered", "out_for_delivery"]
    assert unread["unread"]["byCategory"] == {"ORDERS": 1, "SHIPPING": 2}
    status, _, marked = api("POST", "/me/notifications/read", {"category": "SHIPPING"})
    assert marked == {"marked": 2, "unread": {"total": 1, "byCategory": {"ORDERS": 1}}}
    assert api("POST", "/me/notifications/read", {})[2]["marked"] == 1
    assert _inbox()["unread"] == {"total": 0, "byCategory": {}}
    bad = api("GET", "/me/notifications?cursor=bm90LWEtY3Vyc29y")
    assert bad[0] == 400 and bad[2]["code"] == "INVALID_CURSOR"
    assert api("GET", "/me/notifications")[0] == 200
    assert call(notifications_api.handler, "GET", "/me/notifications")[0] == 401


def _chat(online: bool, side: str = "BUYER", message: str = "msg_01JDQ6R8V9W3X4Y5Z6A7B8C9M1"):
    return DomainEvent.of(
        "ChatMessageSent",
        {
            "conversationId": "cnv_01JDQ6R8V9W3X4Y5Z6A7B8C9C1",
            "messageId": message,
            "buyerId": CUSTOMER,
            "sellerId": SELLER,
            "senderId": CUSTOMER if side == "BUYER" else SELLER_PERSON,
            "senderSide": side,
            "title": "Perfume 50 ml",
            "preview": "Ainda tem?",
            "recipientOnline": online,
        },
    )


def test_chat_tells_the_offline_side_once_per_burst(post):
    seller = {"principalId": SELLER_PERSON, "roles": "seller", "sellerId": SELLER}
    deliver(consumers.handler, _chat(online=True))
    assert _inbox(seller)["items"] == []
    deliver(consumers.handler, _chat(online=False))
    deliver(consumers.handler, _chat(False, message="msg_01JDQ6R8V9W3X4Y5Z6A7B8C9M2"))
    (note,) = _inbox(seller)["items"]
    assert note["title"] == "Nova mensagem sobre Perfume 50 ml" and note["category"] == "CHAT"
    clock.freeze(clock.now() + timedelta(seconds=settings.SETTINGS.chat_collapse_seconds + 1))
    deliver(consumers.handler, _chat(False, message="msg_01JDQ6R8V9W3X4Y5Z6A7B8C9M3"))
    assert len(_inbox(seller)["items"]) == 2
    deliver(consumers.handler, _chat(False, "SELLER", "msg_01JDQ6R8V9W3X4Y5Z6A7B8C9M4"))
    assert [n["kind"] for n in _inbox()["items"]] == ["chat_message"]


def test_sellers_hear_of_reviews_returns_and_low_stock_but_not_of_imported_reviews(post):
    review = {
        "reviewId": "rev_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
        "kind": "PRODUCT",
        "subjectId": "1e9e8ef04dbcff4541ed26657ea517e5",
        "orderId": ORDER["orderId"],
        "productId": "1e9e8ef04dbcff4541ed26657ea517e5",
        "sellerId": SELLER,
        "authorId": CUSTOMER,
        "rating": 4,
        "status": "PUBLISHED",
    }
    deliver(consumers.handler, DomainEvent.of("ReviewPublished", {**review, "imported": True}))
    deliver(consumers.handler, DomainEvent.of("ReviewPublished", review))
    deliver(consumers.handler, DomainEvent.of("LowStock", {
        "offerId": "off_1", "productId": review["productId"], "sellerId": SELLER,
        "warehouseId": "wh_1", "available": 2, "threshold": 5,
    }, occurred_at=clock.iso(clock.now() + timedelta(seconds=1))))  # fmt: skip
    seller = {"principalId": SELLER_PERSON, "roles": "seller", "sellerId": SELLER}
    titles = [n["title"] for n in _inbox(seller)["items"]]
    assert titles == [
        "Estoque baixo: restam 2 do produto 1e9e8ef04dbcff4541ed26657ea517e5",
        "Nova avaliação de 4 estrelas do seu produto 1e9e8ef04dbcff4541ed26657ea517e5",
    ]
    post.drain()
    assert "★★★★☆" in post.emails[-1].body or "★★★★☆" in post.emails[0].body


def test_the_inbox_lists_what_happened_last_first_however_late_it_arrived(post):
    placed = DomainEvent.of("OrderPlaced", ORDER, occurred_at=clock.iso(NOON - timedelta(hours=2)))
    shipped = dataclasses.replace(
        _moved("HANDED_OVER"), occurred_at=clock.iso(NOON - timedelta(hours=1))
    )
    deliver(consumers.handler, shipped)  # the later event first: the order's was retried
    deliver(consumers.handler, placed)

    kinds = [n["kind"] for n in _inbox()["items"]]
    assert kinds == ["shipped", "order_placed"]
