"""Ledger rules with their writes: posting balanced transactions, wallets, escrow, refunds
and payouts.

``post`` is the one writer of money: one DynamoDB transaction puts the ``Txn`` (only if
absent: a retried post records nothing twice), one ``Entry`` per account and ``ADD``s each
amount to the account's balance, conditional on a bounded account not going below zero. So
an account's balance is always the sum of its entries, and all balances sum to zero.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from contracts.orders import OrderPlaced
from contracts.payments import PaymentCaptured, PaymentFacts, PaymentRefunded, PaymentVoided
from ledger import domain, settings
from ledger.domain import SellerShare
from ledger.store import Account, Entry, Escrow, Payout, Txn, Voucher
from titan import clock
from titan.auth import Principal
from titan.calls import invoke
from titan.dynamo import condition_failed, failed_conditions, get_or_404, transaction
from titan.errors import NotFound
from titan.events import DomainEvent
from titan.paging import page_start

#: The largest single wallet top-up (minor units).
MAX_TOP_UP = 500_000


class InsufficientFunds(Exception):
    """A bounded account would go below zero; ``account`` names it."""

    def __init__(self, account: str) -> None:
        super().__init__(account)
        self.account = account


@dataclass(frozen=True)
class Posted:
    """``txn``: the transaction; ``new``: False if it had been posted before."""

    txn: Txn
    new: bool


def post(
    txn_id: str,
    kind: str,
    entries: list[tuple[str, int]],
    currency: str,
    refs: dict | None = None,
    also=None,
) -> Posted:
    """Post a balanced transaction once. ``entries``: [(account, signed minor units)];
    ``also(write)`` adds updates of other items (updates only: ``write.update``) to the same
    DynamoDB transaction.
    Raises ``domain.Unbalanced``, ``InsufficientFunds`` (nothing is written), and ``LookupError``
    if ``also``'s condition failed."""
    entries = domain.balanced(entries)
    now = clock.iso()
    txn = Txn(
        *Txn.key(txn_id),
        txn_id=txn_id,
        kind=kind,
        currency=currency,
        entries=[[a, v] for a, v in entries],
        refs=refs or {},
        posted_at=now,
    )
    try:
        with transaction() as write:
            write.save(txn, condition=Txn.pk.does_not_exist())
            for account, amount in entries:
                write.save(
                    Entry(
                        *Entry.key(account, now, txn_id),
                        txn_id=txn_id,
                        kind=kind,
                        amount=amount,
                        currency=currency,
                        posted_at=now,
                    )
                )
            for account, amount in entries:
                owner = account.split(":", 1)[1]
                condition = None
                if amount < 0 and domain.bounded(account):
                    condition = Account.balance >= -amount
                write.update(
                    Account(*Account.key(account)),
                    actions=[
                        Account.balance.add(amount),
                        Account.account.set(account),
                        Account.currency.set(currency),
                        Account.gsi1pk.set(f"OWNER#{owner}"),
                        Account.gsi1sk.set(account),
                        Account.updated_at.set(now),
                    ],
                    condition=condition,
                )
            if also:
                also(write)
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if 0 in failed:
            return Posted(Txn.get(*Txn.key(txn_id), consistent_read=True), False)
        first = 1 + len(entries)
        short = [entries[i - first][0] for i in sorted(failed) if first <= i < first * 2 - 1]
        if short:
            raise InsufficientFunds(short[0]) from exc
        if failed:
            raise LookupError(f"{txn_id}: a condition of the transaction failed") from exc
        raise
    return Posted(txn, True)


