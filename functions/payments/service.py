"""Payment rules: authorize a checkout's payments, capture, void, refund, boleto settlement
and expiry. Each status change is a conditional write on the payment's current status, so a
retried step or a repeated webhook changes nothing twice, and every change is appended to the
payment's history and published as an event.
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from payments.provider import BOLETO_DAYS, PROVIDERS, luhn_ok, provider_for
from payments.store import Change, Payment, Refund
from titan import clock
from titan.auth import Principal
from titan.dynamo import condition_failed, failed_conditions, get_or_404, transaction
from titan.errors import NotFound
from titan.events import DomainEvent
from titan.observability import count
from titan.saga import StepRefused

EVENT_OF = {
    "AUTHORIZED": "PaymentAuthorized",
    "PENDING": "PaymentAuthorized",
    "CAPTURED": "PaymentCaptured",
    "VOIDED": "PaymentVoided",
    "REFUNDED": "PaymentRefunded",
    "PARTIALLY_REFUNDED": "PaymentRefunded",
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
        **({"purpose": payment.purpose} if payment.purpose else {}),
        **extra,
    }
    return DomainEvent.of(EVENT_OF[payment.status], data)


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
    records, events = [], []
    for seq, p in enumerate(payments):
        pid = payment_id(checkout_id, seq)
        try:
            record = Payment.get(*Payment.key(pid), consistent_read=True)
        except Payment.DoesNotExist:
            record = _authorize_one(
                provider_for(p["method"]), pid, seq, checkout_id, order_id, customer_id, p, currency
            )
            if record.status != "DECLINED":
                events.append(event(record))
            else:
                count("PaymentsDeclined", method=p["method"])
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
    purpose: str | None = None,
) -> Payment:
    details = p.get("card") or {
        "customerId": customer_id,
        "currency": currency,
        "voucherCode": p.get("voucherCode"),
    }
    result = provider.authorize(pid, p["method"], int(p["amount"]), details)
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
        purpose=purpose,
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
        voucher_code=p.get("voucherCode"),
        history=[Change(status=result.status, at=clock.iso(now))],
        created_at=clock.iso(now),
        updated_at=clock.iso(now),
    )
    try:
        record.save(condition=Payment.pk.does_not_exist())
    except PutError:
        return Payment.get(*Payment.key(pid), consistent_read=True)
    return record


def _moving(status: str, now: str, **changes) -> list:
    """Update actions of a payment moving to ``status`` at ``now``: the status, its history
    entry (with ``amount``), out of the pending index, and ``captured``/``refunded`` if
    given."""
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
    return actions


def _move(payment: Payment, status: str, allowed: tuple[str, ...], **changes) -> bool:
    """Move ``payment`` to ``status`` if its status is one of ``allowed``; False if not."""
    try:
        payment.update(
            actions=_moving(status, clock.iso(), **changes),
            condition=Payment.status.is_in(*allowed),
        )
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


def reverse(checkout_id: str, refund_captured: bool = True) -> list[DomainEvent]:
    """Undo a checkout's payments: void authorized and pending ones and, with
    ``refund_captured``, refund what captured ones still hold. Idempotent; payments already
    voided, refunded, expired or declined are left. (A paid order's cancellation refunds
    through the refund saga instead: ``refund_captured=False``.)"""
    events = []
    for record in Payment.of_checkout(checkout_id):
        provider = PROVIDERS[record.provider]
        if record.status in ("AUTHORIZED", "PENDING"):
            provider.void(record.reference)
            if _move(record, "VOIDED", ("AUTHORIZED", "PENDING")):
                events.append(event(record))
        elif refund_captured and record.status in ("CAPTURED", "PARTIALLY_REFUNDED"):
            left = int(record.captured) - int(record.refunded)
            provider.refund(record.reference, left)
            if _move(
                record,
                "REFUNDED",
                ("CAPTURED", "PARTIALLY_REFUNDED"),
                refunded=int(record.captured),
                amount=left,
            ):
                events.append(event(record, refunded={"amount": left, "currency": record.currency}))
    return events


def allocate(payments: list[Payment], amount: int) -> list[dict]:
    """Split a refund of ``amount`` over captured payments, the last payment first (a
    voucher or wallet part is given back last), each up to what it still holds. Returns
    [{paymentId, method, amount, voucherCode?}]; raises ``StepRefused`` 409
    REFUND_EXCEEDS_CAPTURED if they hold less than ``amount`` together."""
    out, left = [], amount
    for record in sorted(payments, key=lambda p: p.gsi1sk, reverse=True):
        if left == 0:
            break
        if record.status not in ("CAPTURED", "PARTIALLY_REFUNDED"):
            continue
        take = min(left, int(record.captured) - int(record.refunded))
        if take > 0:
            part = {"paymentId": record.payment_id, "method": record.method, "amount": take}
            if record.voucher_code:
                part["voucherCode"] = record.voucher_code
            out.append(part)
            left -= take
    if left:
        raise StepRefused(
            "REFUND_EXCEEDS_CAPTURED",
            409,
            f"The order's payments hold {amount - left} that can be refunded, not {amount}.",
        )
    return out


def refund(
    return_id: str, checkout_id: str, amount: int, to_wallet: bool = False
) -> tuple[list[dict], list[DomainEvent]]:
    """Refund ``amount`` (minor units) of a checkout's captured payments for a return, once:
    the split (``allocate``), a ``Refund`` record and each payment's ``refunded`` are one
    transaction, conditional on every payment still holding its part (so two refunds racing
    can never give back more than was captured: the second re-reads and splits again, or is
    refused). Then the provider refunds each part (with the return id as its idempotency
    key), unless the refund goes to the wallet (``to_wallet``: the ledger credits it; no
    money leaves). Returns (the split, PaymentRefunded events); a retry finds the first
    split."""
    split = _record_refund(return_id, checkout_id, amount)
    events = []
    for part in split:
        record = Payment.get(*Payment.key(part["paymentId"]), consistent_read=True)
        if not to_wallet:
            PROVIDERS[record.provider].refund(record.reference, part["amount"])
        events.append(
            event(
                record,
                returnId=return_id,
                refunded={"amount": part["amount"], "currency": record.currency},
            )
        )
    return split, events


def _record_refund(return_id: str, checkout_id: str, amount: int) -> list[dict]:
    for _ in range(5):
        try:
            return Refund.get(*Refund.key(return_id), consistent_read=True).refunds
        except Refund.DoesNotExist:
            pass
        payments = {p.payment_id: p for p in Payment.of_checkout(checkout_id)}
        split = allocate(list(payments.values()), amount)
        now = clock.iso()
        try:
            with transaction() as write:
                write.save(
                    Refund(
                        *Refund.key(return_id),
                        return_id=return_id,
                        checkout_id=checkout_id,
                        refunds=split,
                        created_at=now,
                    ),
                    condition=Refund.pk.does_not_exist(),
                )
                for part in split:
                    record = payments[part["paymentId"]]
                    after = int(record.refunded) + part["amount"]
                    status = "REFUNDED" if after == int(record.captured) else "PARTIALLY_REFUNDED"
                    write.update(
                        record,
                        actions=_moving(status, now, refunded=after, amount=part["amount"]),
                        condition=Payment.refunded == record.refunded,
                    )
        except TransactWriteError as exc:
            if failed_conditions(exc):
                continue  # refunded meanwhile (or this return was): read again
            raise
        return split
    raise RuntimeError(f"payments of {checkout_id} kept changing")


def charge(
    charge_id: str, customer_id: str, amount: int, currency: str, card: dict
) -> tuple[Payment, list[DomainEvent]]:
    """Authorize and capture a card at once, outside a checkout (a wallet top-up: purpose
    TOP_UP, ``charge_id`` stands for the order). Idempotent per ``charge_id``. Refuses 422
    INVALID_CARD, 402 PAYMENT_DECLINED."""
    number = str(card.get("number", "")).replace(" ", "")
    if not luhn_ok(number):
        raise StepRefused("INVALID_CARD", 422, "The card number is not valid.")
    pid = payment_id(charge_id, 0)
    try:
        record = Payment.get(*Payment.key(pid), consistent_read=True)
    except Payment.DoesNotExist:
        p = {"method": "card", "amount": amount, "card": card}
        record = _authorize_one(
            PROVIDERS["sandbox"],
            pid,
            0,
            charge_id,
            charge_id,
            customer_id,
            p,
            currency,
            purpose="TOP_UP",
        )
    if record.status == "DECLINED":
        raise StepRefused(
            "PAYMENT_DECLINED",
            402,
            "The card payment was declined.",
            declineCode=record.decline_code,
            paymentId=pid,
        )
    records, events = capture(charge_id)
    return records[0], events


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


def shown(payment_id: str, caller: Principal) -> dict:
    """The payment with its order id and status history, for its customer and staff.
    Raises NotFound PAYMENT_NOT_FOUND for anyone else, as for a payment that does not
    exist."""
    record = get_or_404(
        Payment, *Payment.key(payment_id), code="PAYMENT_NOT_FOUND", detail="No such payment."
    )
    if record.customer_id != caller.id and not caller.has_any("staff", "admin"):
        raise NotFound("No such payment.", code="PAYMENT_NOT_FOUND")
    history = [
        {"status": c.status, "at": c.at, **({} if c.amount is None else {"amount": int(c.amount)})}
        for c in record.history
    ]
    return {**record.view(), "orderId": record.order_id, "history": history}
