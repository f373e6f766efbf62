"""The payment provider interface and the sandbox provider.

A provider answers ``authorize`` (hold or, for boleto, issue a slip that is paid later),
``capture``, ``void`` and ``refund``; the payments service keeps the records and the rules.
The sandbox decides by card number, as card processors' test modes do (Stripe's numbers):
``4242424242424242`` succeeds, ``4000000000000002`` is declined (``card_declined``),
``4000000000009995`` fails for insufficient funds; any other Luhn-valid number succeeds.
Boletos stay pending until the provider's signed webhook says they were paid (or expired).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from titan.calls import invoke
from titan.errors import Problem

DECLINED = {"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"}
#: Days a boleto can be paid (Brazilian boletos are usually due in 1-3 business days).
BOLETO_DAYS = 3


@dataclass(frozen=True)
class Authorization:
    """``status``: AUTHORIZED, PENDING (boleto) or DECLINED (with ``decline_code``)."""

    status: str
    reference: str
    decline_code: str | None = None
    last4: str | None = None
    brand: str | None = None


class Provider(Protocol):
    name: str

    def authorize(
        self, payment_id: str, method: str, amount: int, details: dict
    ) -> Authorization: ...
    def capture(self, reference: str, amount: int) -> None: ...
    def void(self, reference: str) -> None: ...
    def refund(self, reference: str, amount: int) -> None: ...


def luhn_ok(number: str) -> bool:
    """The Luhn check (ISO/IEC 7812-1) of a card number of 12-19 digits."""
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, digit in enumerate(int(d) for d in reversed(number)):
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def brand(number: str) -> str:
    return {"4": "visa", "5": "mastercard", "3": "amex", "6": "elo"}.get(number[:1], "card")


class Sandbox:
    """Deterministic test provider: no network, outcomes by card number (module docstring)."""

    name = "sandbox"

    def authorize(self, payment_id: str, method: str, amount: int, details: dict) -> Authorization:
        reference = f"sbx_{payment_id}"
        if method in ("card", "debit_card"):
            number = str(details.get("number", "")).replace(" ", "")
            code = DECLINED.get(number)
            if code:
                return Authorization("DECLINED", reference, code, number[-4:], brand(number))
            return Authorization("AUTHORIZED", reference, None, number[-4:], brand(number))
        return Authorization("PENDING", reference)  # boleto

    def capture(self, reference: str, amount: int) -> None:
        return None

    def void(self, reference: str) -> None:
        return None

    def refund(self, reference: str, amount: int) -> None:
        return None


class _InLedger:
    """A method whose money is already in Titan's ledger: authorizing sets it aside there (a
    synchronous call to the ledger's step ``action``), declined with the ledger's
    ``declineCode``. Capture, void and refund move money only inside the ledger, which
    follows the payment events."""

    name = ""
    action = ""
    prefix = ""
    #: The ``details`` field naming what pays (the buyer, the voucher).
    payer = ""

    def authorize(self, payment_id: str, method: str, amount: int, details: dict) -> Authorization:
        reference = f"{self.prefix}_{payment_id}"
        payload = {
            self.payer: details[self.payer],
            "paymentId": payment_id,
            "amount": amount,
            "currency": details["currency"],
        }
        try:
            invoke("LEDGER_STEPS_FUNCTION", self.action, payload)
        except Problem as refused:
            if refused.code != "PAYMENT_DECLINED":
                raise
            return Authorization("DECLINED", reference, refused.extra.get("declineCode"))
        return Authorization("AUTHORIZED", reference)

    def capture(self, reference: str, amount: int) -> None:
        return None

    def void(self, reference: str) -> None:
        return None

    def refund(self, reference: str, amount: int) -> None:
        return None


class Wallet(_InLedger):
    """The buyer's Titan wallet (``details``: ``customerId``, ``currency``); declined
    ``insufficient_funds`` when it holds less."""

    name, action, prefix, payer = "wallet", "authorizeWallet", "wlt", "customerId"


class Voucher(_InLedger):
    """A gift voucher (``details``: ``voucherCode``, ``currency``): partial use leaves the
    rest on it; declined voucher_not_found, voucher_expired, currency_mismatch or
    insufficient_funds."""

    name, action, prefix, payer = "voucher", "authorizeVoucher", "vch", "voucherCode"


PROVIDERS: dict[str, Provider] = {"sandbox": Sandbox(), "wallet": Wallet(), "voucher": Voucher()}


def provider_for(method: str) -> Provider:
    """The provider that handles ``method``: the wallet, the voucher, or the card and boleto
    provider."""
    return PROVIDERS[method if method in ("wallet", "voucher") else "sandbox"]