def open_seller_accounts(seller_id: str, currency: str) -> list[str]:
    """Open the seller's balance account (``seller:<id>``) at zero; an account already open
    is left as it is. Returns the accounts."""
    account = f"seller:{seller_id}"
    try:
        Account(
            *Account.key(account),
            account=account,
            balance=0,
            currency=currency,
            gsi1pk=f"OWNER#{seller_id}",
            gsi1sk=account,
            updated_at=clock.iso(),
        ).save(condition=Account.pk.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
    return [account]


def close_seller_accounts(seller_id: str) -> list[str]:
    """Undo ``open_seller_accounts``: remove the seller's account if nothing was posted to it
    (its balance zero, on that condition). Returns what was removed."""
    account = f"seller:{seller_id}"
    if next(iter(Entry.query(f"ACCOUNT#{account}", Entry.sk.startswith("ENTRY#"), limit=1)), None):
        return []
    try:
        Account(*Account.key(account)).delete(condition=Account.balance == 0)
    except DeleteError as exc:
        if condition_failed(exc):
            return []
        raise
    return [account]


def balance(account: str) -> int:
    """The account's balance in minor units (0 for an account never posted to)."""
    try:
        return int(Account.get(*Account.key(account), consistent_read=True).balance)
    except Account.DoesNotExist:
        return 0


def entries_sum(account: str) -> int:
    """The sum of the account's entries, read from the entries themselves."""
    return sum(
        int(e.amount)
        for e in Entry.query(
            f"ACCOUNT#{account}", Entry.sk.startswith("ENTRY#"), consistent_read=True
        )
    )


def trial_balance() -> dict:
    """Every account's balance against the sum of its entries. ``{"accounts": n, "total":
    sum of all balances (0 when the books balance), "mismatched": [accounts whose balance is
    not the sum of their entries]}``. Reads the whole table: an audit, not a request path."""
    balances: dict[str, int] = {}
    sums: dict[str, int] = {}
    for item in Account.scan(filter_condition=Account.sk == "ACCOUNT", consistent_read=True):
        balances[item.account] = int(item.balance)
    for entry in Entry.scan(filter_condition=Entry.sk.startswith("ENTRY#"), consistent_read=True):
        account = entry.pk.split("#", 1)[1]
        sums[account] = sums.get(account, 0) + int(entry.amount)
    accounts = set(balances) | set(sums)
    mismatched = [a for a in accounts if balances.get(a, 0) != sums.get(a, 0)]
    # The two scans are not one snapshot: a posting that lands between them shows its entry
    # without its balance. An account that disagrees is read again on its own (balance and
    # entries share its partition) until it agrees or has disagreed three times.
    return {
        "accounts": len(accounts),
        "total": sum(balances.values()),
        "mismatched": sorted(a for a in mismatched if not _agrees(a)),
    }


def _agrees(account: str, reads: int = 3) -> bool:
    """Whether ``account``'s balance equals the sum of its entries on one of ``reads``
    consistent reads of its partition (a moment apart)."""
    for attempt in range(reads):
        if attempt:
            time.sleep(0.2)
        if balance(account) == entries_sum(account):
            return True
    return False


# ------------------------------------------------------------------ wallet


def top_up(customer_id: str, payment_id: str, amount: int, currency: str) -> Posted:
    """Credit a wallet with a captured top-up payment (txn ``topup:<paymentId>``)."""
    return post(
        f"topup:{payment_id}",
        "TOP_UP",
        [("provider:sandbox", -amount), (f"wallet:{customer_id}", amount)],
        currency,
        {"customerId": customer_id, "paymentId": payment_id},
    )


def top_up_by_card(
    customer_id: str, top_up_id: str, amount: int, currency: str, card: dict
) -> dict:
    """Charge the customer's ``card`` (payments authorizes and captures at once, once per
    ``top_up_id``), then credit the wallet: ``{"topUpId", "amount"}`` (minor units). Raises
    the payments context's refusals (402 PAYMENT_DECLINED, 422 INVALID_CARD)."""
    charge = invoke(
        "PAYMENTS_STEPS_FUNCTION",
        "charge",
        {
            "chargeId": top_up_id,
            "customerId": customer_id,
            "amount": amount,
            "currency": currency,
            "card": card,
        },
    )
    top_up(customer_id, charge["paymentId"], amount, currency)
    return {"topUpId": top_up_id, "amount": amount}


def authorize_wallet(customer_id: str, payment_id: str, amount: int, currency: str) -> Posted:
    """Set ``amount`` of the buyer's wallet aside for a checkout's wallet payment (txn
    ``walletauth:<paymentId>``). Raises ``InsufficientFunds`` if the wallet holds less."""
    return post(
        f"walletauth:{payment_id}",
        "WALLET_AUTHORIZATION",
        [(f"wallet:{customer_id}", -amount), (f"hold:{payment_id}", amount)],
        currency,
        {"customerId": customer_id, "paymentId": payment_id},
    )


# ------------------------------------------------------------------ vouchers


class VoucherRefused(Exception):
    """A voucher cannot pay: ``decline_code`` voucher_not_found, voucher_expired,
    currency_mismatch or insufficient_funds."""

    def __init__(self, decline_code: str) -> None:
        super().__init__(decline_code)
        self.decline_code = decline_code


class VoucherExists(Exception):
    """A voucher with that code was issued before (with another issue)."""


def issue_voucher(
    code: str, amount: int, currency: str, expires_at: str, issued_by: str, note: str | None
) -> Voucher:
    """Issue a gift voucher of ``amount`` (minor units), funded by the platform's promotions
    (txn ``voucherissue:<code>``): the voucher record and its balance are written in one
    transaction, once. Raises ``VoucherExists`` if the code is taken."""
    voucher = Voucher(
        *Voucher.key(code),
        code=code,
        currency=currency,
        issued=amount,
        expires_at=expires_at,
        issued_by=issued_by,
        note=note,
        created_at=clock.iso(),
    )

    def record(write):
        write.update(
            voucher,
            actions=[
                getattr(Voucher, name).set(value)
                for name, value in voucher.attribute_values.items()
                if name not in ("pk", "sk") and value is not None
            ],
            condition=Voucher.pk.does_not_exist(),
        )

    try:
        posted = post(
            f"voucherissue:{code}",
            "VOUCHER_ISSUE",
            [(domain.PROMOTIONS_ACCOUNT, -amount), (f"voucher:{code}", amount)],
            currency,
            {"voucherCode": code, "issuedBy": issued_by},
            also=record,
        )
    except LookupError as exc:
        raise VoucherExists(code) from exc
    issued = get_voucher(code)
    if not posted.new and (int(issued.issued), issued.issued_by) != (amount, issued_by):
        raise VoucherExists(code)  # the code was issued before, by another request
    return issued


def get_voucher(code: str) -> Voucher:
    """Raises ``LookupError`` for an unknown code."""
    try:
        return Voucher.get(*Voucher.key(code), consistent_read=True)
    except Voucher.DoesNotExist as exc:
        raise LookupError(code) from exc


def authorize_voucher(code: str, payment_id: str, amount: int, currency: str) -> Posted:
    """Set ``amount`` of a voucher's balance aside for a checkout's voucher payment (txn
    ``voucherauth:<paymentId>``): partial use leaves the rest on the voucher; the balance is
    taken under the ledger's condition, so two checkouts can never spend it twice. Raises
    ``VoucherRefused`` (unknown, expired, another currency, balance too low)."""
    try:
        voucher = get_voucher(code)
    except LookupError:
        raise VoucherRefused("voucher_not_found") from None
    if voucher.expires_at <= clock.iso():
        raise VoucherRefused("voucher_expired")
    if voucher.currency != currency:
        raise VoucherRefused("currency_mismatch")
    try:
        return post(
            f"voucherauth:{payment_id}",
            "VOUCHER_AUTHORIZATION",
            [(f"voucher:{code}", -amount), (f"hold:{payment_id}", amount)],
            currency,
            {"voucherCode": code, "paymentId": payment_id},
        )
    except InsufficientFunds:
        raise VoucherRefused("insufficient_funds") from None


def post_payment(payment: PaymentFacts) -> None:
    """Post what a payment event of the payments context means for the books. Capture:
    source → the order's escrow. Void of a wallet or voucher payment: the hold goes back to
    the wallet or the voucher. Refund (a checkout undone, not a return: returns post their
    own refunds): escrow → what paid (``domain.refund_target``). Top-ups are posted by the
    wallet's own steps. Idempotent (one transaction id per fact)."""
    pid, method, order = payment.paymentId, payment.method, payment.orderId
    amount, currency = payment.amount.amount, payment.amount.currency
    customer, voucher = payment.customerId, payment.voucherCode
    refs = {"paymentId": pid, "orderId": order, "customerId": customer}
    if payment.purpose == "TOP_UP":
        return
    if isinstance(payment, PaymentCaptured | PaymentRefunded) and payment.status != "VOIDED":
        post(
            f"capture:{pid}",
            "CAPTURE",
            [(domain.source_of(method, pid), -amount), (f"escrow:{order}", amount)],
            currency,
            refs,
        )
    if isinstance(payment, PaymentVoided) and method in domain.LEDGER_METHODS:
        held = balance(f"hold:{pid}")
        if held:
            post(
                f"{method}void:{pid}",
                f"{method.upper()}_VOID",
                [(f"hold:{pid}", -held), (domain.refund_target(method, customer, voucher), held)],
                currency,
                refs,
            )
    if isinstance(payment, PaymentRefunded) and not payment.returnId:
        refunded = payment.refunded.amount or amount
        post(
            f"reversal:{pid}",
            "REFUND",
            [
                (f"escrow:{order}", -refunded),
                (domain.refund_target(method, customer, voucher), refunded),
            ],
            currency,
            refs,
        )


# ------------------------------------------------------------------ escrow


def open_escrow(order: OrderPlaced) -> bool:
    """Record how an order's escrow splits between its sellers (items and freight per
    seller, the discount and who funds it). False if recorded before."""
    shares: dict[str, dict] = {}
    for line in order.lines:
        share = shares.setdefault(
            line.sellerId, {"items": 0, "freight": 0, "refundedItems": 0, "refundedFreight": 0}
        )
        share["items"] += line.quantity * line.unitPrice.amount
        share["freight"] += line.freight.amount
    escrow = Escrow(
        *Escrow.key(order.orderId),
        order_id=order.orderId,
        customer_id=order.customerId,
        currency=order.total.currency,
        shares=shares,
        discount=order.discount.amount,
        discount_funder=order.discountFundedBy,
        status="HELD",
        created_at=clock.iso(),
    )
    try:
        escrow.save(condition=Escrow.pk.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def get_escrow(order_id: str) -> Escrow:
    """The order's escrow record. Raises ``LookupError`` if OrderPlaced was not seen yet."""
    try:
        return Escrow.get(*Escrow.key(order_id), consistent_read=True)
    except Escrow.DoesNotExist as exc:
        raise LookupError(order_id) from exc


def delivered(order_id: str, at: str | None = None) -> None:
    """Start the release clock: the escrow is released ``return_window_days`` after delivery."""
    escrow = get_escrow(order_id)
    if escrow.status != "HELD" or escrow.release_at:
        return
    moment = clock.parse(at) if at else clock.now()
    release_at = clock.iso(moment + timedelta(days=settings.SETTINGS.return_window_days))
    escrow.update(
        actions=[
            Escrow.delivered_at.set(clock.iso(moment)),
            Escrow.release_at.set(release_at),
            Escrow.gsi1pk.set("RELEASE"),
            Escrow.gsi1sk.set(f"{release_at}#{order_id}"),
        ],
        condition=Escrow.status == "HELD",
    )


class NotFunded(RuntimeError):
    """The escrow holds less than the order's payments: a capture is not posted yet (the
    events are on their way). A fault, not a refusal: retry."""


class NotReleasable(Exception):
    """The escrow cannot be released now: ``reason`` is DISPUTED, NOT_FUNDED or RELEASED."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _shares(escrow: Escrow) -> dict[str, SellerShare]:
    return {
        seller: SellerShare(
            int(s["items"]), int(s["freight"]), int(s["refundedItems"]), int(s["refundedFreight"])
        )
        for seller, s in escrow.shares.items()
    }


def release(order_id: str, reason: str) -> list[DomainEvent]:
    """Release the order's escrow to its sellers (minus the commission), once. Raises
    ``NotReleasable`` DISPUTED (a return is open), NOT_FUNDED (the escrow does not hold what
    the order owes yet: a capture not posted) or RELEASED (done before: no event)."""
    escrow = get_escrow(order_id)
    if escrow.status == "RELEASED":
        raise NotReleasable("RELEASED")
    if escrow.disputes:
        raise NotReleasable("DISPUTED")
    account = f"escrow:{order_id}"
    held = balance(account)
    discount_left = int(escrow.discount) - int(escrow.discount_refunded)
    try:
        entries = domain.release_entries(
            account,
            held,
            _shares(escrow),
            discount_left,
            settings.SETTINGS.commission_bps,
            escrow.discount_funder,
        )
    except domain.Unbalanced as exc:
        raise NotReleasable("NOT_FUNDED") from exc
    now = clock.iso()

    def close(write):
        write.update(
            escrow,
            actions=[
                Escrow.status.set("RELEASED"),
                Escrow.released_at.set(now),
                Escrow.gsi1pk.remove(),
                Escrow.gsi1sk.remove(),
            ],
            condition=(Escrow.status == "HELD") & Escrow.disputes.does_not_exist(),
        )

    try:
        posted = post(
            f"release:{order_id}",
            "ESCROW_RELEASE",
            entries,
            escrow.currency,
            {"orderId": order_id, "reason": reason},
            also=close,
        )
    except (LookupError, InsufficientFunds) as exc:
        raise NotReleasable("DISPUTED") from exc
    if not posted.new:
        raise NotReleasable("RELEASED")
    sellers = {a.split(":", 1)[1]: v for a, v in entries if a.startswith("seller:")}
    return [
        DomainEvent.of(
            "EscrowReleased",
            {
                "orderId": order_id,
                "reason": reason,
                "released": {"amount": held, "currency": escrow.currency},
                "sellers": [
                    {"sellerId": s, "amount": {"amount": v, "currency": escrow.currency}}
                    for s, v in sorted(sellers.items())
                ],
                "commission": {
                    "amount": dict(entries).get(domain.COMMISSION_ACCOUNT, 0),
                    "currency": escrow.currency,
                },
            },
        )
    ]


def due_releases(limit: int = 100) -> list[str]:
    """Orders whose escrow is due for release (delivered more than ``return_window_days`` ago)."""
    items = Escrow.by_gsi1.query("RELEASE", Escrow.gsi1sk <= clock.iso() + "~", limit=limit)
    return [item.order_id for item in items]


def release_due() -> list[DomainEvent]:
    """Release every due escrow that can be; the ones disputed or not funded wait."""
    events = []
    for order_id in due_releases():
        try:
            events += release(order_id, "RETURN_WINDOW_ENDED")
        except NotReleasable:
            continue
    return events


def dispute(order_id: str, return_id: str) -> None:
    """A return is open: the escrow stays held until ``settle_dispute``. Raises
    ``NotReleasable`` RELEASED if the money has already gone to the sellers."""
    escrow = get_escrow(order_id)
    try:
        escrow.update(actions=[Escrow.disputes.add({return_id})], condition=Escrow.status == "HELD")
    except UpdateError as exc:
        if condition_failed(exc):
            raise NotReleasable("RELEASED") from exc
        raise


def settle_dispute(order_id: str, return_id: str) -> None:
    """The return ended (refunded, rejected or expired): it no longer holds the escrow."""
    try:
        Escrow(*Escrow.key(order_id)).update(
            actions=[Escrow.disputes.delete({return_id})], condition=Escrow.pk.exists()
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


# ------------------------------------------------------------------ refunds


def hold_refund(
    return_id: str,
    order_id: str,
    amount: int,
    currency: str,
    refund_to: str,
    customer_id: str,
    by_seller: dict[str, dict],
    discount: int,
) -> Posted:
    """Take a return's refund out of the order's escrow (txn ``refund:<returnId>``) into
    ``refunding:<returnId>``, until the refund's split over the payments says where it goes
    (``settle_refund``; ``refund_to`` "original" or "wallet" is recorded). ``by_seller``
    {sellerId: {items, freight}} and ``discount`` (the coupon's part returned to the
    platform) say whose money it is; ``amount`` = their sum minus the discount. Raises
    ``InsufficientFunds`` (the escrow holds less: never more than captured comes back) or
    ``domain.Unbalanced``."""
    if amount != sum(int(v["items"]) + int(v["freight"]) for v in by_seller.values()) - discount:
        raise domain.Unbalanced("refund amount does not match its sellers' parts")
    target = f"refunding:{return_id}"
    for _ in range(5):
        escrow = get_escrow(order_id)
        if escrow.status != "HELD":
            raise InsufficientFunds(f"escrow:{order_id}")
        shares = {seller: dict(share) for seller, share in escrow.shares.items()}
        for seller, part in by_seller.items():
            shares[seller]["refundedItems"] += int(part["items"])
            shares[seller]["refundedFreight"] += int(part["freight"])

        def record(write, escrow=escrow, shares=shares):
            write.update(
                escrow,
                actions=[Escrow.shares.set(shares), Escrow.discount_refunded.add(discount)],
                condition=(Escrow.status == "HELD") & (Escrow.shares == escrow.shares),
            )

        try:
            return _post_refund(return_id, order_id, amount, target, currency, refund_to, record)
        except LookupError:
            continue  # another refund changed the escrow's shares meanwhile: again
    raise RuntimeError(f"escrow of {order_id} kept changing")


def _post_refund(return_id, order_id, amount, target, currency, refund_to, record) -> Posted:
    try:
        return post(
            f"refund:{return_id}",
            "REFUND",
            [(f"escrow:{order_id}", -amount), (target, amount)],
            currency,
            {"returnId": return_id, "orderId": order_id, "refundTo": refund_to},
            also=record,
        )
    except InsufficientFunds:
        escrow = get_escrow(order_id)
        shares = _shares(escrow).values()
        owed = sum(s.items + s.freight for s in shares) - int(escrow.discount)
        back = sum(s.refunded_items + s.refunded_freight for s in shares) - int(
            escrow.discount_refunded
        )
        if balance(f"escrow:{order_id}") + back < owed:
            raise NotFunded(f"escrow:{order_id} is not funded yet") from None
        raise


def settle_refund(
    return_id: str,
    customer_id: str,
    refunds: list[dict],
    currency: str,
    refund_to: str = "original",
) -> Posted:
    """The refund's split over the payments is known (``refunds`` [{paymentId, method, amount,
    voucherCode?}]): the money leaves ``refunding:<returnId>`` for what paid it. "original":
    each part back to its payment (voucher, wallet or provider); "wallet": voucher parts back
    to their vouchers, every other part to the buyer's wallet (``domain.refund_entries``)."""
    entries = [(f"refunding:{return_id}", -sum(int(r["amount"]) for r in refunds))]
    entries += domain.refund_entries(refunds, customer_id, refund_to)
    # To the wallet, this is the refund the buyer sees; to the card, the provider's settlement.
    kind = "REFUND" if refund_to == "wallet" else "REFUND_SETTLEMENT"
    return post(f"refundsettle:{return_id}", kind, entries, currency, {"returnId": return_id})


