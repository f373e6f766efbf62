"""Chat use cases: conversations between a buyer and a seller, messages with receipts,
typing and presence pushed over the WebSocket API, blocks, rate limits, and the seller's
responsiveness.

Every change of a conversation is one conditional transaction on its ``messages`` count
(optimistic concurrency, retried), so unread counts and the response-time figures stay exact
when both sides write at once. Pushes happen after the write; a client that missed one reads
the history over REST.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import TransactWriteError, UpdateError

from chat import domain, settings, sockets
from chat.domain import BUYER, PRODUCT, SELLER, Party
from chat.store import (
    CONNECTION_TTL_SECONDS,
    Block,
    ClientMessage,
    Connection,
    Conversation,
    Message,
    Pair,
    RateCounter,
    ResponseDay,
)
from titan import clock
from titan.auth import Principal
from titan.aws import signing_s3
from titan.calls import invoke
from titan.dynamo import condition_failed, failed_conditions, get_or_404, transaction
from titan.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Problem,
    TooManyRequests,
    Unprocessable,
)
from titan.events import DomainEvent, publish
from titan.ids import new_id
from titan.paging import page_cursor, page_start
from titan.uploads import IMAGE_TYPES, check_uploads, upload_form

#: What may be attached to a message, and its largest size.
ATTACHMENT_TYPES = IMAGE_TYPES | {"application/pdf": "pdf"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
LINK_SECONDS = 3600
#: Days the response rate and median response time look back.
RESPONSE_WINDOW_DAYS = 30
#: Conversations whose other side hears that someone came online or went away.
PRESENCE_FANOUT = 20
WRITE_ATTEMPTS = 5


@dataclass
class Sent:
    """A message written (``created`` False when a retry found it written already), and its
    conversation as read before the write."""

    conversation: Conversation
    message: Message
    created: bool


# ------------------------------------------------------------------ views


def _link(key: str) -> dict:
    bucket = settings.SETTINGS.needed("chat_attachments_bucket")
    url = signing_s3().generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=LINK_SECONDS
    )
    return {"key": key, "url": url}


def message_view(message: Message) -> dict:
    return {
        "messageId": message.message_id,
        "conversationId": message.conversation_id,
        "senderId": message.sender_id,
        "side": message.side,
        "text": message.text,
        "masked": list(message.masked or []),
        "attachments": [_link(k) for k in message.attachments or []],
        "createdAt": message.created_at,
        "deliveredAt": message.delivered_at,
    }


def conversation_view(conversation: Conversation, party: Party | None = None) -> dict:
    view = {
        "conversationId": conversation.conversation_id,
        "buyerId": conversation.buyer_id,
        "sellerId": conversation.seller_id,
        "subject": {"kind": conversation.subject_kind, "id": conversation.subject_id},
        "title": conversation.title,
        "createdAt": conversation.created_at,
        "lastMessageAt": conversation.last_at,
        "lastMessage": conversation.last_preview,
        "lastSide": conversation.last_side,
        "messages": int(conversation.messages or 0),
        "readUpTo": {BUYER: conversation.buyer_read_to, SELLER: conversation.seller_read_to},
    }
    if party is not None:
        view["side"] = party.side
        view["unread"] = int(_unread(conversation, party.side) or 0)
        view["counterpartOnline"] = bool(sockets.reachable([_owner(conversation, party.other)]))
    return view


def _unread(conversation: Conversation, side: str) -> int:
    return conversation.buyer_unread if side == BUYER else conversation.seller_unread


def _owner(conversation: Conversation, side: str) -> str:
    """Where a side of the conversation is reached: the buyer's account, or the seller's
    people."""
    if side == BUYER:
        return f"ACCOUNT#{conversation.buyer_id}"
    return f"SELLER#{conversation.seller_id}"


# ------------------------------------------------------------------ reading


def opened(caller: Principal, conversation_id: str) -> tuple[Conversation, Party]:
    """The conversation and the caller's side in it. Raises NotFound CONVERSATION_NOT_FOUND,
    also for someone not in it (who may not learn it exists)."""
    conversation = get_or_404(
        Conversation,
        *Conversation.key(conversation_id),
        code="CONVERSATION_NOT_FOUND",
        detail="No such conversation.",
    )
    party = domain.party(caller.id, caller.seller_id, conversation.buyer_id, conversation.seller_id)
    if party is None:
        raise NotFound("No such conversation.", code="CONVERSATION_NOT_FOUND")
    return conversation, party


def conversations(caller: Principal, side: str, cursor: str | None, limit: int) -> dict:
    """The caller's conversations as a buyer or (``side`` SELLER) for their shop, latest
    first: ``{items, cursor}``. Raises Forbidden NOT_A_SELLER."""
    if side == SELLER:
        if not caller.seller_id:
            raise Forbidden("Your account does not act for a seller.", code="NOT_A_SELLER")
        query, partition = Conversation.by_seller.query, f"SELLER#{caller.seller_id}"
        names = ("pk", "sk", "gsi2pk", "gsi2sk")
        fixed = {"gsi2pk": partition}
    else:
        query, partition = Conversation.by_buyer.query, f"BUYER#{caller.id}"
        names = ("pk", "sk", "gsi1pk", "gsi1sk")
        fixed = {"gsi1pk": partition}
    results = query(
        partition,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=page_start(cursor, names, fixed),
    )
    party = Party(side)
    items = [conversation_view(c, party) for c in results]
    return {"items": items, "cursor": page_cursor(results.last_evaluated_key)}


def history(caller: Principal, conversation_id: str, cursor: str | None, limit: int) -> dict:
    """The conversation's messages, newest first: ``{items, cursor}``."""
    opened(caller, conversation_id)
    partition = Conversation.key(conversation_id)[0]
    results = Message.query(
        partition,
        Message.sk.startswith("MSG#"),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=page_start(cursor, ("pk", "sk"), {"pk": partition}, {"sk": "MSG#"}),
    )
    items = [message_view(m) for m in results]
    return {"items": items, "cursor": page_cursor(results.last_evaluated_key)}


