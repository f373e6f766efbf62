"""Money as integer minor units plus an ISO 4217 currency code. No floats anywhere.

Amounts are ``int`` minor units (centavos for BRL: ``Money(3499, "BRL")`` is R$ 34,99).
Arithmetic between different currencies raises ``CurrencyMismatch``. Source for minor-unit
exponents: ISO 4217 (the table below lists those the product uses; others are refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

#: ISO 4217 minor-unit exponents of the currencies Titan Commerce accepts.
MINOR_UNITS: dict[str, int] = {"BRL": 2, "USD": 2, "EUR": 2, "IDR": 2, "VND": 0, "JPY": 0}


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


class InvalidAmount(ValueError):
    """An amount could not be parsed or is not representable in the currency's minor units."""


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount of money: ``amount`` in minor units (int), ``currency`` an ISO 4217 code.

    Raises ``InvalidAmount`` for a non-int amount or an unknown currency."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise InvalidAmount(f"amount must be an int of minor units, got {self.amount!r}")
        if self.currency not in MINOR_UNITS:
            raise InvalidAmount(f"unsupported currency {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Parse a decimal major-unit string (``"34.99"``) exactly; more decimals than the
        currency has, non-numbers, NaN and infinities raise ``InvalidAmount``."""
        if currency not in MINOR_UNITS:
            raise InvalidAmount(f"unsupported currency {currency!r}")
        try:
            value = Decimal(str(text).strip())
        except InvalidOperation as exc:
            raise InvalidAmount(f"not a number: {text!r}") from exc
        if not value.is_finite():
            raise InvalidAmount(f"not a finite number: {text!r}")
        minor = value.scaleb(MINOR_UNITS[currency])
        if minor != minor.to_integral_value():
            raise InvalidAmount(f"{text!r} has more decimals than {currency} allows")
        return cls(int(minor), currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, got {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def times(self, quantity: int) -> Money:
        """This amount ``quantity`` times (an int, e.g. a cart line's quantity)."""
        if not isinstance(quantity, int):
            raise TypeError("quantity must be an int")
        return Money(self.amount * quantity, self.currency)

    def percent(self, basis_points: int) -> Money:
        """``basis_points``/10,000 of this amount, rounded half-even to a minor unit
        (e.g. a 12.5% commission is ``percent(1250)``)."""
        exact = Decimal(self.amount) * Decimal(basis_points) / Decimal(10_000)
        return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)), self.currency)

    def allocate(self, weights: list[int]) -> list[Money]:
        """Split this amount in proportion to non-negative int ``weights`` without losing a
        minor unit: the remainder goes one unit at a time to the largest weights first.
        Raises ValueError if the weights are empty, negative or all zero."""
        if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
            raise ValueError("weights must be non-negative and not all zero")
        total = sum(weights)
        shares = [self.amount * w // total for w in weights]
        remainder = self.amount - sum(shares)
        order = sorted(range(len(weights)), key=lambda i: -weights[i])
        for i in order[:remainder]:
            shares[i] += 1
        return [Money(s, self.currency) for s in shares]

    def to_dict(self) -> dict:
        """``{"amount": int minor units, "currency": "BRL"}``: the API's money shape."""
        return {"amount": self.amount, "currency": self.currency}

    @classmethod
    def from_dict(cls, data: dict) -> Money:
        return cls(int(data["amount"]), str(data["currency"]))

    def format(self) -> str:
        """Major units with the currency code, for people: ``"34.99 BRL"``."""
        exponent = MINOR_UNITS[self.currency]
        major = Decimal(self.amount).scaleb(-exponent)
        return f"{major:.{exponent}f} {self.currency}"
