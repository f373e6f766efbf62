"""Handing domain events to consumers the way AWS does: an EventBridge target invocation, or
an SQS batch of EventBridge events (the rule's target is a queue)."""

from __future__ import annotations

import json
from typing import Any

from apigw import FakeContext
from titan.events import DomainEvent


def deliver(handler: Any, *events: DomainEvent) -> list[Any]:
    """Invoke a consumer's Lambda handler once per event, as EventBridge does; the results."""
    return [handler(event.as_delivered(), FakeContext()) for event in events]


def sqs_batch(*events: DomainEvent) -> dict:
    """The SQS batch a queue target receives for ``events``."""
    return {
        "Records": [
            {
                "messageId": f"m{n}",
                "receiptHandle": f"r{n}",
                "body": json.dumps(event.as_delivered()),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:queue",
                "awsRegion": "us-east-1",
            }
            for n, event in enumerate(events)
        ]
    }
