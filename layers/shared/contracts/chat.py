"""Events published by the chat context (source ``titan.chat``).

``ChatMessageSent`` says a message was written, never its words beyond a masked preview (the
message itself stays in the conversation, readable only by its two sides).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from contracts.base import Event
from titan.ids import AccountId, ConversationId, MessageId


class ChatMessageSent(Event, source="titan.chat"):
    """A buyer or a seller's person wrote in a conversation."""

    conversationId: ConversationId
    messageId: MessageId
    buyerId: AccountId
    sellerId: str
    senderId: AccountId
    senderSide: Literal["BUYER", "SELLER"]
    title: Annotated[str | None, Field(description="What the conversation is about")] = None
    preview: Annotated[str, Field(description="The message's start, contact data masked")]
    recipientOnline: Annotated[
        bool, Field(description="A device of the other side was connected and got it")
    ]
