"""Chat figures for ``make bench``, through the local cloud's WebSocket API with a real client.

- message latency, sender → receiver: a buyer sends ``sendMessage`` on its socket, the
  seller's socket receives the message (API Gateway → Lambda → DynamoDB transaction →
  PostToConnection); p50/p95 of 100 messages, and of the sender's own answer (``sent``);
- connections held: 250 sockets of one account opened at once ($connect runs the authorizer
  and the chat function for each), all still open after 30 s, then one message fanned out
  to every one of them; the cloud's resident memory before and with them.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from chat_client import ChatSocket
from figures import percentile
from shopper import new_customer, new_offer, new_seller

MESSAGES = 100
BUYERS = 5  # the rate limit allows 30 messages a minute per account
CONNECTIONS = 250
HOLD_SECONDS = 30


def _timed(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 50):6.1f} ms   p95 {percentile(samples, 95):6.1f} ms"


def resident_mb(pid: int | None) -> float:
    """Resident memory (MB) of the cloud's process and its children (the Lambda workers)."""
    if pid is None:
        return 0.0
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        parent = int(fields.get("PPid", "0").strip() or 0)
        me = int(status.parent.name)
        if me == pid or parent == pid:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


async def latency(url: str, api: str, staff_token: str) -> tuple[list[float], list[float]]:
    offer = new_offer(api, staff_token)
    seller = new_seller(api, staff_token, offer["sellerId"])
    desk = await ChatSocket.open(url, seller.token)
    buyers = []
    for _ in range(BUYERS):
        buyer = new_customer(api)
        started = buyer.call(
            "POST",
            "/conversations",
            {"sellerId": offer["sellerId"], "productId": offer["productId"], "text": "Oi"},
        ).json()
        socket = await ChatSocket.open(url, buyer.token)
        buyers.append((socket, started["conversation"]["conversationId"]))
    await desk.expect("message")  # the REST openings' pushes
    desk.frames.clear()
    delivered, answered = [], []
    for n in range(MESSAGES):
        socket, cid = buyers[n % BUYERS]
        began = time.perf_counter()
        await socket.send(
            "sendMessage", conversationId=cid, text=f"pergunta {n}", clientMessageId=f"b{n}"
        )
        await desk.expect("message", timeout=30)
        delivered.append((time.perf_counter() - began) * 1000)
        await socket.expect("sent", clientMessageId=f"b{n}", timeout=30)
        answered.append((time.perf_counter() - began) * 1000)
        desk.frames.clear()
        socket.frames.clear()
    for socket, _ in buyers:
        await socket.close()
    await desk.close()
    return delivered, answered


async def held(url: str, api: str, staff_token: str, cloud_pid: int | None) -> list[str]:
    offer = new_offer(api, staff_token)
    seller = new_seller(api, staff_token, offer["sellerId"])
    buyer = new_customer(api)
    started = buyer.call(
        "POST",
        "/conversations",
        {"sellerId": offer["sellerId"], "productId": offer["productId"], "text": "Oi"},
    ).json()
    cid = started["conversation"]["conversationId"]
    before = resident_mb(cloud_pid)
    began = time.perf_counter()
    sockets = await asyncio.gather(*(ChatSocket.open(url, buyer.token) for _ in range(CONNECTIONS)))
    opened_s = time.perf_counter() - began
    await asyncio.sleep(HOLD_SECONDS)
    with_them = resident_mb(cloud_pid)
    still_open = sum(1 for s in sockets if s.connection.state.name == "OPEN")
    desk = await ChatSocket.open(url, seller.token)
    began = time.perf_counter()
    await desk.send("sendMessage", conversationId=cid, text="Para todos", clientMessageId="all")
    await desk.expect("sent", clientMessageId="all", timeout=60)
    heard = await asyncio.gather(
        *(s.expect("message", timeout=60) for s in sockets), return_exceptions=True
    )
    fanned_s = time.perf_counter() - began
    reached = sum(1 for h in heard if isinstance(h, dict))
    for socket in [*sockets, desk]:
        await socket.close()
    return [
        f"  {CONNECTIONS} connections opened in {opened_s:5.1f} s; open after {HOLD_SECONDS} s: "
        f"{still_open}",
        f"  one message fanned out to {reached} of them in {fanned_s:5.2f} s",
        f"  cloud resident memory: {before:6.0f} MB before, {with_them:6.0f} MB with them",
    ]


def figures(outputs: dict, staff_token: str, cloud_pid: int | None) -> list[str]:
    url, api = outputs["WebSocketUrl"], outputs["ApiUrl"]
    delivered, answered = asyncio.run(latency(url, api, staff_token))
    lines = [
        f"  message sender → receiver, {len(delivered)} messages  {_timed(delivered)}",
        f"  the sender's answer (sent)              {_timed(answered)}",
    ]
    return lines + asyncio.run(held(url, api, staff_token, cloud_pid))