# ------------------------------------------------------------------ starting


def _subject_title(caller: Principal, seller_id: str, kind: str, subject_id: str) -> str:
    """What the conversation is about, checked: an offer the seller has, or an order of the
    caller's with a package of the seller's. Raises Unprocessable SUBJECT_NOT_FOUND."""
    missing = Unprocessable(
        "The seller has no such product, or the order is not yours with this seller.",
        code="SUBJECT_NOT_FOUND",
    )
    if kind == PRODUCT:
        try:
            sold = invoke(
                "CATALOG_STEPS_FUNCTION",
                "sellerProduct",
                {"productId": subject_id, "sellerId": seller_id},
            )
        except Problem as exc:  # the catalog's 404 PRODUCT_NOT_FOUND
            raise (missing if exc.status == 404 else exc) from exc
        return sold["title"]
    try:
        order = invoke("ORDERS_STEPS_FUNCTION", "get", {"orderId": subject_id})
    except Problem as exc:  # the orders context's 404 (a step's refusal comes back as a Problem)
        raise (missing if exc.status == 404 else exc) from exc
    if order.get("customerId") != caller.id or seller_id not in (order.get("sellerIds") or []):
        raise missing
    return f"Order {subject_id}"


def start(
    caller: Principal,
    seller_id: str,
    kind: str,
    subject_id: str,
    text: str,
    attachments: list[str],
    client_message_id: str | None,
) -> Sent:
    """A buyer opens (or reopens) the one conversation with ``seller_id`` about a product or
    an order, with a first message. Raises Unprocessable SUBJECT_NOT_FOUND,
    CANNOT_CHAT_WITH_SELF; the refusals of ``send``."""
    if caller.seller_id == seller_id:
        raise Unprocessable("A shop cannot chat with itself.", code="CANNOT_CHAT_WITH_SELF")
    subject = domain.subject_key(kind, subject_id)
    pair_key = Pair.key(caller.id, seller_id, subject)
    try:
        conversation_id = Pair.get(*pair_key, consistent_read=True).conversation_id
    except Pair.DoesNotExist:
        title = _subject_title(caller, seller_id, kind, subject_id)
        conversation_id = _open(caller.id, seller_id, kind, subject_id, title, pair_key)
    sent = send(caller, conversation_id, text, attachments, client_message_id)
    sent.conversation.refresh(consistent_read=True)  # the opener is shown its counters
    return sent