def unhold_refund(return_id: str, order_id: str, currency: str) -> Posted | None:
    """Compensation of ``hold_refund`` when the provider refused: what waits in
    ``refunding:<returnId>`` goes back to the escrow. None if nothing waits."""
    held = balance(f"refunding:{return_id}")
    if not held:
        return None
    return post(
        f"refundback:{return_id}",
        "REFUND_REVERSAL",
        [(f"refunding:{return_id}", -held), (f"escrow:{order_id}", held)],
        currency,
        {"returnId": return_id},
    )


# ------------------------------------------------------------------ payouts


def request_payout(
    payout_id: str, seller_id: str, amount: int, currency: str
) -> tuple[Payout, list[DomainEvent]]:
    """Move ``amount`` from the seller's balance to the payout ``payout_id``, once (a second
    request with the same id changes nothing and returns the payout). Raises
    ``InsufficientFunds``."""
    now = clock.iso()
    payout = Payout(
        *Payout.key(payout_id),
        gsi1pk=f"SELLER#{seller_id}",
        gsi1sk=f"PAYOUT#{now}#{payout_id}",
        payout_id=payout_id,
        seller_id=seller_id,
        amount=amount,
        currency=currency,
        status="REQUESTED",
        requested_at=now,
    )
    fields = {n: a for n, a in Payout.get_attributes().items() if n not in ("pk", "sk")}
    posted = post(
        f"payout:{payout_id}",
        "PAYOUT_REQUEST",
        [(f"seller:{seller_id}", -amount), (f"payout:{payout_id}", amount)],
        currency,
        {"sellerId": seller_id, "payoutId": payout_id},
        also=lambda write: write.update(
            payout,
            actions=[
                a.set(getattr(payout, n))
                for n, a in fields.items()
                if getattr(payout, n) is not None
            ],
            condition=Payout.pk.does_not_exist(),
        ),
    )
    if not posted.new:
        return Payout.get(*Payout.key(payout_id), consistent_read=True), []
    return payout, [DomainEvent.of("PayoutRequested", payout.view())]


