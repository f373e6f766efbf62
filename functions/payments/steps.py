"""Payments' saga steps (see ``titan.saga``): ``authorize``, ``capture`` and ``reverse``
(the compensation of both: void what is authorized, refund what is captured) for checkout;
``refund`` for the refund saga; ``charge`` for wallet top-ups."""

from __future__ import annotations

from payments import service
from titan.events import publish
from titan.saga import steps


def authorize(event: dict) -> dict:
    """``{"checkoutId", "orderId", "customerId", "currency", "payments": [...]}`` →
    ``{"payments": [payment views], "pending": bool}`` (pending: a boleto awaits payment).
    Refuses 402 PAYMENT_DECLINED, 422 INVALID_CARD."""
    records, events = service.authorize(
        event["checkoutId"],
        event["orderId"],
        event["customerId"],
        event["payments"],
        event["currency"],
    )
    publish(events)
    return {
        "payments": [r.view() for r in records],
        "pending": any(r.status == "PENDING" for r in records),
    }


def capture(event: dict) -> dict:
    """``{"checkoutId"}`` → ``{"payments": [payment views]}``."""
    records, events = service.capture(event["checkoutId"])
    publish(events)
    return {"payments": [r.view() for r in records]}


def reverse(event: dict) -> dict:
    """Compensation: ``{"checkoutId"}`` → ``{"reversed": n}``."""
    events = service.reverse(event["checkoutId"])
    publish(events)
    return {"reversed": len(events)}


def refund(event: dict) -> dict:
    """Refund saga: ``{"returnId", "checkoutId", "amount", "refundTo"}`` → ``{"refunds":
    [{paymentId, method, amount, voucherCode?}]}``. Refuses 409 REFUND_EXCEEDS_CAPTURED."""
    split, events = service.refund(
        event["returnId"],
        event["checkoutId"],
        int(event["amount"]),
        to_wallet=event.get("refundTo") == "wallet",
    )
    publish(events)
    return {"refunds": split}


def charge(event: dict) -> dict:
    """A card charged at once (a wallet top-up): ``{"chargeId", "customerId", "amount",
    "currency", "card": {number}}`` → the payment view. Refuses 402, 422."""
    record, events = service.charge(
        event["chargeId"],
        event["customerId"],
        int(event["amount"]),
        event["currency"],
        event["card"],
    )
    publish(events)
    return record.view()


handler = steps(
    {
        "authorize": authorize,
        "capture": capture,
        "reverse": reverse,
        "refund": refund,
        "charge": charge,
    }
)
