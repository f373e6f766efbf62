"""Returns, refunds, the wallet, escrow and payouts over HTTP on the local cloud: the refund
saga on real Step Functions (STANDARD, task tokens answered by the API), the ledger fed by
real events. After each path the books balance: every account sums to zero together and
each balance is the sum of its entries."""

from __future__ import annotations

import uuid

import pytest

from localcloud import seed
from shopper import Shopper, new_customer, new_offer
from tests.e2e import polling

TIMEOUT_S = 90
CARD_OK = {"method": "card", "card": {"number": "4242424242424242"}}
PRICE, FREIGHT = 8990, 1500


def until(read, accept, what: str):
    return polling.until(read, accept, what, TIMEOUT_S)


@pytest.fixture(scope="module")
def staff(cloud, api_url) -> Shopper:
    return Shopper(api_url, token=seed.admin_token(api_url, cloud))


def key() -> dict:
    return {"Idempotency-Key": str(uuid.uuid4())}


def delivered(api_url, staff, quantity=2, payments=None) -> tuple[Shopper, dict, dict]:
    """A new customer's order of a new offer, paid, shipped and delivered, its escrow
    funded: (customer, offer, order)."""
    offer = new_offer(api_url, staff.token)
    ana = new_customer(api_url)
    ana.add(offer["productId"], offer["sellerId"], quantity)
    placed = ana.checkout(payments or [CARD_OK]).json()
    for move in ("ship", "deliver"):
        staff.call("POST", f"/orders/{placed['orderId']}/{move}")
    order = ana.call("GET", f"/orders/{placed['orderId']}").json()
    until(
        lambda: ana.call("GET", f"/orders/{placed['orderId']}/escrow", expect=None).json(),
        lambda e: e.get("held", {}).get("amount") == placed["total"]["amount"],
        "escrow funded",
    )
    return ana, offer, order


def books_balance(staff) -> None:
    trial = staff.call("GET", "/admin/ledger/trial-balance").json()
    assert trial["total"] == 0 and trial["mismatched"] == [], trial


def return_status(ana, return_id, wanted):
    return until(
        lambda: ana.call("GET", f"/returns/{return_id}").json(),
        lambda r: r["status"] == wanted,
        f"return {wanted}",
    )


def test_return_to_card_then_to_wallet_keeps_the_books(api_url, staff):
    ana, offer, order = delivered(api_url, staff)
    total = order["totals"]["total"]["amount"]
    line = order["lines"][0]["lineId"]
    body = {"lines": [{"lineId": line, "quantity": 1, "reason": "DAMAGED"}]}
    asked = ana.call(
        "POST", f"/orders/{order['orderId']}/returns", body, headers=key(), expect=(202,)
    )
    ret = asked.json()
    assert ret["refund"] == {"amount": PRICE + FREIGHT, "currency": "BRL"}  # over the rule's limit
    return_status(ana, ret["returnId"], "PENDING_DECISION")
    again = ana.call("POST", f"/returns/{ret['returnId']}/receive", expect=None)
    assert again.status_code == 403  # the buyer does not receive their own goods
    assert staff.call("POST", f"/returns/{ret['returnId']}/approve").json()["status"] == "APPROVED"
    twice = staff.call("POST", f"/returns/{ret['returnId']}/approve", expect=(409,))
    assert twice.json()["code"] == "RETURN_NOT_PENDING"
    until(
        lambda: staff.call("POST", f"/returns/{ret['returnId']}/receive", expect=None).status_code,
        lambda status: status == 200,
        "the saga waits for the goods",
    )
    done = return_status(ana, ret["returnId"], "REFUNDED")
    assert [h["status"] for h in done["history"]] == [
        "REQUESTED",
        "PENDING_DECISION",
        "APPROVED",
        "RECEIVED",
        "REFUNDED",
    ]
    until(
        lambda: ana.call("GET", f"/orders/{order['orderId']}").json(),
        lambda o: o["payments"][0]["status"] == "PARTIALLY_REFUNDED" and o["refunds"],
        "the order shows the refund",
    )
    escrow = until(  # the saga's last step, after REFUNDED, settles the dispute
        lambda: ana.call("GET", f"/orders/{order['orderId']}/escrow").json(),
        lambda e: e["disputed"] is False,
        "the escrow no longer disputed",
    )
    assert escrow["held"]["amount"] == total - (PRICE + FREIGHT)
    stock = staff.call("GET", f"/inventory/offers/{offer['offerId']}").json()
    assert stock["available"] == 50 - 2 + 1
    # The other unit: the seller rejects a return of it; at once it may be asked for again.
    body = {"lines": [{"lineId": line, "quantity": 1, "reason": "CHANGED_MIND"}]}
    ret = ana.call(
        "POST", f"/orders/{order['orderId']}/returns", body, headers=key(), expect=(202,)
    ).json()
    return_status(ana, ret["returnId"], "PENDING_DECISION")
    refused = staff.call("POST", f"/returns/{ret['returnId']}/reject", {"reason": "used"})
    assert refused.json()["status"] == "REJECTED"
    # Then to the wallet.
    body = {
        "lines": [{"lineId": line, "quantity": 1, "reason": "CHANGED_MIND"}],
        "refundTo": "wallet",
    }
    ret = ana.call(
        "POST", f"/orders/{order['orderId']}/returns", body, headers=key(), expect=(202,)
    ).json()
    return_status(ana, ret["returnId"], "PENDING_DECISION")
    staff.call("POST", f"/returns/{ret['returnId']}/approve")
    until(
        lambda: staff.call("POST", f"/returns/{ret['returnId']}/receive", expect=None).status_code,
        lambda status: status == 200,
        "the saga waits for the goods",
    )
    return_status(ana, ret["returnId"], "REFUNDED")
    wallet = ana.call("GET", "/wallet").json()
    assert wallet["balance"] == {"amount": total - (PRICE + FREIGHT), "currency": "BRL"}
    moves = ana.call("GET", "/wallet/transactions").json()["transactions"]
    assert [(m["kind"], m["amount"]["amount"]) for m in moves] == [
        ("REFUND", wallet["balance"]["amount"])
    ]
    assert ana.call("GET", f"/orders/{order['orderId']}/escrow").json()["held"]["amount"] == 0
    more = ana.call(
        "POST",
        f"/orders/{order['orderId']}/returns",
        {"lines": [{"lineId": line, "quantity": 1, "reason": "OTHER"}]},
        headers=key(),
        expect=(409,),
    )
    assert more.json()["code"] == "RETURN_QUANTITY_EXCEEDED"
    books_balance(staff)


