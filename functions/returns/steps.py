"""Returns' saga steps (see ``titan.saga``), for ``statemachines/refund.asl.json``:

- ``awaitDecision`` / ``awaitGoods``: called with the task token of a
  ``.waitForTaskToken`` state: keep it for the API's approve, reject and receive.
- ``approve``: approved by rule (a small refund) or because the seller did not answer.
- ``close``: REJECTED, EXPIRED (the goods never came) or FAILED; the units may be returned
  again. A person's answer sent as a wait timed out comes first (the saga follows it).
- ``complete``: REFUNDED, RefundCompleted.
"""

from __future__ import annotations

from returns import service
from titan.events import publish
from titan.observability import count
from titan.saga import steps


def await_decision(event: dict) -> dict:
    """``{"returnId", "taskToken"}`` → ``{"waiting": "decision"}``."""
    service.wait(event["returnId"], event["taskToken"], "decision")
    return {"waiting": "decision"}


def await_goods(event: dict) -> dict:
    """``{"returnId", "taskToken"}`` → ``{"waiting": "goods"}``."""
    service.wait(event["returnId"], event["taskToken"], "goods")
    return {"waiting": "goods"}


def approve(event: dict) -> dict:
    """``{"returnId", "by": "RULE" | "TIMEOUT"}`` → ``{"status"}``."""
    item = service.get(event["returnId"])
    if service.move(item, "APPROVED", ("REQUESTED", "PENDING_DECISION"), by=event["by"]):
        item.update(actions=[service.Return.auto_approved.set(event["by"])])
        publish([service.event(item, "ReturnApproved", by=event["by"])])
    return {"status": item.status}


def close(event: dict) -> dict:
    """``{"returnId", "status", "reason"?}`` → ``{"status"}``: the return's status after it
    (RECEIVED when the goods came as their wait timed out)."""
    status, events = service.close(event["returnId"], event["status"], event.get("reason"))
    publish(events)
    return {"status": status}


def complete(event: dict) -> dict:
    """``{"returnId"}`` → ``{"status": "REFUNDED"}``; publishes RefundCompleted once."""
    item = service.get(event["returnId"])
    if service.move(item, "REFUNDED", ("RECEIVED", "REQUESTED", "APPROVED")):
        publish([service.event(item, "RefundCompleted", customerEmail=item.customer_email)])
        count("RefundsCompleted", kind=item.kind, to=item.refund_to)
    return {"status": item.status}


handler = steps(
    {
        "awaitDecision": await_decision,
        "awaitGoods": await_goods,
        "approve": approve,
        "close": close,
        "complete": complete,
    }
)