def pay_out(payout_id: str) -> list[DomainEvent]:
    """Send a requested payout to the seller's bank (the sandbox bank pays at once)."""
    payout = Payout.get(*Payout.key(payout_id), consistent_read=True)
    if payout.status != "REQUESTED":
        return []
    now = clock.iso()
    posted = post(
        f"payoutpaid:{payout_id}",
        "PAYOUT",
        [(f"payout:{payout_id}", -int(payout.amount)), ("bank:sandbox", int(payout.amount))],
        payout.currency,
        {"sellerId": payout.seller_id, "payoutId": payout_id},
        also=lambda write: write.update(
            payout,
            actions=[Payout.status.set("PAID"), Payout.paid_at.set(now)],
            condition=Payout.status == "REQUESTED",
        ),
    )
    if not posted.new:
        return []
    payout.status, payout.paid_at = "PAID", now
    return [DomainEvent.of("PayoutPaid", payout.view())]


# ------------------------------------------------------------------ reads for the API


def wallet_entries(customer_id: str, limit: int, cursor: str | None) -> tuple[list[Entry], dict]:
    """A page of the customer's wallet entries, newest first, and the last key read (None at
    the end). Raises BadRequest INVALID_CURSOR."""
    partition = f"ACCOUNT#wallet:{customer_id}"
    page = Entry.query(
        partition,
        Entry.sk.startswith("ENTRY#"),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=page_start(cursor, ("pk", "sk"), {"pk": partition}, {"sk": "ENTRY#"}),
    )
    return list(page), page.last_evaluated_key


