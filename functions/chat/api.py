"""Chat API (REST): routes only (shapes in ``schemas``, use cases in ``service``).

The same conversations as the WebSocket API (``chat.socket``), for clients that are not
connected and for history: ``POST /conversations`` (a buyer's first message to a seller about
a product or an order), ``GET /me/conversations``, ``GET /conversations/{id}``, its
``messages`` (paged, newest first; ``POST`` sends one), ``read`` receipts, attachments by
presigned upload, the sellers a buyer blocked, and a seller's public responsiveness.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from chat import service
from chat.schemas import (
    SELLER_ID,
    AttachmentIn,
    AttachmentUpload,
    BlockedSellers,
    ConversationIn,
    ConversationOut,
    ConversationPage,
    MessageIn,
    MessageOut,
    MessagePage,
    ReadIn,
    Responsiveness,
    StartedOut,
)
from titan import ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require

app = create_app()
ConversationIdPath = Annotated[str, Path(pattern=ids.pattern("cnv"))]
SellerIdPath = Annotated[str, Path(pattern=SELLER_ID)]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page")]
Cursor = Annotated[str | None, Query(max_length=400, description="From a previous page")]


@app.post(
    "/conversations",
    tags=["chat"],
    summary="Write to a seller about a product or an order",
    security=bearer(),
    responses=answers(201, StartedOut),
)
def start_conversation(body: ConversationIn) -> Response[StartedOut]:
    """Opens the one conversation of the caller and the seller about that subject (or adds to
    it) with a first message. 422 SUBJECT_NOT_FOUND when the seller has no such product or
    the order is not the caller's with this seller; 403 BLOCKED, 429 RATE_LIMITED."""
    caller = require(app)
    kind, subject = ("PRODUCT", body.productId) if body.productId else ("ORDER", body.orderId)
    sent = service.start(
        caller,
        body.sellerId,
        kind,
        subject,
        body.text,
        body.attachments,
        body.clientMessageId,
    )
    party = service.domain.Party(service.BUYER)
    started = StartedOut(
        conversation=service.conversation_view(sent.conversation, party),
        message=service.message_view(sent.message),
    )
    return Response(201 if sent.created else 200, "application/json", started)


@app.get(
    "/me/conversations",
    tags=["chat"],
    summary="Your conversations, latest first",
    security=bearer(),
)
def my_conversations(
    role: Annotated[
        Literal["buyer", "seller"], Query(description="As a buyer or for your shop")
    ] = "buyer",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> ConversationPage:
    """``role=seller``: the shop's conversations (403 NOT_A_SELLER for other accounts)."""
    caller = require(app)
    page = service.conversations(caller, role.upper(), cursor, limit)
    return ConversationPage(**page)


@app.get(
    "/conversations/<conversationId>",
    tags=["chat"],
    summary="A conversation",
    security=bearer(),
)
def read_conversation(conversationId: ConversationIdPath) -> ConversationOut:
    """Only its buyer and the seller's people (404 CONVERSATION_NOT_FOUND for anyone else),
    with the caller's unread count and whether the other side is online."""
    conversation, party = service.opened(require(app), conversationId)
    return ConversationOut(**service.conversation_view(conversation, party))


@app.get(
    "/conversations/<conversationId>/messages",
    tags=["chat"],
    summary="A conversation's messages, newest first",
    security=bearer(),
)
def read_messages(
    conversationId: ConversationIdPath, limit: Limit = 50, cursor: Cursor = None
) -> MessagePage:
    return MessagePage(**service.history(require(app), conversationId, cursor, limit))


@app.post(
    "/conversations/<conversationId>/messages",
    tags=["chat"],
    summary="Send a message",
    security=bearer(),
    responses=answers(201, MessageOut),
)
def send_message(conversationId: ConversationIdPath, body: MessageIn) -> Response[MessageOut]:
    """Pushed to both sides' connected devices. A retry with the same ``clientMessageId``
    answers 200 with the message already sent. 403 BLOCKED (the buyer blocked this seller),
    422 EMPTY_MESSAGE, 429 RATE_LIMITED."""
    sent = service.send(
        require(app), conversationId, body.text, body.attachments, body.clientMessageId
    )
    message = MessageOut(**service.message_view(sent.message))
    return Response(201 if sent.created else 200, "application/json", message)


@app.post(
    "/conversations/<conversationId>/read",
    tags=["chat"],
    summary="Mark messages read",
    security=bearer(),
)
def mark_read(conversationId: ConversationIdPath, body: ReadIn) -> ConversationOut:
    """Up to ``messageId`` (never back); the other side hears a read receipt."""
    conversation, party = service.mark_read(require(app), conversationId, body.messageId)
    return ConversationOut(**service.conversation_view(conversation, party))


@app.post(
    "/chat/attachments",
    tags=["chat"],
    summary="A form to upload an attachment",
    security=bearer(),
    responses=answers(201, AttachmentUpload),
)
def attachment_upload(body: AttachmentIn) -> Response[AttachmentUpload]:
    """A presigned S3 POST for one image (JPEG, PNG, WebP) or PDF of at most 10 MB; send its
    ``key`` in a message's ``attachments``."""
    form = service.attachment_upload(require(app), body.contentType, body.size)
    return Response(201, "application/json", AttachmentUpload(**form))


@app.get("/me/blocked-sellers", tags=["chat"], summary="Sellers you blocked", security=bearer())
def blocked_sellers() -> BlockedSellers:
    return BlockedSellers(items=service.blocked(require(app)))


@app.put(
    "/me/blocked-sellers/<sellerId>",
    tags=["chat"],
    summary="Block a seller",
    security=bearer(),
    responses=answers(204),
)
def block_seller(sellerId: SellerIdPath) -> Response[None]:
    """The seller's people can no longer write to you (403 BLOCKED); you still can."""
    service.block(require(app), sellerId)
    return Response(204, None, None)


@app.delete(
    "/me/blocked-sellers/<sellerId>",
    tags=["chat"],
    summary="Unblock a seller",
    security=bearer(),
    responses=answers(204),
)
def unblock_seller(sellerId: SellerIdPath) -> Response[None]:
    service.unblock(require(app), sellerId)
    return Response(204, None, None)


@app.get(
    "/sellers/<sellerId>/responsiveness",
    tags=["chat"],
    summary="How quickly a seller answers buyers",
)
def seller_responsiveness(sellerId: SellerIdPath) -> Responsiveness:
    """Over the last 30 days: questions asked, answered within 12 hours, the response rate
    and the median response time (as the bound of its bucket), for the shop page."""
    return Responsiveness(**service.responsiveness(sellerId))


handler = lambda_handler(app)
