"""Chat persistence: one DynamoDB table (``CHAT_TABLE``), pynamodb models.

Items (pk / sk):
- ``CONV#<id>`` / ``CONV``: a conversation. GSI1 ``BUYER#<accountId>`` and GSI2
  ``SELLER#<sellerId>``, both ``<lastAt>#<id>``: each side's conversations, latest first.
- ``CONV#<id>`` / ``MSG#<messageId>``: a message (message ids are ULIDs: time order);
  ``CONV#<id>`` / ``CLIENT#<senderId>#<clientMessageId>``: the message a client's id names.
- ``PAIR#<buyerId>#<sellerId>#<subject>`` / ``PAIR``: the one conversation of a buyer and a
  seller about a subject.
- ``CONN#<connectionId>`` / ``CONN``: a live WebSocket connection and whose it is;
  ``ACCOUNT#<id>`` / ``CONN#<connectionId>`` and ``SELLER#<id>`` / ``CONN#<connectionId>``:
  where to reach an account and a seller's people. All expire (TTL ``expires``) after API
  Gateway's two-hour connection limit, should ``$disconnect`` never come.
- ``BLOCK#<buyerId>`` / ``SELLER#<sellerId>``: a buyer blocked a seller.
- ``RATE#<accountId>#<minute>`` / ``COUNT``: messages an account sent in a minute (expires).
- ``RESPONSE#<sellerId>`` / ``DAY#<date>``: a seller's answered questions and response-time
  histogram per day, changed only by ADD.
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chat.domain import RESPONSE_BUCKETS
from titan.dynamo import index, table_meta

META = table_meta("CHAT_TABLE")

ByGsi1 = index("gsi1")
ByGsi2 = index("gsi2")

#: Seconds a connection's items outlive it when ``$disconnect`` never comes (API Gateway's
#: two-hour limit, plus a margin).
CONNECTION_TTL_SECONDS = 2 * 3600 + 600


class _Item(Model):
    Meta = META
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Conversation(_Item):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    by_buyer = ByGsi1()
    by_seller = ByGsi2()
    conversation_id = UnicodeAttribute()
    buyer_id = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    subject_kind = UnicodeAttribute()  # PRODUCT, ORDER or GENERAL
    subject_id = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    last_at = UnicodeAttribute()
    last_preview = UnicodeAttribute(null=True)
    last_side = UnicodeAttribute(null=True)
    messages = NumberAttribute(default=0)
    #: Messages each side has not read yet, and the last message id each side read.
    buyer_unread = NumberAttribute(default=0)
    seller_unread = NumberAttribute(default=0)
    buyer_read_to = UnicodeAttribute(null=True)
    seller_read_to = UnicodeAttribute(null=True)
    #: When the buyer's oldest unanswered message was sent (None once the seller answers).
    awaiting_since = UnicodeAttribute(null=True)

    @staticmethod
    def key(conversation_id: str) -> tuple[str, str]:
        return f"CONV#{conversation_id}", "CONV"


class Message(_Item):
    message_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    sender_id = UnicodeAttribute()
    side = UnicodeAttribute()
    text = UnicodeAttribute()
    masked = ListAttribute(of=UnicodeAttribute, default=list)
    attachments = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UnicodeAttribute()
    delivered_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(conversation_id: str, message_id: str) -> tuple[str, str]:
        return f"CONV#{conversation_id}", f"MSG#{message_id}"


class ClientMessage(_Item):
    """The claim of a client's message id: a retried send finds the message it sent."""

    conversation_id = UnicodeAttribute()
    message_id = UnicodeAttribute()

    @staticmethod
    def key(conversation_id: str, sender_id: str, client_message_id: str) -> tuple[str, str]:
        return f"CONV#{conversation_id}", f"CLIENT#{sender_id}#{client_message_id}"


class Pair(_Item):
    conversation_id = UnicodeAttribute()

    @staticmethod
    def key(buyer_id: str, seller_id: str, subject: str) -> tuple[str, str]:
        return f"PAIR#{buyer_id}#{seller_id}#{subject}", "PAIR"


class Connection(_Item):
    connection_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    seller_id = UnicodeAttribute(null=True)
    connected_at = UnicodeAttribute(null=True)
    expires = NumberAttribute()

    @staticmethod
    def key(connection_id: str) -> tuple[str, str]:
        return f"CONN#{connection_id}", "CONN"

    @staticmethod
    def reach_key(owner: str, connection_id: str) -> tuple[str, str]:
        """The item under ``owner`` (``ACCOUNT#<id>`` or ``SELLER#<id>``) naming a connection."""
        return owner, f"CONN#{connection_id}"


class Block(_Item):
    created_at = UnicodeAttribute()

    @staticmethod
    def key(buyer_id: str, seller_id: str) -> tuple[str, str]:
        return f"BLOCK#{buyer_id}", f"SELLER#{seller_id}"


class RateCounter(_Item):
    count = NumberAttribute(default=0)
    expires = NumberAttribute()

    @staticmethod
    def key(account_id: str, window: str) -> tuple[str, str]:
        return f"RATE#{account_id}#{window}", "COUNT"


class _ResponseDay(_Item):
    asked = NumberAttribute(default=0)
    answered = NumberAttribute(default=0)

    @staticmethod
    def key(seller_id: str, day: str) -> tuple[str, str]:
        return f"RESPONSE#{seller_id}", f"DAY#{day}"

    def histogram(self) -> list[int]:
        """Responses per bucket of ``domain.RESPONSE_BUCKETS`` (and one past the last)."""
        return [int(getattr(self, f"b{i}") or 0) for i in range(len(RESPONSE_BUCKETS) + 1)]


#: A seller's questions and answers of one day: ``asked``, ``answered`` (within the response
#: window) and ``b0``..``b11``, the answers per response-time bucket.
ResponseDay = type(
    "ResponseDay",
    (_ResponseDay,),
    {f"b{i}": NumberAttribute(default=0) for i in range(len(RESPONSE_BUCKETS) + 1)},
)
