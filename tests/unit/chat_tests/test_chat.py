"""Chat on moto, through the REST and WebSocket handlers: conversations about a product or an
order, messages pushed to every device of both sides with delivered and read receipts, typing
and presence, masking, blocks, rate limits, retries, gone connections, outsiders, and the
seller's responsiveness recounted from the messages."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta

import pytest

from apigw import FakeContext, call
from chat import api as chat_api
from chat import service as chat
from chat import settings, socket, sockets
from chat.store import Connection, Conversation, Message
from tests.unit.returns_tests.refunds import delivered_order
from tests.unit.shop import ANA, BIA, P1, SELLER, published_shoes, steps_call
from titan import clock
from titan.auth import principal_of

SELLER_CALLER = {
    "principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B8SE11",
    "roles": "seller",
    "sellerId": SELLER,
}
OTHER_SELLER = {
    "principalId": "acct_01JDQ6R8V9W3X4Y5Z6A7B80THR",
    "roles": "seller",
    "sellerId": "f" * 32,
}


class Gone(Exception):
    """API Gateway's GoneException."""


class FakeConnections:
    """The ``@connections`` API: what each connection was sent; ``gone`` ones refuse."""

    class exceptions:
        GoneException = Gone

    def __init__(self):
        self.sent: dict[str, list[dict]] = defaultdict(list)
        self.gone: set[str] = set()

    def post_to_connection(self, ConnectionId, Data):
        if ConnectionId in self.gone:
            raise Gone(ConnectionId)
        self.sent[ConnectionId].append(json.loads(Data))

    def of(self, connection_id: str, kind: str) -> list[dict]:
        return [f for f in self.sent[connection_id] if f["type"] == kind]


@pytest.fixture
def market(shop, monkeypatch):
    import boto3

    monkeypatch.setattr(chat, "invoke", steps_call)
    bucket = "titan-test-chat-attachments"
    boto3.client("s3").create_bucket(Bucket=bucket)
    monkeypatch.setattr(
        settings,
        "SETTINGS",
        settings.SETTINGS.model_copy(update={"chat_attachments_bucket": bucket}),
    )
    fake = FakeConnections()
    monkeypatch.setattr(sockets, "_management", lambda: fake)
    shop.connections = fake
    return shop


def api(method, path, body=None, who=ANA, **kwargs):
    return call(chat_api.handler, method, path, body, authorizer=who, **kwargs)


