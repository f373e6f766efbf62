"""Notification consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

Every event a person should hear about (``messages.WRITERS``) becomes notices, and each
notice one message per person it reaches (``service.notify``): in their inbox, and queued for
their outside channels. The consumer runs once per event id (``titan.consumers``); a retry
after a partial run finds the messages already made by their claims and queues only what is
not sent.
"""

from __future__ import annotations

from notifications import service
from notifications.messages import WRITERS
from titan.consumers import Received, consumer


def tell(received: Received) -> None:
    """Notify everyone the event concerns."""
    notices = WRITERS[type(received.event)](received.event)
    if notices:
        service.notify(received.metadata.eventId, notices, received.metadata.occurredAt)


handler = consumer(dict.fromkeys(WRITERS, tell))