def _open(buyer_id: str, seller_id: str, kind: str, subject_id: str, title: str, pair_key) -> str:
    """Create the conversation and its pair claim in one transaction; a concurrent opener's
    conversation wins. Returns the conversation's id."""
    now = clock.iso()
    conversation_id = new_id("cnv")
    conversation = Conversation(
        *Conversation.key(conversation_id),
        gsi1pk=f"BUYER#{buyer_id}",
        gsi1sk=f"{now}#{conversation_id}",
        gsi2pk=f"SELLER#{seller_id}",
        gsi2sk=f"{now}#{conversation_id}",
        conversation_id=conversation_id,
        buyer_id=buyer_id,
        seller_id=seller_id,
        subject_kind=kind,
        subject_id=subject_id,
        title=title,
        created_at=now,
        last_at=now,
    )
    pair = Pair(*pair_key, conversation_id=conversation_id)
    try:
        with transaction() as tx:
            tx.save(pair, condition=Pair.pk.does_not_exist())
            tx.save(conversation, condition=Conversation.pk.does_not_exist())
    except TransactWriteError as exc:
        if not failed_conditions(exc):
            raise
        return Pair.get(*pair_key, consistent_read=True).conversation_id
    return conversation_id


# ------------------------------------------------------------------ writing


def send(
    caller: Principal,
    conversation_id: str,
    text: str,
    attachments: list[str],
    client_message_id: str | None,
    origin: str | None = None,
) -> Sent:
    """Write a message and push it to both sides' other connections (``origin``, the
    sending connection, hears through its own answer).

    With a ``client_message_id`` a retry returns the message already written. Contact data is
    masked. Raises NotFound CONVERSATION_NOT_FOUND; Unprocessable EMPTY_MESSAGE,
    MESSAGE_TOO_LONG, ATTACHMENT_NOT_FOUND, ATTACHMENT_INVALID; Forbidden BLOCKED (the
    buyer blocked this seller); TooManyRequests RATE_LIMITED."""
    conversation, party = opened(caller, conversation_id)
    try:
        cleaned, masked = domain.cleaned(text)
    except ValueError as exc:
        raise Unprocessable(str(exc), code="MESSAGE_TOO_LONG") from exc
    if not cleaned and not attachments:
        raise Unprocessable("A message needs text or an attachment.", code="EMPTY_MESSAGE")
    if attachments:
        bucket = settings.SETTINGS.needed("chat_attachments_bucket")
        check_uploads(
            bucket, caller.id, attachments, ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, "attachment"
        )
    claim = (
        ClientMessage(*ClientMessage.key(conversation_id, caller.id, client_message_id))
        if client_message_id
        else None
    )
    if claim is not None and (existing := _claimed(claim)) is not None:
        return Sent(conversation, existing, created=False)
    # Message ids are ULIDs: the history's sort key is their time order.
    message_id = new_id("msg")
    for _ in range(WRITE_ATTEMPTS):
        now = clock.now()
        message = Message(
            *Message.key(conversation_id, message_id),
            message_id=message_id,
            conversation_id=conversation_id,
            sender_id=caller.id,
            side=party.side,
            text=cleaned,
            masked=masked,
            attachments=list(attachments),
            created_at=clock.iso(now),
        )
        try:
            _write(conversation, party, message, now, claim)
            break
        except _Retry as retry:
            if "claim" in retry.failed:  # the same client message, sent by a concurrent retry
                return Sent(conversation, _claimed(claim), created=False)
            conversation, party = opened(caller, conversation_id)
    else:
        raise Conflict("The conversation is busy; send again.", code="CONVERSATION_BUSY")
    _deliver(conversation, party, message, origin)
    return Sent(conversation, message, created=True)


