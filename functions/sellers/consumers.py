"""The seller dashboard's consumer: order, return, shipment, rating and chat events (EventBridge
→ SQS → this function) kept as each seller's figures (``stats``). Each event counts once
(``stats`` writes an applied-event item with its counts); an order's later event that comes
before its OrderPlaced raises, so SQS delivers it again after the order's."""

from __future__ import annotations

from contracts.chat import ChatMessageSent
from contracts.fulfilment import ShipmentLate, ShipmentStatusChanged
from contracts.orders import OrderCancelled, OrderPlaced
from contracts.returns import ReturnRequested
from contracts.reviews import RatingChanged
from sellers import stats
from titan.consumers import Received, consumer
from titan.observability import logger


def _placed(received: Received[OrderPlaced]) -> None:
    data = received.event.model_dump(mode="json")
    outcome = stats.placed(received.metadata.eventId, data, received.metadata.occurredAt)
    logger.info("order counted", extra={"outcome": outcome})


def _cancelled(received: Received[OrderCancelled]) -> None:
    stats.cancelled(received.metadata.eventId, received.event.orderId)


def _returned(received: Received[ReturnRequested]) -> None:
    event = received.event
    if event.kind == "RETURN":
        sellers = {line.sellerId for line in event.lines}
        stats.returned(received.metadata.eventId, event.orderId, sellers)


def _moved(received: Received[ShipmentStatusChanged]) -> None:
    event = received.event
    if event.direction == "OUTBOUND" and event.status == "HANDED_OVER":
        stats.handed_over(received.metadata.eventId, event.orderId, event.sellerId)


def _late(received: Received[ShipmentLate]) -> None:
    stats.late(received.metadata.eventId, received.event.orderId, received.event.sellerId)


def _rated(received: Received[RatingChanged]) -> None:
    event = received.event
    if event.subject == "SELLER":
        stats.rated(event.subjectId, event.average, event.count, event.sequence)


def _chatted(received: Received[ChatMessageSent]) -> None:
    event = received.event
    stats.chatted(
        received.metadata.eventId,
        event.conversationId,
        event.sellerId,
        event.senderSide,
        received.metadata.occurredAt,
    )


handler = consumer(
    {
        ChatMessageSent: _chatted,
        OrderPlaced: _placed,
        OrderCancelled: _cancelled,
        ReturnRequested: _returned,
        ShipmentStatusChanged: _moved,
        ShipmentLate: _late,
        RatingChanged: _rated,
    }
)
