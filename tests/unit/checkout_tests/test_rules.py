"""Checkout's pure rules: pricing, coupons, payment splits, risk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checkout import domain
from titan.saga import StepRefused

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def coupon(**fields):
    return domain.Coupon(
        **{"code": "X", "type": "percentage", "value": 1000, "currency": "BRL", **fields}
    )


def refusal(call) -> str:
    with pytest.raises(StepRefused) as refused:
        call()
    return refused.value.code


def test_line_totals_count_freight_per_unit():
    lines = [
        {"unitPrice": 3499, "freight": 1605, "quantity": 2},
        {"unitPrice": 100, "freight": 0, "quantity": 1},
    ]
    assert domain.line_totals(lines) == (7098, 3210)


def test_coupon_kinds_caps_and_minimums():
    assert domain.discount(coupon(), 10_000, 1_500, "BRL", NOW) == 1_000
    assert domain.discount(coupon(value=1250), 999, 0, "BRL", NOW) == 125  # 124.875 half-even
    assert domain.discount(coupon(max_discount=500), 10_000, 0, "BRL", NOW) == 500
    assert domain.discount(coupon(type="fixed_amount", value=5_000), 3_000, 0, "BRL", NOW) == 3_000
    assert domain.discount(coupon(type="free_shipping", value=0), 3_000, 1_605, "BRL", NOW) == 1_605
    short = refusal(lambda: domain.discount(coupon(min_order=5_000), 4_999, 0, "BRL", NOW))
    assert short == "COUPON_MINIMUM_NOT_MET"


def test_coupon_validity_window_and_state():
    later, earlier = NOW + timedelta(hours=1), NOW - timedelta(hours=1)
    assert (
        refusal(lambda: domain.discount(coupon(valid_from=later), 1, 0, "BRL", NOW))
        == "COUPON_NOT_STARTED"
    )
    assert (
        refusal(lambda: domain.discount(coupon(valid_until=NOW), 1, 0, "BRL", NOW))
        == "COUPON_EXPIRED"
    )
    assert domain.discount(coupon(valid_from=earlier, valid_until=later), 100, 0, "BRL", NOW) == 10
    assert (
        refusal(lambda: domain.discount(coupon(active=False), 1, 0, "BRL", NOW))
        == "COUPON_INACTIVE"
    )
    assert (
        refusal(lambda: domain.discount(coupon(currency="USD"), 1, 0, "BRL", NOW))
        == "COUPON_CURRENCY"
    )


def test_payments_split_the_total_exactly():
    split = domain.split_payments(
        [{"method": "voucher", "amount": 1000}, {"method": "card", "installments": 10}], 5104
    )
    assert [(p["amount"], p["installments"]) for p in split] == [(1000, 1), (4104, 10)]
    assert (
        refusal(lambda: domain.split_payments([{"method": "card", "amount": 1}], 2))
        == "PAYMENT_AMOUNTS_MISMATCH"
    )
    assert (
        refusal(lambda: domain.split_payments([{"method": "card"}, {"method": "boleto"}], 2))
        == "INVALID_PAYMENTS"
    )
    assert (
        refusal(lambda: domain.split_payments([{"method": "boleto", "installments": 2}], 2))
        == "INVALID_PAYMENTS"
    )
    assert (
        refusal(
            lambda: domain.split_payments(
                [{"method": "voucher", "amount": 9}, {"method": "card"}], 9
            )
        )
        == "INVALID_PAYMENTS"
    )


def test_risk_rules():
    assert domain.assess(domain.MAX_ORDER_TOTAL, 1) is None
    assert domain.assess(domain.MAX_ORDER_TOTAL + 1, 1) == "ORDER_TOTAL_LIMIT"
    assert domain.assess(100, domain.MAX_CHECKOUTS_PER_HOUR + 1) == "VELOCITY_LIMIT"
