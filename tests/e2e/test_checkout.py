"""The shopping core over HTTP on the local cloud: cart → checkout (Step Functions EXPRESS) →
order, with real refusals and compensations, races for the last unit, a concurrent
Idempotency-Key, boleto settlement by signed webhook, cancellation, coupons and the e-mail.
Each test makes its own seller, product and offer, so it runs on a seeded or empty catalog."""

from __future__ import annotations

import threading
import uuid

import pytest
import requests

from localcloud import seed
from shopper import HttpError, Shopper, new_customer, new_offer
from tests.e2e import polling
from titan.webhooks import sign

CONSUMER_TIMEOUT_S = 60
CARD_OK = {"method": "card", "card": {"number": "4242424242424242"}}
CARD_DECLINED = {"method": "card", "card": {"number": "4000000000000002"}}


def until(read, accept, what: str):
    """Poll until an event consumer has done ``what``."""
    return polling.until(read, accept, what, CONSUMER_TIMEOUT_S)


@pytest.fixture(scope="module")
def staff(cloud, api_url) -> Shopper:
    return Shopper(api_url, token=seed.admin_token(api_url, cloud))


@pytest.fixture
def offer(staff, api_url) -> dict:
    """A new seller's offer (R$ 89,90 + R$ 15,00 freight) with its opening stock of 50."""
    created = new_offer(api_url, staff.token)
    assert available(staff, created) == 50
    return created


def customer(api_url) -> Shopper:
    return new_customer(api_url)


def available(staff, offer) -> int:
    return staff.call("GET", f"/inventory/offers/{offer['offerId']}").json()["available"]


def test_card_checkout_order_cart_and_email(api_url, staff, offer):
    ana = customer(api_url)
    ana.add(offer["productId"], offer["sellerId"], 2)
    cart = ana.call("GET", "/cart").json()
    assert cart["total"] == {"amount": 2 * (8990 + 1500), "currency": "BRL"}
    key = str(uuid.uuid4())
    placed = ana.checkout([{**CARD_OK, "installments": 3}], key=key)
    body = placed.json()
    assert body["status"] == "CONFIRMED" and body["total"]["amount"] == 20980
    assert (
        ana.checkout([{**CARD_OK, "installments": 3}], key=key).json() == body
    )  # replay: same answer
    order = ana.call("GET", f"/orders/{body['orderId']}").json()
    assert order["lines"][0] | {"lineId": None} == order["lines"][0] | {
        "lineId": None,
        "productId": offer["productId"],
        "sellerId": offer["sellerId"],
        "quantity": 2,
        "unitPrice": {"amount": 8990, "currency": "BRL"},
        "freight": {"amount": 3000, "currency": "BRL"},
    }
    assert [p["status"] for p in order["payments"]] == ["CAPTURED"]
    assert [h["status"] for h in order["statusHistory"]] == ["PENDING_PAYMENT", "CONFIRMED"]
    assert [o["orderId"] for o in ana.call("GET", "/orders").json()["orders"]] == [body["orderId"]]
    assert available(staff, offer) == 48
    until(
        lambda: ana.call("GET", "/cart").json()["lines"], lambda lines: lines == [], "cart emptied"
    )
    ses = f"{api_url.split('/_aws/')[0]}/_aws/ses"
    until(
        lambda: requests.get(ses, timeout=10).json()["messages"],
        lambda messages: any(body["orderId"] in m["Subject"] for m in messages),
        "order confirmation e-mail",
    )
    other = customer(api_url)
    assert other.call("GET", f"/orders/{body['orderId']}", expect=None).status_code == 404


def test_declined_card_is_402_and_nothing_is_held(api_url, staff, offer):
    ana = customer(api_url)
    ana.add(offer["productId"], offer["sellerId"], 3)
    refused = ana.checkout([CARD_DECLINED], expect=(402,))
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert (
        refused.json()["code"] == "PAYMENT_DECLINED"
        and refused.json()["declineCode"] == "card_declined"
    )
    assert available(staff, offer) == 50
    assert ana.call("GET", "/orders").json()["orders"] == []
    assert len(ana.call("GET", "/cart").json()["lines"]) == 1  # the cart stays for another try


def test_two_checkouts_race_for_the_last_unit(api_url, staff, offer):
    first = customer(api_url)
    first.add(offer["productId"], offer["sellerId"], 49)
    first.checkout([CARD_OK])
    assert available(staff, offer) == 1
    racers = [customer(api_url) for _ in range(2)]
    for racer in racers:
        racer.add(offer["productId"], offer["sellerId"], 1)
    results, barrier = [], threading.Barrier(2)

    def go(racer):
        barrier.wait()
        results.append(racer.checkout([CARD_OK], expect=None))

    threads = [threading.Thread(target=go, args=(r,)) for r in racers]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
    assert next(r for r in results if r.status_code == 409).json()["code"] == "OUT_OF_STOCK"
    assert available(staff, offer) == 0


