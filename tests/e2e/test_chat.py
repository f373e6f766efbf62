"""Chat end to end with a real WebSocket client through the local cloud's WebSocket API: a
buyer on two devices and a seller chat with delivered and read receipts and typing; contact
data is masked; a dropped connection is cleaned up; a forged token and an outsider are
refused; the history and the seller's responsiveness over REST."""

from __future__ import annotations

import asyncio

import pytest
import requests
from websockets.exceptions import InvalidStatus

from chat_client import ChatSocket
from localcloud import seed
from shopper import Shopper, new_customer, new_offer, new_seller
from tests.e2e import polling


@pytest.fixture(scope="module")
def cast(cloud, api_url):
    staff = Shopper(api_url, token=seed.admin_token(api_url, cloud))
    offer = new_offer(api_url, staff.token)
    return {
        "offer": offer,
        "buyer": new_customer(api_url),
        "seller": new_seller(api_url, staff.token, offer["sellerId"]),
        "outsider": new_customer(api_url),
    }


def connections_of(aws, cloud, owner: str) -> int:
    found = aws("dynamodb").query(
        TableName=cloud["ChatTableName"],
        KeyConditionExpression="pk = :owner",
        ExpressionAttributeValues={":owner": {"S": owner}},
        ConsistentRead=True,
    )
    return found["Count"]


def test_a_buyer_and_a_seller_chat_over_the_websocket_api(cloud, api_url, aws, cast):
    url = cloud["WebSocketUrl"]
    buyer, seller, offer = cast["buyer"], cast["seller"], cast["offer"]

    async def scene():
        phone = await ChatSocket.open(url, buyer.token)
        laptop = await ChatSocket.open(url, buyer.token, in_query=True)  # a browser
        desk = await ChatSocket.open(url, seller.token)
        # The buyer writes over REST; all three devices hear it.
        started = buyer.call(
            "POST",
            "/conversations",
            {
                "sellerId": offer["sellerId"],
                "productId": offer["productId"],
                "text": "Chega até sexta? Meu zap é (11) 98765-4321",
            },
        ).json()
        cid = started["conversation"]["conversationId"]
        first = started["message"]
        assert first["text"] == "Chega até sexta? Meu zap é [hidden]"
        for device in (phone, laptop, desk):
            heard = await device.expect("message")
            assert heard["message"]["messageId"] == first["messageId"]
        await phone.expect("delivered", messageId=first["messageId"])
        # The seller types, then answers over the socket and gets the route's response.
        await desk.send("typing", conversationId=cid)
        assert (await phone.expect("typing"))["side"] == "SELLER"
        await desk.send("sendMessage", conversationId=cid, text="Chega sim!", clientMessageId="a1")
        sent = await desk.expect("sent", clientMessageId="a1")
        reply = sent["message"]
        for device in (phone, laptop):
            assert (await device.expect("message"))["message"]["messageId"] == reply["messageId"]
        await desk.expect("delivered", messageId=reply["messageId"])
        # Read on the phone: the seller and the laptop hear the receipt.
        await phone.send("markRead", conversationId=cid, messageId=reply["messageId"])
        await phone.expect("read", upTo=reply["messageId"], conversationId=cid)
        receipt = await desk.expect("read", side="BUYER")
        assert receipt["upTo"] == reply["messageId"]
        await laptop.expect("read", side="BUYER")
        # An outsider's socket is refused the conversation.
        stranger = await ChatSocket.open(url, cast["outsider"].token)
        await stranger.send("sendMessage", conversationId=cid, text="oi", clientMessageId="x")
        refused = await stranger.expect("error", clientMessageId="x")
        assert refused["code"] == "CONVERSATION_NOT_FOUND" and refused["status"] == 404
        await stranger.close()
        # The laptop's network goes; its connection is cleaned up, the phone still hears.
        owner = f"ACCOUNT#{buyer.account_id}"
        assert connections_of(aws, cloud, owner) == 2
        laptop.drop()
        await asyncio.to_thread(  # the loop runs on: the aborted socket closes
            polling.until,
            lambda: connections_of(aws, cloud, owner),
            lambda n: n == 1,
            "cleanup",
            30,
        )
        await desk.send(
            "sendMessage", conversationId=cid, text="Enviado hoje", clientMessageId="a2"
        )
        later = (await desk.expect("sent", clientMessageId="a2"))["message"]
        assert (await phone.expect("message"))["message"]["messageId"] == later["messageId"]
        for device in (phone, desk):
            await device.close()
        return cid, first, reply, later

    cid, first, reply, later = asyncio.run(scene())
    history = buyer.call("GET", f"/conversations/{cid}/messages").json()["items"]
    assert [m["messageId"] for m in history] == [
        later["messageId"],
        reply["messageId"],
        first["messageId"],
    ]
    assert all(m["deliveredAt"] for m in history)
    # The seller never marked the buyer's question read; the buyer read up to the reply.
    assert seller.call("GET", f"/conversations/{cid}").json()["unread"] == 1
    seen = buyer.call("GET", f"/conversations/{cid}").json()
    assert seen["unread"] == 1 and seen["readUpTo"]["BUYER"] == reply["messageId"]
    outsider = cast["outsider"].call("GET", f"/conversations/{cid}", expect=None)
    assert outsider.status_code == 404
    figures = requests.get(f"{api_url}/sellers/{offer['sellerId']}/responsiveness", timeout=30)
    assert figures.json()["asked"] == 1 and figures.json()["answered"] == 1


def test_a_forged_or_missing_token_is_refused_at_connect(cloud, cast):
    url = cloud["WebSocketUrl"]
    token = cast["buyer"].token
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")

    async def status(token: str | None, in_query: bool = False) -> int:
        try:
            socket = await ChatSocket.open(url, token or "", in_query=in_query)
        except InvalidStatus as refused:
            return refused.response.status_code
        await socket.close()
        return 101

    assert asyncio.run(status(forged)) == 401
    assert asyncio.run(status(forged, in_query=True)) == 401
    assert asyncio.run(status(None)) == 401
    assert asyncio.run(status(token, in_query=True)) == 101