def _claimed(claim: ClientMessage) -> Message | None:
    """The message a client message id already names, or None."""
    try:
        found = ClientMessage.get(claim.pk, claim.sk, consistent_read=True)
    except ClientMessage.DoesNotExist:
        return None
    return Message.get(*Message.key(found.conversation_id, found.message_id), consistent_read=True)


class _Retry(Exception):
    """Another write changed the conversation between the read and the write (``failed``: what
    failed its condition: ``message``, ``conversation``)."""

    def __init__(self, failed: set[str]):
        super().__init__(failed)
        self.failed = failed


def _write(
    conversation: Conversation,
    party: Party,
    message: Message,
    now,
    claim: ClientMessage | None = None,
) -> None:
    """The message (and the claim of its client message id), the conversation's counters,
    the sender's rate counter and the responsiveness figures, in one transaction conditioned
    on the conversation as read."""
    stamp = clock.iso(now)
    window = domain.minute_window(now)
    rate = RateCounter(*RateCounter.key(message.sender_id, window))
    limit = settings.SETTINGS.chat_messages_per_minute
    unread = Conversation.seller_unread if party.side == BUYER else Conversation.buyer_unread
    actions = [
        Conversation.messages.add(1),
        unread.add(1),
        Conversation.last_at.set(stamp),
        Conversation.last_preview.set(domain.preview(message.text or "📎")),
        Conversation.last_side.set(party.side),
        Conversation.gsi1sk.set(f"{stamp}#{conversation.conversation_id}"),
        Conversation.gsi2sk.set(f"{stamp}#{conversation.conversation_id}"),
    ]
    day_update = None
    if party.side == BUYER and conversation.awaiting_since is None:
        actions.append(Conversation.awaiting_since.set(stamp))
        day_update = (clock.iso(now)[:10], [ResponseDay.asked.add(1)])
    elif party.side == SELLER and conversation.awaiting_since is not None:
        actions.append(Conversation.awaiting_since.remove())
        asked = clock.parse(conversation.awaiting_since)
        waited = (now - asked).total_seconds()
        bucket = getattr(ResponseDay, f"b{domain.response_bucket(waited)}")
        day_actions = [bucket.add(1)]
        if waited <= settings.SETTINGS.chat_response_hours * 3600:
            day_actions.append(ResponseDay.answered.add(1))
        day_update = (conversation.awaiting_since[:10], day_actions)
    try:
        with transaction() as tx:
            tx.update(
                conversation,
                actions=actions,
                condition=Conversation.messages == int(conversation.messages or 0),
            )
            tx.save(message, condition=Message.pk.does_not_exist())
            if claim is not None:
                claim.conversation_id = message.conversation_id
                claim.message_id = message.message_id
                tx.save(claim, condition=ClientMessage.pk.does_not_exist())
            tx.update(
                rate,
                actions=[
                    RateCounter.count.add(1),
                    RateCounter.expires.set(clock.epoch_seconds() + 120),
                ],
                condition=RateCounter.count.does_not_exist() | (RateCounter.count < limit),
            )
            if party.side == SELLER:
                block = Block(*Block.key(conversation.buyer_id, conversation.seller_id))
                tx.condition_check(Block, block.pk, block.sk, condition=Block.pk.does_not_exist())
            if day_update:
                day, day_actions = day_update
                tx.update(ResponseDay(*ResponseDay.key(conversation.seller_id, day)), day_actions)
    except TransactWriteError as exc:
        # pynamodb sends condition checks first, then puts, then updates.
        order = ["block"] if party.side == SELLER else []
        order += ["message"] + (["claim"] if claim is not None else []) + ["conversation", "rate"]
        failed = {order[i] for i in failed_conditions(exc) if i < len(order)}
        if not failed:
            raise
        if "rate" in failed:
            raise TooManyRequests(
                f"At most {limit} messages a minute; wait a moment.",
                code="RATE_LIMITED",
                headers={"Retry-After": "60"},
            ) from exc
        if "block" in failed:
            raise Forbidden("This buyer does not take your messages.", code="BLOCKED") from exc
        raise _Retry(failed) from exc


