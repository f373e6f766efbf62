"""Payments persistence: one DynamoDB table (``PAYMENTS_TABLE``).

Items: ``PAYMENT#<paymentId>`` / ``PAYMENT``, one per payment of a checkout (card, debit
card, boleto, voucher), with its status history. GSI1 ``CHECKOUT#<checkoutId>`` / ``<seq>``
lists a checkout's payments; GSI2 ``PENDING`` / ``<dueAt>`` lists unpaid boletos (sparse:
only while pending) for the expiry sweep. Full card numbers are never stored (last4, brand).

``REFUND#<returnId>`` / ``REFUND``: how one return's refund was split over the checkout's
payments; written in the same transaction as the payments' ``refunded`` amounts, so a
retried refund finds it and refunds nothing twice.
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from titan.dynamo import index, table_meta

ByCheckout = index("gsi1")


Pending = index("gsi2")


class Change(MapAttribute):
    status = UnicodeAttribute()
    at = UnicodeAttribute()
    amount = NumberAttribute(null=True)


class Payment(Model):
    Meta = table_meta("PAYMENTS_TABLE")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_checkout = ByCheckout()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    pending = Pending()
    payment_id = UnicodeAttribute()
    checkout_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    provider = UnicodeAttribute()
    reference = UnicodeAttribute()
    method = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    installments = NumberAttribute(default=1)
    #: AUTHORIZED, PENDING, CAPTURED, PARTIALLY_REFUNDED, REFUNDED, VOIDED, DECLINED, EXPIRED
    status = UnicodeAttribute()
    #: None for an order's payment; TOP_UP for a wallet top-up (``order_id`` is the top-up's).
    purpose = UnicodeAttribute(null=True)
    captured = NumberAttribute(default=0)
    refunded = NumberAttribute(default=0)
    decline_code = UnicodeAttribute(null=True)
    last4 = UnicodeAttribute(null=True)
    brand = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    #: The gift voucher that pays a ``voucher`` payment (its balance is in the ledger).
    voucher_code = UnicodeAttribute(null=True)
    history = ListAttribute(of=Change, default=list)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(payment_id: str) -> tuple[str, str]:
        return f"PAYMENT#{payment_id}", "PAYMENT"

    @classmethod
    def of_checkout(cls, checkout_id: str) -> list[Payment]:
        keys = [(p.pk, p.sk) for p in cls.by_checkout.query(f"CHECKOUT#{checkout_id}")]
        return (
            sorted(cls.batch_get(keys, consistent_read=True), key=lambda p: p.gsi1sk)
            if keys
            else []
        )

    def view(self) -> dict:
        """The API/event shape: ``{paymentId, method, amount: {amount, currency}, installments,
        status, last4?, brand?, dueAt?, declineCode?, voucherCode?}``."""
        out = {
            "paymentId": self.payment_id,
            "method": self.method,
            "amount": {"amount": int(self.amount), "currency": self.currency},
            "installments": int(self.installments),
            "status": self.status,
        }
        for key, value in (
            ("last4", self.last4),
            ("brand", self.brand),
            ("dueAt", self.due_at),
            ("declineCode", self.decline_code),
            ("voucherCode", self.voucher_code),
        ):
            if value:
                out[key] = value
        return out


class Refund(Model):
    Meta = Payment.Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    return_id = UnicodeAttribute()
    checkout_id = UnicodeAttribute()
    refunds = JSONAttribute()  # [{paymentId, method, amount}]
    created_at = UnicodeAttribute()

    @staticmethod
    def key(return_id: str) -> tuple[str, str]:
        return f"REFUND#{return_id}", "REFUND"
