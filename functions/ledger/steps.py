"""Ledger's saga steps and synchronous calls (see ``titan.saga``):

- ``authorizeWallet`` (payments, at checkout): set wallet money aside for a wallet payment;
  refuses 402 PAYMENT_DECLINED ``insufficient_funds``. ``authorizeVoucher``: the same for a
  gift voucher (also ``voucher_not_found``, ``voucher_expired``, ``currency_mismatch``).
- ``dispute`` / ``settleDispute`` (returns): keep an order's escrow held while a return is
  open; ``dispute`` refuses 409 RETURN_WINDOW_CLOSED once the escrow was released.
- ``holdRefund`` (refund saga): the refund leaves the escrow; refuses 409
  REFUND_EXCEEDS_CAPTURED. ``settleRefund``: the provider refunded. ``unholdRefund``:
  compensation, the refund goes back to the escrow.
Every action is idempotent: its transaction id follows from the return or payment.
"""

from __future__ import annotations

from ledger import service
from titan.saga import StepRefused, steps


def authorize_wallet(event: dict) -> dict:
    """``{"customerId", "paymentId", "amount", "currency"}`` → ``{"paymentId", "held"}``."""
    try:
        service.authorize_wallet(
            event["customerId"], event["paymentId"], int(event["amount"]), event["currency"]
        )
    except service.InsufficientFunds:
        raise StepRefused(
            "PAYMENT_DECLINED",
            402,
            "The wallet balance is too low.",
            declineCode="insufficient_funds",
            paymentId=event["paymentId"],
        ) from None
    return {"paymentId": event["paymentId"], "held": int(event["amount"])}


def authorize_voucher(event: dict) -> dict:
    """``{"voucherCode", "paymentId", "amount", "currency"}`` → ``{"paymentId", "held"}``.
    Refuses 402 PAYMENT_DECLINED with ``declineCode`` voucher_not_found, voucher_expired,
    currency_mismatch or insufficient_funds."""
    try:
        service.authorize_voucher(
            event["voucherCode"], event["paymentId"], int(event["amount"]), event["currency"]
        )
    except service.VoucherRefused as refused:
        raise StepRefused(
            "PAYMENT_DECLINED",
            402,
            "The voucher cannot pay this amount.",
            declineCode=refused.decline_code,
            paymentId=event["paymentId"],
        ) from None
    return {"paymentId": event["paymentId"], "held": int(event["amount"])}


def dispute(event: dict) -> dict:
    """``{"orderId", "returnId"}`` → ``{"disputed": true}``."""
    try:
        service.dispute(event["orderId"], event["returnId"])
    except LookupError:
        raise StepRefused(
            "ORDER_NOT_PAID", 409, "This order has no payment held to refund."
        ) from None
    except service.NotReleasable:
        raise StepRefused(
            "RETURN_WINDOW_CLOSED", 409, "The order's payment has been released to the seller."
        ) from None
    return {"disputed": True}


def settle_dispute(event: dict) -> dict:
    """``{"orderId", "returnId"}`` → ``{"disputed": false}``."""
    service.settle_dispute(event["orderId"], event["returnId"])
    return {"disputed": False}


def hold_refund(event: dict) -> dict:
    """``{"returnId", "orderId", "customerId", "amount", "currency", "refundTo", "bySeller",
    "discount"}`` → ``{"txnId"}``."""
    try:
        posted = service.hold_refund(
            event["returnId"],
            event["orderId"],
            int(event["amount"]),
            event["currency"],
            event["refundTo"],
            event["customerId"],
            event["bySeller"],
            int(event["discount"]),
        )
    except service.InsufficientFunds:
        raise StepRefused(
            "REFUND_EXCEEDS_CAPTURED", 409, "The order's escrow holds less than this refund."
        ) from None
    return {"txnId": posted.txn.txn_id}


def settle_refund(event: dict) -> dict:
    """``{"returnId", "customerId", "currency", "refundTo", "refunds": [{paymentId, method,
    amount, voucherCode?}]}``."""
    posted = service.settle_refund(
        event["returnId"],
        event["customerId"],
        event["refunds"],
        event["currency"],
        event.get("refundTo", "original"),
    )
    return {"txnId": posted.txn.txn_id}


def unhold_refund(event: dict) -> dict:
    """Compensation: ``{"returnId", "orderId", "currency"}`` → ``{"reversed": bool}``."""
    return {
        "reversed": service.unhold_refund(event["returnId"], event["orderId"], event["currency"])
        is not None
    }


def open_seller_accounts(event: dict) -> dict:
    """``{"sellerId", "currency"}`` → ``{"accounts": [...]}``: the seller's balance account,
    open at zero (the seller approval saga). Idempotent."""
    return {"accounts": service.open_seller_accounts(event["sellerId"], event["currency"])}


def close_seller_accounts(event: dict) -> dict:
    """Compensation of ``openSellerAccounts``: ``{"sellerId"}`` → ``{"closed": [...]}``; an
    account with entries is kept."""
    return {"closed": service.close_seller_accounts(event["sellerId"])}


handler = steps(
    {
        "openSellerAccounts": open_seller_accounts,
        "closeSellerAccounts": close_seller_accounts,
        "authorizeWallet": authorize_wallet,
        "authorizeVoucher": authorize_voucher,
        "dispute": dispute,
        "settleDispute": settle_dispute,
        "holdRefund": hold_refund,
        "settleRefund": settle_refund,
        "unholdRefund": unhold_refund,
    }
)