def _deliver(conversation: Conversation, party: Party, message: Message, origin: str | None):
    """Push the message to both sides' connections but ``origin``; when one of the other
    side's took it, the message is delivered and the sender's side hears so."""
    receivers = sockets.reachable([_owner(conversation, party.other)])
    senders = sockets.reachable([_owner(conversation, party.side)])
    senders.pop(origin or "", None)
    view = message_view(message)
    payload = {"type": "message", "message": view}
    reached = sockets.push(list(receivers), payload)
    sockets.push(list(senders), payload)
    publish([_sent_event(conversation, party, message, recipient_online=bool(reached))])
    if reached:
        stamp = clock.iso()
        message.update(actions=[Message.delivered_at.set(stamp)])
        sockets.push(
            list(senders) + ([origin] if origin else []),
            {
                "type": "delivered",
                "conversationId": conversation.conversation_id,
                "messageId": message.message_id,
                "deliveredAt": stamp,
            },
        )


def _sent_event(
    conversation: Conversation, party: Party, message: Message, recipient_online: bool
) -> DomainEvent:
    """ChatMessageSent: notifications tell the other side when none of its devices heard."""
    return DomainEvent.of(
        "ChatMessageSent",
        {
            "conversationId": conversation.conversation_id,
            "messageId": message.message_id,
            "buyerId": conversation.buyer_id,
            "sellerId": conversation.seller_id,
            "senderId": message.sender_id,
            "senderSide": party.side,
            "title": conversation.title,
            "preview": domain.preview(message.text or "📎"),
            "recipientOnline": recipient_online,
        },
    )


def mark_read(
    caller: Principal, conversation_id: str, message_id: str
) -> tuple[Conversation, Party]:
    """The caller's side has read up to ``message_id`` (never back): its unread count becomes
    the other side's messages after it, and the other side hears a read receipt. Returns the
    conversation as updated and the caller's side. Raises
    NotFound CONVERSATION_NOT_FOUND, MESSAGE_NOT_FOUND."""
    for _ in range(WRITE_ATTEMPTS):
        conversation, party = opened(caller, conversation_id)
        get_or_404(
            Message,
            *Message.key(conversation_id, message_id),
            code="MESSAGE_NOT_FOUND",
            detail="No such message in this conversation.",
        )
        read_to = conversation.buyer_read_to if party.side == BUYER else conversation.seller_read_to
        if read_to and read_to >= message_id:
            return conversation, party
        later = Message.query(
            Conversation.key(conversation_id)[0],
            Message.sk > f"MSG#{message_id}",
            filter_condition=Message.side == party.other,
            consistent_read=True,
        )
        unread_after = sum(1 for _ in later)
        mark = Conversation.buyer_read_to if party.side == BUYER else Conversation.seller_read_to
        count = Conversation.buyer_unread if party.side == BUYER else Conversation.seller_unread
        try:
            conversation.update(
                actions=[mark.set(message_id), count.set(unread_after)],
                condition=Conversation.messages == int(conversation.messages or 0),
            )
        except UpdateError as exc:
            if condition_failed(exc):
                continue
            raise
        receipt = {
            "type": "read",
            "conversationId": conversation_id,
            "side": party.side,
            "upTo": message_id,
            "readAt": clock.iso(),
        }
        everyone = sockets.reachable([_owner(conversation, BUYER), _owner(conversation, SELLER)])
        sockets.push(list(everyone), receipt)
        return conversation, party
    raise Conflict("The conversation is busy; try again.", code="CONVERSATION_BUSY")


def typing(caller: Principal, conversation_id: str) -> None:
    """Tell the other side the caller is typing (nothing is stored)."""
    conversation, party = opened(caller, conversation_id)
    receivers = sockets.reachable([_owner(conversation, party.other)])
    sockets.push(
        list(receivers),
        {"type": "typing", "conversationId": conversation_id, "side": party.side},
    )


# ------------------------------------------------------------------ blocks


def block(caller: Principal, seller_id: str) -> None:
    """The buyer takes no more messages from ``seller_id`` (idempotent)."""
    Block(*Block.key(caller.id, seller_id), created_at=clock.iso()).save()


def unblock(caller: Principal, seller_id: str) -> None:
    Block(*Block.key(caller.id, seller_id)).delete()