def frame(connection_id: str, route: str, body=None, who=ANA) -> dict:
    """What API Gateway's WebSocket API hands the function for a route."""
    event = {
        "requestContext": {
            "routeKey": route,
            "eventType": {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE"),
            "connectionId": connection_id,
            "requestId": "req-1",
            "authorizer": who,
        },
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    answer = socket.handler(event, FakeContext())
    if answer.get("body"):
        return {"statusCode": answer["statusCode"], **json.loads(answer["body"])}
    return answer


def start(who=ANA, text="Olá, ainda tem em estoque?", **subject):
    subject = subject or {"productId": P1}
    return api("POST", "/conversations", {"sellerId": SELLER, "text": text, **subject}, who)


def test_a_buyer_and_a_seller_chat_on_every_device_with_receipts(market):
    fake = market.connections
    assert frame("buyer-phone", "$connect", who=ANA) == {"statusCode": 200}
    assert frame("buyer-laptop", "$connect", who=ANA) == {"statusCode": 200}
    assert frame("seller-desk", "$connect", who=SELLER_CALLER) == {"statusCode": 200}
    status, _, started = start()
    assert status == 201, started
    conversation = started["conversation"]
    cid = conversation["conversationId"]
    assert conversation["subject"] == {"kind": "PRODUCT", "id": P1}
    assert conversation["title"].startswith("Product") and conversation["side"] == "BUYER"
    # The REST sender has no connection of its own: both buyer devices and the seller hear it.
    first = started["message"]
    for device in ("buyer-phone", "buyer-laptop", "seller-desk"):
        assert [f["message"]["messageId"] for f in fake.of(device, "message")] == [
            first["messageId"]
        ]
    assert [f["messageId"] for f in fake.of("buyer-phone", "delivered")] == [first["messageId"]]
    # The seller answers over the socket: its answer is the route's response.
    answer = frame(
        "seller-desk",
        "sendMessage",
        {
            "action": "sendMessage",
            "conversationId": cid,
            "text": "Tem sim!",
            "clientMessageId": "c1",
        },
        SELLER_CALLER,
    )
    assert answer["type"] == "sent" and answer["clientMessageId"] == "c1"
    reply = answer["message"]
    assert reply["side"] == "SELLER" and reply["text"] == "Tem sim!"
    assert not [f for f in fake.of("seller-desk", "message") if f["message"]["side"] == "SELLER"]
    for device in ("buyer-phone", "buyer-laptop"):
        assert fake.of(device, "message")[-1]["message"]["messageId"] == reply["messageId"]
    assert fake.of("seller-desk", "delivered")[-1]["messageId"] == reply["messageId"]
    # Typing reaches the other side only.
    frame("buyer-phone", "typing", {"action": "typing", "conversationId": cid})
    assert fake.of("seller-desk", "typing") == [
        {"type": "typing", "conversationId": cid, "side": "BUYER"}
    ]
    assert not fake.of("buyer-laptop", "typing")
    # Unread counts, then a read receipt.
    status, _, seen = api("GET", f"/conversations/{cid}")
    assert status == 200 and seen["unread"] == 1 and seen["counterpartOnline"] is True
    status, _, for_seller = api("GET", f"/conversations/{cid}", who=SELLER_CALLER)
    assert for_seller["unread"] == 1 and for_seller["side"] == "SELLER"
    read = frame(
        "buyer-phone",
        "markRead",
        {"action": "markRead", "conversationId": cid, "messageId": reply["messageId"]},
    )
    assert read["type"] == "read" and read["upTo"] == reply["messageId"]
    receipt = fake.of("seller-desk", "read")[-1]
    assert receipt["side"] == "BUYER" and receipt["upTo"] == reply["messageId"]
    status, _, seen = api("GET", f"/conversations/{cid}")
    assert seen["unread"] == 0 and seen["readUpTo"]["BUYER"] == reply["messageId"]
    # Reading back never moves the mark back.
    api("POST", f"/conversations/{cid}/read", {"messageId": first["messageId"]})
    status, _, seen = api("GET", f"/conversations/{cid}")
    assert seen["readUpTo"]["BUYER"] == reply["messageId"]
    # History, newest first, in pages.
    status, _, page = api("GET", f"/conversations/{cid}/messages?limit=1")
    assert status == 200 and [m["messageId"] for m in page["items"]] == [reply["messageId"]]
    status, _, rest = api("GET", f"/conversations/{cid}/messages?limit=1&cursor={page['cursor']}")
    assert [m["messageId"] for m in rest["items"]] == [first["messageId"]]
    assert rest["items"][0]["deliveredAt"]
    # Both sides list it.
    status, _, mine = api("GET", "/me/conversations")
    assert [c["conversationId"] for c in mine["items"]] == [cid]
    status, _, shop = api("GET", "/me/conversations?role=seller", who=SELLER_CALLER)
    assert [c["conversationId"] for c in shop["items"]] == [cid] and shop["items"][0]["unread"] == 1
    status, _, refused = api("GET", "/me/conversations?role=seller")
    assert status == 403 and refused["code"] == "NOT_A_SELLER"
    # Each message is an event; notifications tell the other side only when none heard it.
    sent = [e.payload for e in market.of("ChatMessageSent")]
    assert [(e.messageId, e.senderSide, e.recipientOnline) for e in sent] == [
        (first["messageId"], "BUYER", True),
        (reply["messageId"], "SELLER", True),
    ]
    frame("seller-desk", "$disconnect", who=SELLER_CALLER)
    api("POST", f"/conversations/{cid}/messages", {"text": "Obrigada, me avisa +55 11 98765-4321"})
    unseen = market.of("ChatMessageSent")[-1].payload
    assert unseen.recipientOnline is False and unseen.sellerId == SELLER
    assert "98765" not in unseen.preview


def test_the_same_subject_reopens_one_conversation_and_orders_must_be_the_buyers(market):
    status, _, first = start()
    status, _, again = start(text="Outra pergunta")
    assert status == 201
    assert again["conversation"]["conversationId"] == first["conversation"]["conversationId"]
    assert again["conversation"]["messages"] == 2
    order = delivered_order(market)
    status, _, about_order = start(orderId=order["orderId"])
    assert status == 201 and about_order["conversation"]["subject"]["kind"] == "ORDER"
    status, _, refused = start(who=BIA, orderId=order["orderId"])
    assert status == 422 and refused["code"] == "SUBJECT_NOT_FOUND"
    status, _, refused = start(productId="0" * 32)
    assert status == 422 and refused["code"] == "SUBJECT_NOT_FOUND"
    status, _, refused = start(who=SELLER_CALLER)
    assert status == 422 and refused["code"] == "CANNOT_CHAT_WITH_SELF"
    status, _, refused = api("POST", "/conversations", {"sellerId": SELLER, "text": "x"})
    assert status == 422 and refused["code"] == "VALIDATION_FAILED"  # no subject


def test_a_buyer_asks_about_a_listing_sold_in_variants(market):
    product, _ = published_shoes()
    status, _, opened = start(productId=product.product_id, text="Tem o 41?")
    assert status == 201
    assert opened["conversation"]["title"] == "Tênis corrida"
    # a seller that does not sell it cannot be asked about it
    status, _, refused = start(productId=product.product_id, sellerId="f" * 32)
    assert status == 422 and refused["code"] == "SUBJECT_NOT_FOUND"


def test_contact_data_is_masked_before_anyone_sees_it(market):
    status, _, started = start(text="Me chama no (11) 98765-4321 ou joao@gmail.com")
    message = started["message"]
    assert message["text"] == "Me chama no [hidden] ou [hidden]"
    assert set(message["masked"]) == {"phone", "email"}
    stored = Message.get(*Message.key(message["conversationId"], message["messageId"]))
    assert "98765" not in stored.text


def test_outsiders_can_neither_read_nor_write(market):
    status, _, started = start()
    cid = started["conversation"]["conversationId"]
    for who in (BIA, OTHER_SELLER):
        status, _, refused = api("GET", f"/conversations/{cid}", who=who)
        assert status == 404 and refused["code"] == "CONVERSATION_NOT_FOUND"
        status, _, refused = api("GET", f"/conversations/{cid}/messages", who=who)
        assert status == 404
        status, _, refused = api("POST", f"/conversations/{cid}/messages", {"text": "oi"}, who)
        assert status == 404
        answer = frame(
            "x", "sendMessage", {"action": "sendMessage", "conversationId": cid, "text": "oi"}, who
        )
        assert answer["type"] == "error" and answer["code"] == "CONVERSATION_NOT_FOUND"
    status, _, refused = api("GET", f"/conversations/{cid}", who=None)
    assert status == 401
    assert frame("anon", "$connect", who={}) == {"statusCode": 401}
    assert Conversation.get(*Conversation.key(cid)).messages == 1


def test_bad_frames_get_problem_codes(market):
    status, _, started = start()
    cid = started["conversation"]["conversationId"]
    assert frame("c", "sendMessage", "{not json")["code"] == "MALFORMED_JSON"
    bad = frame(
        "c",
        "sendMessage",
        {"action": "sendMessage", "conversationId": "nope", "clientMessageId": "k"},
    )
    assert bad["code"] == "VALIDATION_FAILED" and bad["clientMessageId"] == "k"
    assert frame("c", "$default", {"action": "dance"})["code"] == "UNKNOWN_ACTION"
    empty = frame(
        "c", "sendMessage", {"action": "sendMessage", "conversationId": cid, "text": "  "}
    )
    assert empty["code"] == "EMPTY_MESSAGE" and empty["status"] == 422


def test_a_retry_with_the_client_message_id_sends_once(market):
    status, _, started = start()
    cid = started["conversation"]["conversationId"]
    body = {"text": "Pode enviar hoje?", "clientMessageId": "retry-1"}
    status, _, first = api("POST", f"/conversations/{cid}/messages", body)
    status2, _, second = api("POST", f"/conversations/{cid}/messages", body)
    assert (status, status2) == (201, 200) and first["messageId"] == second["messageId"]
    assert Conversation.get(*Conversation.key(cid)).messages == 2


def test_a_retry_racing_its_first_attempt_sends_once(market, monkeypatch):
    status, _, started = start()
    cid = started["conversation"]["conversationId"]
    body = {"text": "Pode enviar hoje?", "clientMessageId": "race-1"}
    status, _, first = api("POST", f"/conversations/{cid}/messages", body)
    # The retry read no claim (the first attempt had not committed yet), then writes.
    real = chat._claimed
    monkeypatch.setattr(chat, "_claimed", lambda claim: monkeypatch.setattr(chat, "_claimed", real))
    status2, _, second = api("POST", f"/conversations/{cid}/messages", body)
    assert (status, status2) == (201, 200) and first["messageId"] == second["messageId"]
    assert Conversation.get(*Conversation.key(cid)).messages == 2


def test_a_blocked_seller_cannot_write_until_unblocked(market):
    status, _, started = start()
    cid = started["conversation"]["conversationId"]
    assert api("PUT", f"/me/blocked-sellers/{SELLER}")[0] == 204
    assert api("PUT", f"/me/blocked-sellers/{SELLER}")[0] == 204  # idempotent
    status, _, listed = api("GET", "/me/blocked-sellers")
    assert [b["sellerId"] for b in listed["items"]] == [SELLER]
    status, _, refused = api(
        "POST", f"/conversations/{cid}/messages", {"text": "Oferta!"}, SELLER_CALLER
    )
    assert status == 403 and refused["code"] == "BLOCKED"
    assert api("POST", f"/conversations/{cid}/messages", {"text": "ainda posso"})[0] == 201
    assert api("DELETE", f"/me/blocked-sellers/{SELLER}")[0] == 204
    status, _, _ = api("POST", f"/conversations/{cid}/messages", {"text": "Oi"}, SELLER_CALLER)
    assert status == 201
    assert Conversation.get(*Conversation.key(cid)).messages == 3


def test_a_sender_is_held_to_the_rate_limit_per_minute(market, monkeypatch):
    monkeypatch.setattr(
        settings, "SETTINGS", settings.SETTINGS.model_copy(update={"chat_messages_per_minute": 3})
    )
    moment = clock.now().replace(second=5, microsecond=0)
    clock.freeze(moment)
    try:
        status, _, started = start()
        cid = started["conversation"]["conversationId"]
        for _ in range(2):
            assert api("POST", f"/conversations/{cid}/messages", {"text": "mais"})[0] == 201
        status, headers, refused = api("POST", f"/conversations/{cid}/messages", {"text": "e mais"})
        assert status == 429 and refused["code"] == "RATE_LIMITED"
        assert headers.get("retry-after") == "60"
        assert Conversation.get(*Conversation.key(cid)).messages == 3
        clock.freeze(moment + timedelta(minutes=1))
        assert api("POST", f"/conversations/{cid}/messages", {"text": "de novo"})[0] == 201
    finally:
        clock.unfreeze()


def test_gone_connections_are_forgotten(market):
    fake = market.connections
    frame("seller-old", "$connect", who=SELLER_CALLER)
    frame("seller-new", "$connect", who=SELLER_CALLER)
    fake.gone.add("seller-old")
    start()
    assert fake.of("seller-new", "message") and not fake.sent["seller-old"]
    assert not list(Connection.query("CONN#seller-old"))
    assert not list(Connection.query(f"SELLER#{SELLER}", Connection.sk == "CONN#seller-old"))
    frame("seller-new", "$disconnect", who=SELLER_CALLER)
    assert not list(Connection.query(f"SELLER#{SELLER}"))


def test_presence_reaches_recent_counterparts(market):
    fake = market.connections
    start()
    frame("seller-desk", "$connect", who=SELLER_CALLER)
    frame("buyer-phone", "$connect", who=ANA)
    online = fake.of("seller-desk", "presence")
    assert online[-1]["accountId"] == ANA["principalId"] and online[-1]["online"] is True
    frame("buyer-laptop", "$connect", who=ANA)  # not the first device: nothing new
    assert len(fake.of("seller-desk", "presence")) == 1
    frame("buyer-phone", "$disconnect", who=ANA)
    assert len(fake.of("seller-desk", "presence")) == 1  # the laptop is still there
    frame("buyer-laptop", "$disconnect", who=ANA)
    assert fake.of("seller-desk", "presence")[-1]["online"] is False


def test_concurrent_writers_are_retried_not_lost(market):
    status, _, started = start()
    cid = started["conversation"]["conversationId"]
    caller = principal_of(ANA)
    stale = Conversation.get(*Conversation.key(cid))
    api("POST", f"/conversations/{cid}/messages", {"text": "outra"}, SELLER_CALLER)
    message = Message(
        *Message.key(cid, "msg_01JDQ6R8V9W3X4Y5Z6A7B8C9D0"),
        message_id="msg_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
        conversation_id=cid,
        sender_id=caller.id,
        side="BUYER",
        text="stale",
        created_at=clock.iso(),
    )
    with pytest.raises(chat._Retry):
        chat._write(stale, chat.Party("BUYER"), message, clock.now())
    assert Conversation.get(*Conversation.key(cid)).messages == 2


def recount_responsiveness(seller_id: str, window_hours: int) -> tuple[int, int]:
    """(questions, answered in time) recounted from the messages themselves."""
    asked = answered = 0
    for conversation in Conversation.by_seller.query(f"SELLER#{seller_id}"):
        waiting = None
        for message in Message.query(
            f"CONV#{conversation.conversation_id}", Message.sk.startswith("MSG#")
        ):
            at = clock.parse(message.created_at)
            if message.side == "BUYER" and waiting is None:
                waiting, asked = at, asked + 1
            elif message.side == "SELLER" and waiting is not None:
                answered += (at - waiting) <= timedelta(hours=window_hours)
                waiting = None
    return asked, answered


def test_the_sellers_responsiveness_equals_a_recount(market):
    base = clock.now().replace(microsecond=0) - timedelta(days=2)
    order = delivered_order(market)

    def at(offset: timedelta):
        clock.freeze(base + offset)

    try:
        at(timedelta(0))
        fast = start()[2]["conversation"]["conversationId"]
        at(timedelta(minutes=1))
        api("POST", f"/conversations/{fast}/messages", {"text": "mais uma"})  # same question
        at(timedelta(minutes=10))
        api("POST", f"/conversations/{fast}/messages", {"text": "Sim"}, SELLER_CALLER)
        at(timedelta(minutes=20))
        slow = start(orderId=order["orderId"])[2]["conversation"]["conversationId"]
        at(timedelta(hours=13, minutes=20))
        api("POST", f"/conversations/{slow}/messages", {"text": "Desculpe"}, SELLER_CALLER)
        at(timedelta(hours=14))
        api("POST", f"/conversations/{fast}/messages", {"text": "e a cor?"})  # a new question
    finally:
        clock.unfreeze()
    status, _, figures = api("GET", f"/sellers/{SELLER}/responsiveness", who=None)
    assert status == 200
    assert (figures["asked"], figures["answered"]) == recount_responsiveness(SELLER, 12) == (3, 1)
    assert figures["responseRate"] == 0.333
    assert figures["medianResponseSeconds"] == 900  # 10 minutes and 13 hours: the lower bucket


def test_attachments_are_the_senders_own_uploads(market):
    import boto3

    status, _, started = start()
    cid = started["conversation"]["conversationId"]
    status, _, form = api(
        "POST", "/chat/attachments", {"contentType": "application/pdf", "size": 2000}
    )
    assert status == 201 and form["key"].startswith(f"uploads/{ANA['principalId']}/")
    boto3.client("s3").put_object(
        Bucket="titan-test-chat-attachments",
        Key=form["key"],
        Body=b"%PDF-1.4",
        ContentType="application/pdf",
    )
    status, _, sent = api("POST", f"/conversations/{cid}/messages", {"attachments": [form["key"]]})
    assert status == 201 and sent["attachments"][0]["key"] == form["key"] and sent["text"] == ""
    assert sent["attachments"][0]["url"].startswith("http")
    status, _, refused = api(
        "POST", f"/conversations/{cid}/messages", {"attachments": [form["key"]]}, SELLER_CALLER
    )
    assert status == 422 and refused["code"] == "ATTACHMENT_NOT_FOUND"
    status, _, refused = api("POST", "/chat/attachments", {"contentType": "text/html", "size": 10})
    assert status == 422


def test_two_first_messages_at_once_open_one_conversation(market, monkeypatch):
    from chat.store import Pair

    status, _, started = start()
    cid = started["conversation"]["conversationId"]
    # The second opener read no pair (the first had not written it yet), then writes its own.
    real_get = Pair.get

    def not_yet(*args, **kwargs):
        monkeypatch.setattr(Pair, "get", real_get)
        raise Pair.DoesNotExist()

    monkeypatch.setattr(Pair, "get", not_yet)
    status, _, second = start(text="Também quero saber")
    assert status == 201 and second["conversation"]["conversationId"] == cid
    assert [
        c.conversation_id for c in Conversation.by_buyer.query(f"BUYER#{ANA['principalId']}")
    ] == [cid]