def test_wallet_pays_a_checkout_and_escrow_goes_to_the_seller_who_is_paid_out(api_url, staff):
    bia = new_customer(api_url)
    top = bia.call(
        "POST", "/wallet/top-ups", {"amount": 30000, "card": CARD_OK["card"]}, headers=key()
    )
    assert top.status_code == 201 and top.json()["balance"]["amount"] == 30000
    declined = bia.call(
        "POST",
        "/wallet/top-ups",
        {"amount": 1000, "card": {"number": "4000000000000002"}},
        headers=key(),
        expect=(402,),
    )
    assert declined.json()["code"] == "PAYMENT_DECLINED"
    offer = new_offer(api_url, staff.token)
    bia.add(offer["productId"], offer["sellerId"], 1)
    placed = bia.checkout([{"method": "wallet"}]).json()
    assert (
        bia.call("GET", "/wallet").json()["balance"]["amount"] == 30000 - placed["total"]["amount"]
    )
    for move in ("ship", "deliver"):
        staff.call("POST", f"/orders/{placed['orderId']}/{move}")
    until(
        lambda: bia.call("GET", f"/orders/{placed['orderId']}/escrow", expect=None).json(),
        lambda e: e.get("held", {}).get("amount") == placed["total"]["amount"],
        "escrow funded from the wallet",
    )
    bia.call("POST", f"/orders/{placed['orderId']}/confirm-receipt")
    released = until(
        lambda: bia.call("GET", f"/orders/{placed['orderId']}/escrow").json(),
        lambda e: e["status"] == "RELEASED",
        "escrow released on receipt",
    )
    assert released["held"]["amount"] == 0
    late = bia.call(
        "POST",
        f"/orders/{placed['orderId']}/returns",
        {"lines": [{"lineId": f"{placed['orderId']}-1", "quantity": 1, "reason": "OTHER"}]},
        headers=key(),
        expect=(409,),
    )
    assert late.json()["code"] == "RETURN_WINDOW_CLOSED"
    seller = offer["sellerId"]
    balance = staff.call("GET", f"/sellers/{seller}/balance").json()["available"]["amount"]
    commission = (PRICE * 1200 + 5000) // 10000
    assert balance == PRICE + FREIGHT - commission
    over = staff.call(
        "POST", f"/sellers/{seller}/payouts", {"amount": balance + 1}, headers=key(), expect=(409,)
    )
    assert over.json()["code"] == "INSUFFICIENT_BALANCE"
    payout = staff.call(
        "POST", f"/sellers/{seller}/payouts", {"amount": balance}, headers=key()
    ).json()
    until(
        lambda: staff.call("GET", f"/sellers/{seller}/payouts").json()["payouts"][0]["status"],
        lambda status: status == "PAID",
        "payout paid",
    )
    assert payout["status"] == "REQUESTED"
    assert staff.call("GET", f"/sellers/{seller}/balance").json()["available"]["amount"] == 0
    books_balance(staff)


def test_refusals_of_returns(api_url, staff):
    offer = new_offer(api_url, staff.token)
    cy = new_customer(api_url)
    cy.add(offer["productId"], offer["sellerId"], 1)
    placed = cy.checkout([CARD_OK]).json()
    body = {"lines": [{"lineId": f"{placed['orderId']}-1", "quantity": 1, "reason": "DAMAGED"}]}
    path = f"/orders/{placed['orderId']}/returns"
    assert cy.call("POST", path, body, expect=(400,)).json()["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    early = cy.call("POST", path, body, headers=key(), expect=(409,))
    assert early.json()["code"] == "ORDER_NOT_DELIVERED"
    other = new_customer(api_url)
    assert (
        other.call("POST", path, body, headers=key(), expect=(404,)).json()["code"]
        == "ORDER_NOT_FOUND"
    )
    bad = cy.call("POST", path, {"lines": [], "refundTo": "cash"}, headers=key(), expect=(422,))
    assert bad.json()["code"] == "VALIDATION_FAILED"
    assert (
        cy.call("GET", "/returns/ret_01JDQ6R8V9W3X4Y5Z6A7B8C9D0", expect=(404,)).json()["code"]
        == "RETURN_NOT_FOUND"
    )
