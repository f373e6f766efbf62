"""Ledger API: the buyer's wallet, a seller's balance and payouts, an order's escrow, and
the books for staff.

- ``GET /wallet``, ``GET /wallet/transactions``, ``POST /wallet/top-ups`` (customer)
- ``GET /sellers/{sellerId}/balance``, ``GET|POST /sellers/{sellerId}/payouts`` (that seller
  or staff)
- ``GET /orders/{orderId}/escrow`` (the buyer, a seller of the order, staff)
- ``GET /admin/ledger/trial-balance``, ``GET /admin/ledger/accounts/{account}`` (staff)
- ``POST /admin/vouchers``, ``GET /admin/vouchers/{code}`` (staff: issue and inspect gift
  vouchers), ``GET /vouchers/{code}`` (any signed-in account: a voucher's balance)
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ledger import service
from titan import clock, ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import Principal, bearer, require
from titan.cards import CardIn
from titan.errors import Conflict, NotFound, Unprocessable
from titan.events import publish
from titan.idempotency import idempotent, require_key
from titan.ids import derived_id
from titan.paging import page_cursor
from titan.schemas import Money

app = create_app()
CURRENCY = "BRL"
SELLER_ID = ids.SOURCE_ID
ACCOUNT = r"^[a-z]+:[A-Za-z0-9_:-]{1,120}$"


class WalletOut(BaseModel):
    customerId: str
    balance: Money


class TransactionOut(BaseModel):
    txnId: str
    kind: str = Field(description="TOP_UP, WALLET_AUTHORIZATION, WALLET_VOID, REFUND, ...")
    amount: Money = Field(description="Signed: + into the account, - out of it")
    postedAt: str


class TransactionPage(BaseModel):
    transactions: list[TransactionOut]
    cursor: str | None = Field(None, description="Pass as ?cursor= for the next page")


class TopUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Annotated[int, Field(ge=100, le=service.MAX_TOP_UP, description="Minor units")]
    card: CardIn


class TopUpOut(BaseModel):
    topUpId: str
    amount: Money
    balance: Money


class SellerBalanceOut(BaseModel):
    sellerId: str
    available: Money = Field(description="Released from escrow, not yet paid out")


class PayoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Annotated[int, Field(ge=1, description="Minor units")]


class PayoutOut(BaseModel):
    payoutId: str
    sellerId: str
    amount: Money
    status: str = Field(description="REQUESTED, then PAID")
    requestedAt: str
    paidAt: str | None = None


class PayoutPage(BaseModel):
    payouts: list[PayoutOut]


class SellerShareOut(BaseModel):
    sellerId: str
    items: Money
    freight: Money
    refunded: Money


class EscrowOut(BaseModel):
    orderId: str
    status: str = Field(description="HELD or RELEASED")
    held: Money = Field(description="What the escrow account holds now")
    sellers: list[SellerShareOut]
    disputed: bool = Field(description="A return is open: no release meanwhile")
    releaseAt: str | None = None
    releasedAt: str | None = None


class TrialBalanceOut(BaseModel):
    accounts: int
    total: int = Field(description="Sum of all balances, minor units: 0 when the books balance")
    mismatched: list[str] = Field(description="Accounts whose balance is not their entries' sum")


class AccountOut(BaseModel):
    account: str
    balance: Money
    entriesSum: Money


def _money(amount: int, currency: str = CURRENCY) -> Money:
    return Money.of(amount, currency)


@app.get("/wallet", tags=["wallet"], summary="My wallet balance", security=bearer("customer"))
def get_wallet() -> WalletOut:
    customer = require(app).id
    return WalletOut(customerId=customer, balance=_money(service.balance(f"wallet:{customer}")))


@app.get(
    "/wallet/transactions",
    tags=["wallet"],
    summary="My wallet's movements, newest first",
    security=bearer("customer"),
)
def wallet_transactions(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> TransactionPage:
    entries, last = service.wallet_entries(require(app).id, limit, cursor)
    items = [
        TransactionOut(
            txnId=e.txn_id, kind=e.kind, amount=_money(e.amount, e.currency), postedAt=e.posted_at
        )
        for e in entries
    ]
    return TransactionPage(transactions=items, cursor=page_cursor(last))


@app.post(
    "/wallet/top-ups",
    tags=["wallet"],
    summary="Add money to my wallet (sandbox card)",
    security=bearer("customer"),
    responses=answers(201, TopUpOut),
)
def top_up(body: TopUpIn) -> Response[TopUpOut]:
    """Charges the card (authorized and captured at once) and credits the wallet. Needs an
    Idempotency-Key. 402 PAYMENT_DECLINED, 422 INVALID_CARD."""
    customer = require(app).id
    # Named by the key: a retry after a crash charges the same top-up, not a second one.
    top_up_id = derived_id("top", customer, require_key(app))

    card = body.card.model_dump(exclude_none=True)
    run = lambda: service.top_up_by_card(customer, top_up_id, body.amount, CURRENCY, card)  # noqa: E731
    done = idempotent(app, "wallet-top-up", customer, body.model_dump(mode="json"), run)
    return Response(
        201,
        "application/json",
        TopUpOut(
            topUpId=done["topUpId"],
            amount=_money(done["amount"]),
            balance=_money(service.balance(f"wallet:{customer}")),
        ),
    )


VOUCHER_CODE = r"^[A-Z0-9][A-Z0-9_-]{2,31}$"
#: The largest gift voucher staff may issue (minor units): R$ 50.000,00.
MAX_VOUCHER = 5_000_000


class VoucherIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(pattern=VOUCHER_CODE, description="Upper-case letters, digits")]
    amount: Annotated[int, Field(ge=1, le=MAX_VOUCHER, description="Minor units")]
    currency: Literal["BRL"] = "BRL"
    expiresAt: AwareDatetime
    note: Annotated[str, Field(max_length=200)] | None = None


class VoucherOut(BaseModel):
    code: str
    issued: Money
    balance: Money
    expiresAt: str
    expired: bool


class VoucherAdminOut(VoucherOut):
    issuedBy: str
    note: str | None = None
    createdAt: str


def _voucher_out(voucher, admin: bool = False) -> VoucherOut:
    fields = {
        "code": voucher.code,
        "issued": _money(voucher.issued, voucher.currency),
        "balance": _money(service.balance(f"voucher:{voucher.code}"), voucher.currency),
        "expiresAt": voucher.expires_at,
        "expired": voucher.expires_at <= clock.iso(),
    }
    if not admin:
        return VoucherOut(**fields)
    return VoucherAdminOut(
        **fields, issuedBy=voucher.issued_by, note=voucher.note, createdAt=voucher.created_at
    )


def _voucher(code: str):
    try:
        return service.get_voucher(code)
    except LookupError as exc:
        raise NotFound("No such voucher.", code="VOUCHER_NOT_FOUND") from exc


@app.post(
    "/admin/vouchers",
    tags=["ledger admin"],
    summary="Issue a gift voucher",
    security=bearer("admin", "staff"),
    responses=answers(201, VoucherAdminOut),
)
def issue_voucher(body: VoucherIn) -> Response[VoucherAdminOut]:
    """A gift voucher of ``amount``, funded by the platform's promotions account, usable until
    ``expiresAt`` as a checkout payment (``{"method": "voucher", "voucherCode"}``), in part
    or whole. 409 VOUCHER_EXISTS for a code already issued; 422 for an expiry in the past.
    Takes an Idempotency-Key."""
    caller = require(app)
    try:
        expires = clock.iso(body.expiresAt)
    except (OverflowError, ValueError) as exc:  # beyond year 9999 once in UTC
        raise Unprocessable("expiresAt is out of range.", code="VALIDATION_FAILED") from exc
    if expires <= clock.iso():
        raise Unprocessable("expiresAt must be in the future.", code="VALIDATION_FAILED")

    def run() -> dict:
        try:
            service.issue_voucher(
                body.code, body.amount, body.currency, expires, caller.id, body.note
            )
        except service.VoucherExists as exc:
            raise Conflict("A voucher with this code exists.", code="VOUCHER_EXISTS") from exc
        return {"code": body.code}

    done = idempotent(app, "voucher-issue", caller.id, body.model_dump(mode="json"), run)
    return Response(201, "application/json", _voucher_out(_voucher(done["code"]), admin=True))


@app.get(
    "/admin/vouchers/<code>",
    tags=["ledger admin"],
    summary="A gift voucher",
    security=bearer("admin", "staff"),
)
def get_voucher_admin(code: Annotated[str, Path(pattern=VOUCHER_CODE)]) -> VoucherAdminOut:
    return _voucher_out(_voucher(code), admin=True)


@app.get(
    "/vouchers/<code>",
    tags=["wallet"],
    summary="A gift voucher's balance",
    security=bearer(),
)
def get_voucher(code: Annotated[str, Path(pattern=VOUCHER_CODE)]) -> VoucherOut:
    """Whoever holds the code may read its balance and expiry (a voucher is a bearer
    instrument); 404 VOUCHER_NOT_FOUND."""
    return _voucher_out(_voucher(code))


def _seller(seller_id: str) -> Principal:
    caller = require(app)
    caller.require_seller(seller_id)
    return caller


@app.get(
    "/sellers/<sellerId>/balance",
    tags=["seller finance"],
    summary="A seller's balance",
    security=bearer("admin", "seller", "staff"),
)
def seller_balance(sellerId: Annotated[str, Path(pattern=SELLER_ID)]) -> SellerBalanceOut:
    """That seller or staff; others 404."""
    _seller(sellerId)
    return SellerBalanceOut(
        sellerId=sellerId, available=_money(service.balance(f"seller:{sellerId}"))
    )


@app.post(
    "/sellers/<sellerId>/payouts",
    tags=["seller finance"],
    summary="Request a payout",
    security=bearer("admin", "seller", "staff"),
    responses=answers(201, PayoutOut),
)
def request_payout(
    sellerId: Annotated[str, Path(pattern=SELLER_ID)], body: PayoutIn
) -> Response[PayoutOut]:
    """From the available balance to the seller's bank. Needs an Idempotency-Key. 409
    INSUFFICIENT_BALANCE."""
    caller = _seller(sellerId)
    payout_id = derived_id("pyt", caller.id, sellerId, require_key(app))

    def run() -> dict:
        try:
            payout, events = service.request_payout(payout_id, sellerId, body.amount, CURRENCY)
        except service.InsufficientFunds as exc:
            raise Conflict(
                "The available balance is lower than this payout.", code="INSUFFICIENT_BALANCE"
            ) from exc
        publish(events)
        return payout.view()

    view = idempotent(app, "payout", caller.id, {"seller": sellerId, **body.model_dump()}, run)
    return Response(201, "application/json", PayoutOut(**view))


@app.get(
    "/sellers/<sellerId>/payouts",
    tags=["seller finance"],
    summary="A seller's payouts",
    security=bearer("admin", "seller", "staff"),
)
def list_payouts(sellerId: Annotated[str, Path(pattern=SELLER_ID)]) -> PayoutPage:
    _seller(sellerId)
    return PayoutPage(payouts=[PayoutOut(**p) for p in service.payouts_of(sellerId)])


@app.get(
    "/orders/<orderId>/escrow",
    tags=["seller finance"],
    summary="An order's escrow",
    security=bearer(),
)
def get_escrow(orderId: Annotated[str, Path(pattern=ids.pattern("ord"))]) -> EscrowOut:
    """The buyer, a seller of the order, or staff; others 404 ESCROW_NOT_FOUND. A seller sees
    their own share only, and ``held`` is what is held for them."""
    return EscrowOut(**service.escrow_shown(orderId, require(app)))


@app.get(
    "/admin/ledger/trial-balance",
    tags=["ledger admin"],
    summary="Do the books balance?",
    security=bearer("admin", "staff"),
)
def trial_balance() -> TrialBalanceOut:
    """Staff. Reads every account and entry (an audit; slow on a big ledger)."""
    require(app)
    return TrialBalanceOut(**service.trial_balance())


@app.get(
    "/admin/ledger/accounts/<account>",
    tags=["ledger admin"],
    summary="One account",
    security=bearer("admin", "staff"),
)
def get_account(account: Annotated[str, Path(pattern=ACCOUNT)]) -> AccountOut:
    """Staff. Its balance and the sum of its entries (equal, or the books are wrong)."""
    require(app)
    return AccountOut(
        account=account,
        balance=_money(service.balance(account)),
        entriesSum=_money(service.entries_sum(account)),
    )


handler = lambda_handler(app)
