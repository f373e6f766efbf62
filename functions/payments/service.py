"""Payment rules: authorize a checkout's payments, capture, void, refund, boleto settlement
and expiry. Each status change is a conditional write on the payment's current status, so a
retried step or a repeated webhook changes nothing twice, and every change is appended to the
payment's history and published as an event.
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import PutError, UpdateError

from payments.provider import BOLETO_DAYS, PROVIDERS, luhn_ok
from payments.store import Change, Payment
from titan import clock
from titan.dynamo import condition_failed
from titan.events import DomainEvent
from titan.saga import StepRefused

PROVIDER = "sandbox"
EVENT_OF = {
    "AUTHORIZED": "PaymentAuthorized",
    "PENDING": "PaymentAuthorized",
    "CAPTURED": "PaymentCaptured",
    "VOIDED": "PaymentVoided",
    "REFUNDED": "PaymentRefunded",
    "EXPIRED": "PaymentExpired",
}


def payment_id(checkout_id: str, seq: int) -> str:
    """Payment ids follow from the checkout and the payment's position: a retried authorize
    finds the payments it made before."""
    return f"pay_{checkout_id.split('_', 1)[1]}_{seq}"


def event(payment: Payment, **extra) -> DomainEvent:
    data = {
        **payment.view(),
        "orderId": payment.order_id,
        "checkoutId": payment.checkout_id,
        "customerId": payment.customer_id,
        **extra,
    }
    return DomainEvent("payments", EVENT_OF[payment.status], data)


def authorize(
    checkout_id: str, order_id: str, customer_id: str, payments: list[dict], currency: str
) -> tuple[list[Payment], list[DomainEvent]]:
    """Authorize ``payments`` (``[{method, amount, installments, card?: {number}}]``) in order.
    Returns the payment records and events. Refuses 422 ``INVALID_CARD`` (a card number that
    fails the Luhn check) before authorizing anything, and 402 ``PAYMENT_DECLINED`` (with
    ``declineCode`` and ``paymentId``) when the provider declines one; the saga's
    compensation voids those already authorized."""
    for p in payments:
        if p["method"] in ("card", "debit_card"):
            number = str((p.get("card") or {}).get("number", "")).replace(" ", "")
            if not luhn_ok(number):
                raise StepRefused("INVALID_CARD", 422, "The card number is not valid.")
    provider = PROVIDERS[PROVIDER]
    records, events = [], []
    for seq, p in enumerate(payments):
        pid = payment_id(checkout_id, seq)
        try:
            record = Payment.get(*Payment.key(pid), consistent_read=True)
        except Payment.DoesNotExist:
            record = _authorize_one(
                provider, pid, seq, checkout_id, order_id, customer_id, p, currency
            )
            if record.status != "DECLINED":
                events.append(event(record))
        if record.status == "DECLINED":
            raise StepRefused(
                "PAYMENT_DECLINED",
                402,
                f"The {p['method'].replace('_', ' ')} payment was declined.",
                declineCode=record.decline_code,
                paymentId=pid,
            )
        if record.status in ("VOIDED", "EXPIRED", "REFUNDED"):
            raise StepRefused(
                "CHECKOUT_ALREADY_FAILED", 409, "This checkout's payments were already reversed."
            )
        records.append(record)
    return records, events


def _authorize_one(
    provider,
    pid: str,
    seq: int,
    checkout_id: str,
    order_id: str,
    customer_id: str,
    p: dict,
    currency: str,
) -> Payment:
    result = provider.authorize(pid, p["method"], int(p["amount"]), p.get("card") or {})
    now = clock.now()
    due = clock.iso(now + timedelta(days=BOLETO_DAYS)) if result.status == "PENDING" else None
    record = Payment(
        *Payment.key(pid),
        gsi1pk=f"CHECKOUT#{checkout_id}",
        gsi1sk=f"{seq:02d}",
        gsi2pk="PENDING" if due else None,
        gsi2sk=due,
        payment_id=pid,
        checkout_id=checkout_id,
        order_id=order_id,
        customer_id=customer_id,
        provider=provider.name,
        reference=result.reference,
        method=p["method"],
        amount=int(p["amount"]),
        currency=currency,
        installments=int(p.get("installments") or 1),
        status=result.status,
        decline_code=result.decline_code,
        last4=result.last4,
        brand=result.brand,
        due_at=due,
        history=[Change(status=result.status, at=clock.iso(now))],
        created_at=clock.iso(now),
        updated_at=clock.iso(now),
    )
    try:
        record.save(condition=Payment.pk.does_not_exist())
    except PutError:
        return Payment.get(*Payment.key(pid), consistent_read=True)
    return record


def _move(payment: Payment, status: str, allowed: tuple[str, ...], **changes) -> bool:
    """Move ``payment`` to ``status`` if its status is one of ``allowed``; False if not."""
    now = clock.iso()
    actions = [
        Payment.status.set(status),
        Payment.updated_at.set(now),
        Payment.history.set(
            Payment.history.append([Change(status=status, at=now, amount=changes.get("amount"))])
        ),
        Payment.gsi2pk.remove(),
        Payment.gsi2sk.remove(),
    ]
    if "captured" in changes:
        actions.append(Payment.captured.set(changes["captured"]))
    if "refunded" in changes:
        actions.append(Payment.refunded.set(changes["refunded"]))
    condition = Payment.status.is_in(*allowed)
    try:
        payment.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if condition_failed(exc):
            payment.refresh(consistent_read=True)
            return False
        raise
    return True


def capture(checkout_id: str, settling: bool = False) -> tuple[list[Payment], list[DomainEvent]]:
    """Capture every AUTHORIZED payment of the checkout (idempotent: CAPTURED ones are kept).
    ``settling``: a boleto's settlement, after the checkout: the events then say whether the
    order is now paid in full (``orderPaid``), which confirms it."""
    records, events = Payment.of_checkout(checkout_id), []
    for record in records:
        if record.status == "AUTHORIZED":
            PROVIDERS[record.provider].capture(record.reference, int(record.amount))
            if _move(record, "CAPTURED", ("AUTHORIZED",), captured=int(record.amount)):
                events.append(record)
    if not settling:
        return records, [event(r) for r in events]
    paid = all(r.status == "CAPTURED" for r in records)
    return records, [event(r, orderPaid=paid) for r in events]


def reverse(checkout_id: str) -> list[DomainEvent]:
    """Undo a checkout's payments: void authorized and pending ones, refund captured ones in
    full. Idempotent; payments already voided, refunded, expired or declined are left."""
    events = []
    for record in Payment.of_checkout(checkout_id):
        provider = PROVIDERS[record.provider]
        if record.status in ("AUTHORIZED", "PENDING"):
            provider.void(record.reference)
            if _move(record, "VOIDED", ("AUTHORIZED", "PENDING")):
                events.append(event(record))
        elif record.status == "CAPTURED":
            provider.refund(record.reference, int(record.captured))
            if _move(
                record,
                "REFUNDED",
                ("CAPTURED",),
                refunded=int(record.captured),
                amount=int(record.captured),
            ):
                events.append(
                    event(
                        record,
                        refunded={"amount": int(record.captured), "currency": record.currency},
                    )
                )
    return events


def settle_boleto(pid: str, amount: int) -> list[DomainEvent]:
    """A boleto was paid (the provider's webhook): it is captured, then the checkout's other
    authorized payments. Raises ``LookupError`` for an unknown payment, ``ValueError`` for a
    wrong amount. A boleto paid after it expired is refunded at once. Idempotent."""
    try:
        record = Payment.get(*Payment.key(pid), consistent_read=True)
    except Payment.DoesNotExist as exc:
        raise LookupError(pid) from exc
    if record.method != "boleto":
        raise LookupError(pid)
    if amount != int(record.amount):
        raise ValueError(f"boleto {pid} is for {int(record.amount)}, not {amount}")
    if record.status in ("EXPIRED", "VOIDED"):
        # Paid too late: the order is gone; the money goes back (record the capture, then refund).
        if _move(record, "CAPTURED", ("EXPIRED", "VOIDED"), captured=amount, amount=amount):
            PROVIDERS[record.provider].refund(record.reference, amount)
            _move(record, "REFUNDED", ("CAPTURED",), refunded=amount, amount=amount)
            return [event(record, refunded={"amount": amount, "currency": record.currency})]
        return []
    events = []
    if _move(record, "CAPTURED", ("PENDING",), captured=amount, amount=amount):
        events.append(record)
    others, more = capture(record.checkout_id, settling=True)
    paid = all(r.status == "CAPTURED" for r in others)
    return [event(r, orderPaid=paid) for r in events] + more


def expire_due(limit: int = 100) -> list[DomainEvent]:
    """Boletos past their due date expire; the checkout's other payments are voided."""
    events = []
    for record in Payment.pending.query("PENDING", Payment.gsi2sk <= clock.iso(), limit=limit):
        if _move(record, "EXPIRED", ("PENDING",)):
            events.append(event(record))
            events += reverse(record.checkout_id)
    return events
