"""Pure checkout rules: line pricing, coupon discounts, splitting the total over payments,
and risk rules. Amounts are int minor units (centavos); no I/O here.

Coupon rules follow common marketplace practice (Shopee vouchers, Stripe coupons): a
percentage or fixed discount on the items' subtotal, or free shipping; a minimum order value
on the subtotal; an optional maximum discount; a validity window; global and per-customer
usage limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from titan.money import Money
from titan.saga import StepRefused

PERCENTAGE, FIXED_AMOUNT, FREE_SHIPPING = "percentage", "fixed_amount", "free_shipping"
COUPON_TYPES = (PERCENTAGE, FIXED_AMOUNT, FREE_SHIPPING)
METHODS = ("card", "debit_card", "boleto", "voucher", "wallet")
#: Olist's largest installment plan is 24 (payments.csv); debit and boleto are paid at once.
MAX_INSTALLMENTS = 24


@dataclass(frozen=True)
class Coupon:
    """``value``: basis points for percentage (1000 = 10%), minor units for fixed_amount,
    unused for free_shipping. ``max_discount``/``min_order`` in minor units (None: no cap /
    no minimum). ``valid_from``/``valid_until`` aware datetimes (None: open)."""

    code: str
    type: str
    value: int
    currency: str
    min_order: int | None = None
    max_discount: int | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    active: bool = True


@dataclass(frozen=True)
class Totals:
    subtotal: int
    freight: int
    discount: int
    currency: str

    @property
    def total(self) -> int:
        return self.subtotal + self.freight - self.discount

    def to_dict(self) -> dict:
        m = lambda amount: Money(amount, self.currency).to_dict()  # noqa: E731
        return {
            "subtotal": m(self.subtotal),
            "freight": m(self.freight),
            "discount": m(self.discount),
            "total": m(self.total),
        }


def line_freight(line: dict) -> int:
    """The freight a quoted line bears in all (minor units)."""
    if line.get("lineFreight") is not None:
        return int(line["lineFreight"])
    return int(line["freight"]) * int(line["quantity"])


def line_totals(lines: list[dict]) -> tuple[int, int]:
    """(subtotal, freight) of quoted lines ``[{unitPrice, quantity, lineFreight}]``: the
    freight each line bears for its package's chosen option (shipping's ``ship`` step), or,
    without it, ``freight`` per unit (the offer's)."""
    subtotal = sum(int(line["unitPrice"]) * int(line["quantity"]) for line in lines)
    freight = sum(line_freight(line) for line in lines)
    return subtotal, freight


def voucher_lines(lines: list[dict], seller_id: str | None) -> list[dict]:
    """The lines a coupon discounts: all, or a shop voucher's seller's. Refuses 422
    ``COUPON_NOT_APPLICABLE`` when the cart has none of that seller's."""
    if seller_id is None:
        return lines
    mine = [line for line in lines if line["sellerId"] == seller_id]
    if not mine:
        raise StepRefused(
            "COUPON_NOT_APPLICABLE", 422, "This shop voucher is for another shop's products."
        )
    return mine


def discount(coupon: Coupon, subtotal: int, freight: int, currency: str, now: datetime) -> int:
    """The discount ``coupon`` gives on this order, in minor units.

    Refuses (422) ``COUPON_INACTIVE``, ``COUPON_NOT_STARTED``, ``COUPON_EXPIRED``,
    ``COUPON_CURRENCY``, ``COUPON_MINIMUM_NOT_MET`` (with ``minimum``)."""
    if not coupon.active:
        raise StepRefused("COUPON_INACTIVE", 422, "This coupon is no longer valid.")
    if coupon.valid_from and now < coupon.valid_from:
        raise StepRefused("COUPON_NOT_STARTED", 422, "This coupon is not valid yet.")
    if coupon.valid_until and now >= coupon.valid_until:
        raise StepRefused("COUPON_EXPIRED", 422, "This coupon has expired.")
    if coupon.currency != currency:
        raise StepRefused("COUPON_CURRENCY", 422, f"This coupon is for {coupon.currency} orders.")
    if coupon.min_order is not None and subtotal < coupon.min_order:
        raise StepRefused(
            "COUPON_MINIMUM_NOT_MET",
            422,
            f"This coupon needs items worth at least {Money(coupon.min_order, currency).format()}.",
            minimum=Money(coupon.min_order, currency).to_dict(),
        )
    if coupon.type == PERCENTAGE:
        amount = Money(subtotal, currency).percent(coupon.value).amount
    elif coupon.type == FIXED_AMOUNT:
        amount = min(coupon.value, subtotal)
    else:
        amount = freight
    if coupon.max_discount is not None:
        amount = min(amount, coupon.max_discount)
    return amount


def split_payments(payments: list[dict], total: int) -> list[dict]:
    """Give every payment its amount: those without ``amount`` (at most one) take what the
    others leave. Returns new dicts with ``amount`` and ``installments`` set.

    Refuses 422 ``PAYMENT_AMOUNTS_MISMATCH`` when the amounts do not add up to ``total``,
    ``INVALID_PAYMENTS`` for more than one open amount, installments on a method that has
    none, or a non-positive amount."""
    open_amounts = [p for p in payments if p.get("amount") is None]
    if len(open_amounts) > 1:
        raise StepRefused("INVALID_PAYMENTS", 422, "At most one payment may leave its amount open.")
    given = sum(int(p["amount"]) for p in payments if p.get("amount") is not None)
    out = []
    for payment in payments:
        amount = int(payment["amount"]) if payment.get("amount") is not None else total - given
        installments = int(payment.get("installments") or 1)
        if amount <= 0:
            raise StepRefused(
                "INVALID_PAYMENTS", 422, "Every payment must be for a positive amount."
            )
        if installments > 1 and payment["method"] != "card":
            raise StepRefused("INVALID_PAYMENTS", 422, "Only card payments take installments.")
        out.append({**payment, "amount": amount, "installments": installments})
    if sum(p["amount"] for p in out) != total:
        raise StepRefused(
            "PAYMENT_AMOUNTS_MISMATCH",
            422,
            "The payments' amounts must add up to the order total.",
            total=total,
            paid=sum(p["amount"] for p in out),
        )
    return out


#: Risk rules (simple for now): one order's total, and checkouts per customer per hour.
MAX_ORDER_TOTAL = 5_000_000  # R$ 50.000,00
MAX_CHECKOUTS_PER_HOUR = 10


def assess(total: int, checkouts_this_hour: int) -> str | None:
    """The rule a checkout breaks, or None: ``ORDER_TOTAL_LIMIT`` above ``MAX_ORDER_TOTAL``,
    ``VELOCITY_LIMIT`` beyond ``MAX_CHECKOUTS_PER_HOUR`` (this one included)."""
    if total > MAX_ORDER_TOTAL:
        return "ORDER_TOTAL_LIMIT"
    if checkouts_this_hour > MAX_CHECKOUTS_PER_HOUR:
        return "VELOCITY_LIMIT"
    return None