def payouts_of(seller_id: str, limit: int = 100) -> list[dict]:
    """The seller's latest payouts, newest first (their API views)."""
    items = Payout.by_gsi1.query(f"SELLER#{seller_id}", scan_index_forward=False, limit=limit)
    return [p.view() for p in items]


def escrow_shown(order_id: str, caller: Principal) -> dict:
    """The order's escrow as ``caller`` may see it: whole for its buyer and staff; a seller
    of the order sees their own share, and ``held`` is what is held for them. Amounts as
    ``{amount, currency}`` in minor units. Raises NotFound ESCROW_NOT_FOUND for anyone else,
    as when there is no escrow."""
    escrow = get_or_404(
        Escrow, *Escrow.key(order_id), code="ESCROW_NOT_FOUND", detail="No escrow for this order."
    )
    whole = escrow.customer_id == caller.id or caller.has_any("staff", "admin")
    if not (whole or caller.seller_id in escrow.shares):
        raise NotFound("No escrow for this order.", code="ESCROW_NOT_FOUND")
    shares = {
        seller: share
        for seller, share in sorted(escrow.shares.items())
        if whole or seller == caller.seller_id
    }
    if whole:
        held = balance(f"escrow:{order_id}")
    else:
        held = 0 if escrow.status == "RELEASED" else domain.share_held(shares[caller.seller_id])

    def money(amount) -> dict:
        return {"amount": int(amount), "currency": escrow.currency}

    return {
        "orderId": order_id,
        "status": escrow.status,
        "held": money(held),
        "sellers": [
            {
                "sellerId": seller,
                "items": money(s["items"]),
                "freight": money(s["freight"]),
                "refunded": money(int(s["refundedItems"]) + int(s["refundedFreight"])),
            }
            for seller, s in shares.items()
        ],
        "disputed": bool(escrow.disputes),
        "releaseAt": escrow.release_at,
        "releasedAt": escrow.released_at,
    }
