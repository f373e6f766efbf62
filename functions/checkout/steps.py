"""The checkout context's saga steps (see ``titan.saga``): ``price`` (with the coupon use),
``release_coupon`` (its compensation) and ``assess_risk``."""

from __future__ import annotations

from checkout import coupons, domain
from checkout.store import Velocity
from titan import clock
from titan.saga import StepRefused, steps


def price(event: dict) -> dict:
    """``{"checkoutId", "customerId", "currency", "lines": quoted lines, "couponCode"?,
    "payments": [{method, amount?, installments?, ...}]}`` →
    ``{"currency", "subtotal", "freight", "discount", "total" (ints, minor units),
    "couponCode", "discountFundedBy" (a shop voucher's seller; None: the platform),
    "payments": [... with amount and installments]}``. A shop voucher discounts its seller's
    lines only.

    Redeems the coupon (one use, idempotent); refusals: see ``domain.discount``,
    ``coupons.redeem`` and ``domain.split_payments``."""
    currency = event["currency"]
    subtotal, freight = domain.line_totals(event["lines"])
    code = event.get("couponCode")
    item, off = None, 0
    if code:
        item = coupons.find(code)
        lines = domain.voucher_lines(event["lines"], item.seller_id)
        base, base_freight = domain.line_totals(lines)
        off = domain.discount(coupons.coupon_of(item), base, base_freight, currency, clock.now())
    totals = domain.Totals(subtotal, freight, off, currency)
    payments = domain.split_payments(event["payments"], totals.total)
    if item is not None:
        coupons.redeem(event["checkoutId"], event["customerId"], item, off)
    return {
        "currency": currency,
        "subtotal": subtotal,
        "freight": freight,
        "discount": off,
        "total": totals.total,
        "couponCode": item.code if item else None,
        "discountFundedBy": item.seller_id if item else None,
        "payments": payments,
    }


def release_coupon(event: dict) -> dict:
    """Compensation: ``{"checkoutId"}`` → ``{"released": bool}``."""
    return {"released": coupons.release(event["checkoutId"])}


def assess_risk(event: dict) -> dict:
    """``{"checkoutId", "customerId", "total"}`` → ``{"decision": "APPROVE"}``.
    Refuses 403 ``RISK_REJECTED`` (with ``rule``), see ``domain.assess``."""
    hour = clock.now().strftime("%Y-%m-%dT%H")
    velocity = Velocity(*Velocity.key(event["customerId"], hour))
    velocity.update(
        actions=[
            Velocity.checkouts.add({event["checkoutId"]}),
            Velocity.expires_at.set(clock.epoch_seconds() + 7200),
        ]
    )
    rule = domain.assess(int(event["total"]), len(velocity.checkouts or ()))
    if rule:
        raise StepRefused(
            "RISK_REJECTED", 403, "This checkout was refused by a risk rule.", rule=rule
        )
    return {"decision": "APPROVE"}


handler = steps({"price": price, "release_coupon": release_coupon, "assess_risk": assess_risk})
