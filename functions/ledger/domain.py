"""Ledger rules, pure: the chart of accounts, what a balanced transaction is, and how an
order's escrow is split between its sellers and the platform on release.

Amounts are int minor units. An entry's sign is from the account's point of view: ``+``
adds to what the account holds, ``-`` takes from it. A transaction's entries sum to zero,
so the balances of all accounts together always sum to zero too.

Accounts (``<kind>:<owner>``):

===================== ==================================================== =============
account               holds                                                may go < 0
===================== ==================================================== =============
``wallet:<customer>`` a buyer's wallet (what the platform owes the buyer)  no
``voucher:<code>``    a gift voucher's unspent balance                     no
``hold:<paymentId>``  wallet or voucher money authorized for a checkout    no
``escrow:<orderId>``  a buyer's captured payment, until released           no
``refunding:<ret>``   a refund on its way to the payment provider          no
``seller:<sellerId>`` a seller's available balance                         no
``payout:<payout>``   a payout on its way to the seller's bank             no
``provider:<name>``   money in from / out to a payment provider            yes (external)
``bank:<name>``       money paid out to sellers' banks                     yes (external)
``platform:commission`` commission earned                                  no
``platform:promotions`` coupons the platform paid for                      yes (expense)
===================== ==================================================== =============
"""

from __future__ import annotations

from dataclasses import dataclass

#: Account kinds whose balance may go below zero: the outside world and expenses.
UNBOUNDED = ("provider", "bank")
UNBOUNDED_ACCOUNTS = ("platform:promotions",)
COMMISSION_ACCOUNT = "platform:commission"
PROMOTIONS_ACCOUNT = "platform:promotions"


class Unbalanced(ValueError):
    """A transaction's entries do not sum to zero (or it has none)."""


def bounded(account: str) -> bool:
    """True if ``account``'s balance must never go below zero."""
    return account.split(":", 1)[0] not in UNBOUNDED and account not in UNBOUNDED_ACCOUNTS


def kind(account: str) -> str:
    return account.split(":", 1)[0]


#: Payment methods whose money is already inside the ledger (authorized into a hold).
LEDGER_METHODS = ("wallet", "voucher")


def source_of(method: str, payment_id: str, provider: str = "sandbox") -> str:
    """The account a captured payment's money comes from: the authorization's hold for a
    wallet or voucher payment, the provider for every other method."""
    return f"hold:{payment_id}" if method in LEDGER_METHODS else f"provider:{provider}"


def refund_target(
    method: str, customer_id: str, voucher_code: str | None = None, provider: str = "sandbox"
) -> str:
    """Where a refund of a payment goes back to: what paid it. The voucher for a voucher
    payment, the buyer's wallet for a wallet payment, the provider (which returns it to the
    card, the boleto's bank account...) otherwise."""
    if method == "voucher":
        if not voucher_code:
            raise ValueError("a voucher payment's refund needs its voucher code")
        return f"voucher:{voucher_code}"
    return f"wallet:{customer_id}" if method == "wallet" else f"provider:{provider}"


def refund_entries(
    refunds: list[dict], customer_id: str, refund_to: str = "original"
) -> list[tuple[str, int]]:
    """Where each part of a refund goes, from its split over the order's payments
    (``refunds`` [{method, amount, voucherCode?}]): back to what paid it
    (``refund_target``). With ``refund_to`` "wallet", every part a voucher did not pay goes
    to the buyer's wallet instead, and a voucher's part still goes back to its voucher: so a
    refund never gives more wallet credit than money paid, and a voucher's value is not
    turned into spendable money."""
    return [
        (
            f"wallet:{customer_id}"
            if refund_to == "wallet" and r["method"] != "voucher"
            else refund_target(r["method"], customer_id, r.get("voucherCode")),
            int(r["amount"]),
        )
        for r in refunds
    ]


def balanced(entries: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """``entries`` [(account, amount)] with the zero ones dropped and the same account's
    merged; raises ``Unbalanced`` if they do not sum to zero or nothing moves."""
    merged: dict[str, int] = {}
    for account, amount in entries:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise Unbalanced(f"amount of {account} is not an int: {amount!r}")
        merged[account] = merged.get(account, 0) + amount
    kept = [(a, v) for a, v in merged.items() if v]
    if sum(v for _, v in kept) != 0:
        raise Unbalanced(f"entries sum to {sum(v for _, v in kept)}, not 0")
    return kept


def commission(items: int, bps: int) -> int:
    """The platform's commission on ``items`` (minor units, item prices without freight) at
    ``bps`` basis points, rounded half up to the minor unit."""
    return (items * bps + 5000) // 10000


@dataclass(frozen=True)
class SellerShare:
    """What an order owes one seller: ``items`` (unit prices x quantities) and ``freight``,
    minus what was refunded of each."""

    items: int
    freight: int
    refunded_items: int = 0
    refunded_freight: int = 0

    @property
    def due(self) -> int:
        return self.items + self.freight - self.refunded_items - self.refunded_freight


def release_entries(
    escrow: str,
    held: int,
    shares: dict[str, SellerShare],
    discount_left: int,
    bps: int,
    funder: str | None = None,
) -> list[tuple[str, int]]:
    """The entries that release an order's escrow account (holding ``held``): each seller
    gets what the order owes them minus the commission on their items; the platform keeps
    the commission. The coupon discount still standing (``discount_left``: the buyer paid
    that much less than the sellers are owed) is paid by its ``funder``: the platform's
    promotions account, or, for a shop voucher, that seller (its payout is that much less,
    and its commission is on the items less the discount, what it really sold them for).
    Raises ``Unbalanced`` when ``held`` is not what the shares say (a capture or refund is
    not posted yet)."""
    entries: list[tuple[str, int]] = [(escrow, -held)]
    earned = 0
    for seller, share in sorted(shares.items()):
        funded = discount_left if seller == funder else 0
        cut = commission(max(0, share.items - share.refunded_items - funded), bps)
        earned += cut
        entries.append((f"seller:{seller}", share.due - cut - funded))
    platform_pays = 0 if funder in shares else discount_left
    entries += [(COMMISSION_ACCOUNT, earned), (PROMOTIONS_ACCOUNT, -platform_pays)]
    return balanced(entries)


def share_held(share: dict) -> int:
    """What escrow still holds for one seller's share of an order (minor units): their items
    and freight less what was refunded of them. ``share``: ``{items, freight, refundedItems,
    refundedFreight}``."""
    paid = int(share["items"]) + int(share["freight"])
    return max(0, paid - int(share["refundedItems"]) - int(share["refundedFreight"]))