def blocked(caller: Principal) -> list[dict]:
    return [
        {"sellerId": b.sk.removeprefix("SELLER#"), "blockedAt": b.created_at}
        for b in Block.query(f"BLOCK#{caller.id}", Block.sk.startswith("SELLER#"))
    ]


# ------------------------------------------------------------------ responsiveness


def responsiveness(seller_id: str) -> dict:
    """A seller's chat responsiveness over the last ``RESPONSE_WINDOW_DAYS`` days, by the day
    each question was asked: ``{sellerId, windowDays, asked, answered, responseRate (0-1 or
    None), medianResponseSeconds (the bound of its bucket, or None)}``. A question is the
    buyer's first message the seller has not answered yet; answered means within
    ``CHAT_RESPONSE_HOURS``."""
    since = (clock.now() - timedelta(days=RESPONSE_WINDOW_DAYS)).date().isoformat()
    asked = answered = 0
    histogram = [0] * (len(domain.RESPONSE_BUCKETS) + 1)
    for day in ResponseDay.query(f"RESPONSE#{seller_id}", ResponseDay.sk >= f"DAY#{since}"):
        asked += int(day.asked or 0)
        answered += int(day.answered or 0)
        histogram = [a + b for a, b in zip(histogram, day.histogram(), strict=True)]
    return {
        "sellerId": seller_id,
        "windowDays": RESPONSE_WINDOW_DAYS,
        "asked": asked,
        "answered": answered,
        "responseRate": domain.response_rate(asked, answered),
        "medianResponseSeconds": domain.median_bound(histogram),
    }


# ------------------------------------------------------------------ connections


def connected(connection_id: str, caller: Principal) -> None:
    """Remember a new WebSocket connection of ``caller`` (and of their shop); the first
    connection of an account tells its recent counterparts it is online."""
    owners = [f"ACCOUNT#{caller.id}"] + ([f"SELLER#{caller.seller_id}"] if caller.seller_id else [])
    first = not sockets.reachable(owners[:1])
    expires = clock.epoch_seconds() + CONNECTION_TTL_SECONDS
    with Connection.batch_write() as batch:
        batch.save(
            Connection(
                *Connection.key(connection_id),
                connection_id=connection_id,
                account_id=caller.id,
                seller_id=caller.seller_id,
                connected_at=clock.iso(),
                expires=expires,
            )
        )
        for owner in owners:
            batch.save(
                Connection(
                    *Connection.reach_key(owner, connection_id),
                    connection_id=connection_id,
                    account_id=caller.id,
                    seller_id=caller.seller_id,
                    expires=expires,
                )
            )
    if first:
        _presence(caller, online=True)


def disconnected(connection_id: str, caller: Principal | None) -> None:
    """Forget a closed connection; the account's last one tells its counterparts it left."""
    sockets.forget(connection_id)
    if caller is not None and not sockets.reachable([f"ACCOUNT#{caller.id}"]):
        _presence(caller, online=False)


def _presence(caller: Principal, online: bool) -> None:
    recent = list(
        Conversation.by_buyer.query(
            f"BUYER#{caller.id}", scan_index_forward=False, limit=PRESENCE_FANOUT
        )
    )
    counterparts = {f"SELLER#{c.seller_id}" for c in recent}
    payload = {"type": "presence", "accountId": caller.id, "online": online, "at": clock.iso()}
    if caller.seller_id:
        shop = Conversation.by_seller.query(
            f"SELLER#{caller.seller_id}", scan_index_forward=False, limit=PRESENCE_FANOUT
        )
        counterparts |= {f"ACCOUNT#{c.buyer_id}" for c in shop}
        payload["sellerId"] = caller.seller_id
    if counterparts:
        sockets.push(list(sockets.reachable(sorted(counterparts))), payload)


def attachment_upload(caller: Principal, content_type: str, size: int) -> dict:
    """A presigned POST form for one attachment (``{url, fields, key, expiresIn}``)."""
    bucket = settings.SETTINGS.needed("chat_attachments_bucket")
    extension = ATTACHMENT_TYPES[content_type]
    return upload_form(bucket, caller.id, "att", content_type, extension, size)
