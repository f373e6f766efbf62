"""The chat API's request and response shapes (REST), and the frames WebSocket clients send."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from titan import ids
from titan.ids import ConversationId, MessageId, OrderId

SELLER_ID = ids.SOURCE_ID
SellerId = Annotated[str, Field(pattern=SELLER_ID, description="The seller (32 hex digits)")]
Text = Annotated[str, Field(max_length=2000, description="The message; contact data is masked")]
AttachmentKey = Annotated[
    str,
    Field(max_length=200, pattern=r"^uploads/[A-Za-z0-9_]+/[A-Za-z0-9_]+\.(jpg|png|webp|pdf)$"),
]
Attachments = Annotated[
    list[AttachmentKey],
    Field(max_length=5, description="Keys of uploaded files (POST /chat/attachments)"),
]
ClientMessageId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The client's id of the message: a retry with it sends nothing twice",
    ),
]


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text = ""
    attachments: Attachments = []
    clientMessageId: ClientMessageId | None = None


class ConversationIn(MessageIn):
    """A buyer's first message to a seller about a product (``productId``) or an order of
    theirs (``orderId``)."""

    sellerId: SellerId
    productId: Annotated[str, Field(pattern=SELLER_ID)] | None = None
    orderId: OrderId | None = None

    @model_validator(mode="after")
    def one_subject(self) -> ConversationIn:
        if (self.productId is None) == (self.orderId is None):
            raise ValueError("name exactly one of productId or orderId")
        return self


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    messageId: MessageId = Field(description="The last message read (later ones stay unread)")


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contentType: Literal["image/jpeg", "image/png", "image/webp", "application/pdf"]
    size: Annotated[int, Field(ge=1, le=10 * 1024 * 1024, description="Bytes, at most 10 MB")]


class AttachmentUpload(BaseModel):
    url: str
    fields: dict[str, str]
    key: str
    expiresIn: int = Field(description="Seconds")


class AttachmentOut(BaseModel):
    key: str
    url: str = Field(description="A link valid for an hour")


class MessageOut(BaseModel):
    messageId: MessageId
    conversationId: ConversationId
    senderId: str
    side: Literal["BUYER", "SELLER"]
    text: str
    masked: list[str] = Field(description="Kinds of contact data masked: email, link, phone...")
    attachments: list[AttachmentOut]
    createdAt: AwareDatetime
    deliveredAt: AwareDatetime | None = None


class Subject(BaseModel):
    kind: Literal["PRODUCT", "ORDER"]
    id: str


class ConversationOut(BaseModel):
    conversationId: ConversationId
    buyerId: str
    sellerId: str
    subject: Subject
    title: str | None = None
    createdAt: AwareDatetime
    lastMessageAt: AwareDatetime
    lastMessage: str | None = None
    lastSide: Literal["BUYER", "SELLER"] | None = None
    messages: int
    readUpTo: dict[str, str | None] = Field(description="The last message each side read")
    side: Literal["BUYER", "SELLER"] | None = Field(None, description="The caller's side")
    unread: int | None = Field(None, description="Messages the caller's side has not read")
    counterpartOnline: bool | None = None


class StartedOut(BaseModel):
    conversation: ConversationOut
    message: MessageOut


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    cursor: str | None = None


class MessagePage(BaseModel):
    items: list[MessageOut]
    cursor: str | None = None


class BlockedSeller(BaseModel):
    sellerId: str
    blockedAt: AwareDatetime


class BlockedSellers(BaseModel):
    items: list[BlockedSeller]


class Responsiveness(BaseModel):
    sellerId: str
    windowDays: int
    asked: int = Field(description="Buyers' questions in the window")
    answered: int = Field(description="Of them, answered within the response window (12 h)")
    responseRate: float | None = Field(None, description="answered / asked, 0 to 1")
    medianResponseSeconds: int | None = Field(
        None, description="Upper bound of the bucket holding the median response time"
    )


# --- WebSocket frames (``action`` selects the route) -----------------------------------------
class SendFrame(MessageIn):
    action: Literal["sendMessage"]
    conversationId: ConversationId


class ReadFrame(ReadIn):
    action: Literal["markRead"]
    conversationId: ConversationId


class TypingFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["typing"]
    conversationId: ConversationId
