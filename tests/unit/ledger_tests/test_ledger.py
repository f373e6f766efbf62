"""The ledger: postings once, escrow released and paid out, the wallet and gift vouchers; the
books balance after every path."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cart import service as cart
from ledger import service as ledger
from ledger import settings
from orders import service as orders
from returns import service as returns
from tests.unit.checkout_tests.saga import card, checkout
from tests.unit.returns_tests.refunds import (
    books_balance,
    call,
    deliver_events,
    delivered_order,
    escrow_balance,
    payout_status,
    run_return,
)
from tests.unit.shop import CUSTOMER, P1, P2, SELLER, issue_voucher
from titan import clock


def test_release_entries_balance_and_take_the_commission():
    from ledger.domain import SellerShare, Unbalanced, release_entries

    shares = {"s1": SellerShare(10000, 1500), "s2": SellerShare(5000, 500, 5000, 500)}
    entries = dict(release_entries("escrow:o", 11500 - 300, shares, 300, 1200))
    assert entries == {
        "escrow:o": -11200,
        "seller:s1": 11500 - 1200,
        "platform:commission": 1200,
        "platform:promotions": -300,
    }
    with pytest.raises(Unbalanced):
        release_entries("escrow:o", 9000, shares, 300, 1200)  # a capture not posted yet


def test_a_shop_voucher_is_paid_by_its_seller_not_the_platform():
    from ledger.domain import SellerShare, release_entries

    shares = {"s1": SellerShare(10000, 1500), "s2": SellerShare(5000, 500)}
    entries = dict(release_entries("escrow:o", 17000 - 1000, shares, 1000, 1200, "s1"))
    assert entries == {
        "escrow:o": -16000,
        "seller:s1": 11500 - 1080 - 1000,  # commission on 9000, what it sold for
        "seller:s2": 5500 - 600,
        "platform:commission": 1080 + 600,
    }
    assert "platform:promotions" not in entries  # the platform pays nothing


def test_a_shop_voucher_order_books_the_discount_against_the_seller(shop):
    from tests.unit.checkout_tests.saga import coupon
    from tests.unit.shop import SELLER as SHOP

    coupon(code="LOJA10", value=1000, seller_id=SHOP)  # 10% of the shop's items
    cart.add(CUSTOMER, P2, SELLER, 1)
    placed = checkout([card()], coupon="LOJA10")["ok"]
    order = orders.get(placed["orderId"])
    assert (int(order.discount), order.discount_funded_by) == (1200, SHOP)
    (event,) = [e for e in shop.events if e.detail_type == "OrderPlaced"]
    assert event.payload.discountFundedBy == SHOP
    orders.move(order, "SHIPPED")
    orders.move(order, "DELIVERED")
    shop.events.append(orders.status_event(order, "OrderDelivered"))
    deliver_events(shop)
    (confirmed,) = orders.confirm_receipt(order)
    shop.events.append(confirmed)
    deliver_events(shop)
    assert ledger.get_escrow(order.order_id).status == "RELEASED"
    commission = ((12000 - 1200) * settings.SETTINGS.commission_bps + 5000) // 10000
    assert ledger.balance(f"seller:{SELLER}") == 12000 + 2000 - 1200 - commission
    assert ledger.balance("platform:promotions") == 0
    books_balance()


def test_a_transaction_posts_once_and_never_overdraws(shop):
    from ledger.domain import Unbalanced

    first = ledger.post("t1", "TEST", [("provider:sandbox", -500), ("wallet:a", 500)], "BRL")
    again = ledger.post("t1", "TEST", [("provider:sandbox", -500), ("wallet:a", 500)], "BRL")
    assert first.new and not again.new and ledger.balance("wallet:a") == 500
    with pytest.raises(ledger.InsufficientFunds) as short:
        ledger.post("t2", "TEST", [("wallet:a", -501), ("wallet:b", 501)], "BRL")
    assert short.value.account == "wallet:a"
    with pytest.raises(Unbalanced):
        ledger.post("t3", "TEST", [("wallet:a", -1), ("wallet:b", 2)], "BRL")
    assert (ledger.balance("wallet:a"), ledger.balance("wallet:b")) == (500, 0)
    books_balance()


# ------------------------------------------------------------------ returns


def test_wallet_top_up_pays_a_checkout_and_a_failed_one_gives_it_back(shop):
    charge = call(
        "PAYMENTS_STEPS_FUNCTION",
        "charge",
        {
            "chargeId": "top_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
            "customerId": CUSTOMER,
            "amount": 20000,
            "currency": "BRL",
            "card": {"number": "4242424242424242"},
        },
    )
    ledger.top_up(CUSTOMER, charge["paymentId"], 20000, "BRL")
    deliver_events(shop)  # the top-up's PaymentCaptured is not an order's
    assert ledger.balance(f"wallet:{CUSTOMER}") == 20000
    cart.add(CUSTOMER, P1, SELLER, 1)
    placed = checkout([{"method": "wallet"}])["ok"]
    deliver_events(shop)
    assert ledger.balance(f"wallet:{CUSTOMER}") == 20000 - placed["total"]["amount"]
    assert escrow_balance(placed["orderId"]) == placed["total"]["amount"]
    cart.add(CUSTOMER, P2, SELLER, 1)
    declined = checkout([{"method": "wallet"}])
    assert declined["problem"].code == "PAYMENT_DECLINED"
    cart.add(CUSTOMER, P1, SELLER, 1)
    failed = checkout([{"method": "wallet"}], fail=("OrdersSteps", "place"))
    assert "error" in failed
    deliver_events(shop)  # PaymentRefunded of the compensation: the escrow gives it back
    assert ledger.balance(f"wallet:{CUSTOMER}") == 20000 - placed["total"]["amount"]
    books_balance()


def test_receipt_releases_escrow_to_the_seller_who_is_paid_out(shop):
    order = delivered_order(shop, lines=((P2, 1),))
    order_id = order["orderId"]
    (confirmed,) = orders.confirm_receipt(orders.get(order_id))
    shop.events.append(confirmed)
    deliver_events(shop)
    assert ledger.get_escrow(order_id).status == "RELEASED"
    commission = (12000 * settings.SETTINGS.commission_bps + 5000) // 10000
    assert ledger.balance(f"seller:{SELLER}") == 12000 + 2000 - commission
    assert ledger.balance("platform:commission") == commission
    with pytest.raises(ledger.NotReleasable):
        ledger.release(order_id, "AGAIN")
    with pytest.raises(ledger.InsufficientFunds):
        ledger.request_payout("pyt_1", SELLER, 14001, "BRL")
    payout, events = ledger.request_payout("pyt_2", SELLER, 10000, "BRL")
    again, none = ledger.request_payout("pyt_2", SELLER, 10000, "BRL")  # a retried request
    assert again.payout_id == payout.payout_id and none == []
    shop.events.extend(events)
    deliver_events(shop)
    assert payout_status(payout.payout_id) == "PAID"
    assert ledger.balance(f"seller:{SELLER}") == 14000 - commission - 10000
    books_balance()


def test_escrow_is_released_when_the_return_window_ends_unless_a_return_is_open(shop):
    order = delivered_order(shop)
    item = returns.record(
        order,
        [{"lineId": order["lines"][0]["lineId"], "quantity": 1, "reason": "DAMAGED"}],
        "original",
    )
    ledger.dispute(order["orderId"], item.return_id)
    clock.freeze(clock.now() + timedelta(days=settings.SETTINGS.return_window_days, minutes=1))
    try:
        assert ledger.release_due() == []  # disputed
        ledger.settle_dispute(order["orderId"], item.return_id)
        (released,) = ledger.release_due()
    finally:
        clock.unfreeze()
    assert released.detail_type == "EscrowReleased"
    assert escrow_balance(order["orderId"]) == 0
    with pytest.raises(ledger.NotReleasable):
        ledger.dispute(order["orderId"], "ret_late")
    books_balance()


# ------------------------------------------------------------------ vouchers


def test_a_voucher_paid_order_returned_to_the_wallet_gives_the_voucher_back_not_money(shop):
    """The hole: an order paid only by voucher, returned with refundTo wallet, used to turn
    the voucher into spendable wallet money."""
    total = 2 * 3499 + 2 * 1605
    order = delivered_order(shop, payments=[issue_voucher(total, "GIFT-ONLY")])
    assert ledger.balance("voucher:GIFT-ONLY") == 0
    line = order["lines"][0]
    item, _ = run_return(
        shop, order, [{"lineId": line["lineId"], "quantity": 2, "reason": "DAMAGED"}], "wallet"
    )
    assert item.status == "REFUNDED" and int(item.amount) == total
    assert ledger.balance(f"wallet:{CUSTOMER}") == 0  # no wallet credit: no money was paid
    assert ledger.balance("voucher:GIFT-ONLY") == total  # the voucher has its value back
    books_balance()


def test_a_mixed_order_returned_to_the_wallet_credits_at_most_the_money_paid(shop):
    total = 2 * 3499 + 2 * 1605
    payments = [issue_voucher(3000, "GIFT-PART"), card()]
    order = delivered_order(shop, payments=payments)
    line = order["lines"][0]
    item, _ = run_return(
        shop, order, [{"lineId": line["lineId"], "quantity": 2, "reason": "DAMAGED"}], "wallet"
    )
    assert int(item.amount) == total
    assert ledger.balance(f"wallet:{CUSTOMER}") == total - 3000  # the card's money
    assert ledger.balance("voucher:GIFT-PART") == 3000
    books_balance()


def test_a_return_to_the_original_payments_gives_the_voucher_its_share(shop):
    total = 2 * 3499 + 2 * 1605
    order = delivered_order(shop, payments=[issue_voucher(3000, "GIFT-ORIG"), card()])
    line = order["lines"][0]
    run_return(shop, order, [{"lineId": line["lineId"], "quantity": 2, "reason": "DAMAGED"}])
    assert ledger.balance("voucher:GIFT-ORIG") == 3000
    assert ledger.balance(f"wallet:{CUSTOMER}") == 0
    assert escrow_balance(order["orderId"]) == 0 and total > 3000
    books_balance()


def test_the_trial_balance_names_a_wrong_account_but_not_a_posting_in_flight(shop, monkeypatch):
    from ledger.store import Account

    ledger.post("t1", "TEST", [("provider:sandbox", -500), ("wallet:a", 500)], "BRL")
    assert ledger.trial_balance()["mismatched"] == []

    # The accounts' scan saw wallet:a before a posting whose entry the entries' scan then saw.
    scan = Account.scan

    def stale(*args, **kwargs):
        for item in scan(*args, **kwargs):
            if item.account == "wallet:a":
                item.balance = 0
            yield item

    monkeypatch.setattr(Account, "scan", stale)
    assert ledger.trial_balance()["mismatched"] == []
    monkeypatch.undo()

    wrong = Account.get(*Account.key("wallet:a"))
    wrong.update(actions=[Account.balance.set(400)])  # a balance its entries do not explain
    assert ledger.trial_balance()["mismatched"] == ["wallet:a"]