def test_one_idempotency_key_sent_twice_at_once_makes_one_order(api_url, offer):
    ana = customer(api_url)
    ana.add(offer["productId"], offer["sellerId"], 1)
    key, results, barrier = str(uuid.uuid4()), [], threading.Barrier(2)

    def go():
        barrier.wait()
        results.append(ana.checkout([CARD_OK], key=key, expect=None))

    threads = [threading.Thread(target=go) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    codes = sorted(r.status_code for r in results)
    assert codes in ([201, 201], [201, 409]), [r.text for r in results]
    orders = ana.call("GET", "/orders").json()["orders"]
    assert len(orders) == 1
    assert all(r.json()["orderId"] == orders[0]["orderId"] for r in results if r.status_code == 201)
    assert [p["status"] for p in orders[0]["payments"]] == ["CAPTURED"]


def test_boleto_waits_for_the_signed_webhook(api_url, cloud, staff, offer):
    ana = customer(api_url)
    ana.add(offer["productId"], offer["sellerId"], 1)
    placed = ana.checkout([{"method": "boleto"}]).json()
    assert placed["status"] == "PENDING_PAYMENT"
    order = ana.call("GET", f"/orders/{placed['orderId']}").json()
    boleto = order["payments"][0]
    assert boleto["status"] == "PENDING" and boleto["dueAt"]
    forged = requests.post(
        f"{api_url}/payments/webhooks/sandbox",
        json={"type": "boleto.paid", "paymentId": boleto["paymentId"], "amount": 10490},
        headers={"X-Titan-Signature": "t=1,v1=00"},
        timeout=30,
    )
    assert forged.status_code == 401 and forged.json()["code"] == "INVALID_SIGNATURE"
    secret = cloud["PaymentWebhookSecret"]
    assert len(secret) >= 32  # made at deploy, no default
    # a signed body that is not a notification object is 422, not a crash
    for raw in (b"[1]", b"null", b'"x"', b'{"type": "boleto.paid"}'):
        odd = requests.post(
            f"{api_url}/payments/webhooks/sandbox",
            data=raw,
            headers={"X-Titan-Signature": sign(secret, raw)},
            timeout=30,
        )
        assert (odd.status_code, odd.json()["code"]) == (422, "VALIDATION_FAILED"), raw
    assert ana.pay_boleto(boleto["paymentId"], 10490, secret)["events"] == 1
    assert ana.pay_boleto(boleto["paymentId"], 10490, secret)["events"] == 0  # a repeat: nothing
    confirmed = until(
        lambda: ana.call("GET", f"/orders/{placed['orderId']}").json(),
        lambda o: o["status"] == "CONFIRMED",
        "order confirmed by the payment",
    )
    assert confirmed["payments"][0]["status"] == "CAPTURED"
    until(
        lambda: staff.call("GET", f"/inventory/offers/{offer['offerId']}").json()["warehouses"][0],
        lambda w: (w["onHand"], w["reserved"]) == (49, 0),
        "reservation committed",
    )


def test_cancel_refunds_and_restocks_and_coupon_limits_hold(api_url, staff, offer):
    code = f"E2E{uuid.uuid4().hex[:8].upper()}"
    staff.call(
        "POST",
        "/admin/coupons",
        {"code": code, "type": "percentage", "value": 1000, "usageLimit": 1},
    )
    ana, bia = customer(api_url), customer(api_url)
    for shopper in (ana, bia):
        shopper.add(offer["productId"], offer["sellerId"], 1)
    placed = ana.checkout([CARD_OK], coupon=code).json()
    assert placed["total"]["amount"] == 8990 - 899 + 1500
    used_up = bia.checkout([CARD_OK], coupon=code, expect=(409,))
    assert used_up.json()["code"] == "COUPON_USAGE_LIMIT_REACHED"
    cancelled = ana.call("POST", f"/orders/{placed['orderId']}/cancel").json()
    assert cancelled["status"] == "CANCELLED"
    until(
        lambda: ana.call("GET", f"/orders/{placed['orderId']}").json()["payments"][0]["status"],
        lambda status: status == "REFUNDED",
        "payment refunded",
    )
    until(lambda: available(staff, offer), lambda n: n == 50, "stock back")
    until(
        lambda: staff.call("GET", f"/admin/coupons/{code}").json()["used"],
        lambda n: n == 0,
        "coupon use back",
    )
    assert bia.checkout([CARD_OK], coupon=code).status_code == 201
    again = ana.call("POST", f"/orders/{placed['orderId']}/ship", expect=None)
    assert again.status_code == 403


def test_bad_checkouts_are_problems(api_url, offer):
    ana = customer(api_url)
    no_key = ana.call(
        "POST",
        "/checkout",
        {"shippingAddressId": ana.address_id, "payments": [CARD_OK]},
        expect=None,
    )
    assert (no_key.status_code, no_key.json()["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    assert ana.checkout([CARD_OK], expect=(422,)).json()["code"] == "EMPTY_CART"
    ana.add(offer["productId"], offer["sellerId"], 1)
    short = ana.checkout([{"method": "boleto", "amount": 100}], expect=(422,)).json()
    assert short["code"] == "PAYMENT_AMOUNTS_MISMATCH"
    # a voucher is an instrument: no code, no payment (this paid whole orders once)
    free = ana.checkout([{"method": "voucher"}], expect=(422,)).json()
    assert (free["code"], free["errors"][0]["location"]) == ("VALIDATION_FAILED", "body.payments.0")
    bad = ana.checkout([{"method": "card"}], expect=(422,)).json()
    assert bad["code"] == "VALIDATION_FAILED"
    with pytest.raises(HttpError) as error:
        ana.add(offer["productId"], uuid.uuid4().hex, 1)
    assert error.value.code == "OFFER_UNAVAILABLE"
