"""Orders over the API: who sees what, a seller's part of a multi-seller order."""

from __future__ import annotations

import json

from apigw import call
from contracts.orders import OrderPlaced
from orders import api as orders_api
from tests.unit.shop import ANA, BIA, CUSTOMER, P1, SELLER, STAFF
from titan import clock


def test_orders_are_visible_to_their_customer_sellers_and_staff(world):
    from cart import service as cart
    from tests.unit.checkout_tests.saga import card as card_payment
    from tests.unit.checkout_tests.saga import checkout as run_checkout

    cart.add(CUSTOMER, P1, SELLER, 1)
    placed = run_checkout([card_payment()])["ok"]
    path = f"/orders/{placed['orderId']}"
    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    for who in (ANA, STAFF, seller):
        assert call(orders_api.handler, "GET", path, authorizer=who)[0] == 200
    assert call(orders_api.handler, "GET", path, authorizer=BIA)[0] == 404
    listed = call(orders_api.handler, "GET", f"/orders?sellerId={SELLER}", authorizer=seller)
    assert [o["orderId"] for o in listed[2]["orders"]] == [placed["orderId"]]
    for state, count in (("CONFIRMED", 1), ("SHIPPED", 0)):
        path_state = f"/orders?sellerId={SELLER}&status={state}"
        shown = call(orders_api.handler, "GET", path_state, authorizer=seller)[2]
        assert len(shown["orders"]) == count
    for move in ("ship", "deliver"):  # delivered is never the seller's word
        refused = call(orders_api.handler, "POST", f"{path}/{move}", authorizer=seller)
        assert refused[0] == 403
    assert (
        call(orders_api.handler, "POST", f"{path}/deliver", authorizer=STAFF)[2]["code"]
        == "INVALID_STATUS_CHANGE"
    )
    assert (
        call(orders_api.handler, "POST", f"{path}/ship", authorizer=STAFF)[2]["status"] == "SHIPPED"
    )
    late = call(orders_api.handler, "POST", f"{path}/cancel", authorizer=ANA)
    assert (late[0], late[2]["code"]) == (409, "ORDER_NOT_CANCELLABLE")
    assert (
        call(orders_api.handler, "POST", f"{path}/deliver", authorizer=STAFF)[2]["status"]
        == "DELIVERED"
    )


def test_a_seller_of_a_two_seller_order_sees_only_their_part(world):
    from ledger import api as ledger_api
    from ledger import service as ledger
    from orders.store import Order, SellerOrder

    other = "f" * 32
    order_id = "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D2"
    line = lambda n, seller, price: {  # noqa: E731
        "lineId": f"{order_id}-{n}",
        "productId": P1,
        "sellerId": seller,
        "offerId": f"off_{n}",
        "quantity": 1,
        "unitPrice": price,
        "freight": 500,
    }
    now = clock.iso()
    Order(
        *Order.key(order_id),
        order_id=order_id,
        customer_id=CUSTOMER,
        status="DELIVERED",
        subtotal=3000,
        freight=1000,
        total=4000,
        lines=[line(1, SELLER, 1000), line(2, other, 2000)],
        payments=[
            {
                "paymentId": "pay_1",
                "method": "card",
                "amount": {"amount": 4000, "currency": "BRL"},
                "installments": 1,
                "status": "CAPTURED",
            }
        ],
        contact={"name": "Ana", "email": "ana@example.com", "address": {"street": "Rua A"}},
        history=[{"status": "DELIVERED", "at": now}],
        seller_ids={SELLER, other},
        created_at=now,
        updated_at=now,
    ).save()
    SellerOrder(*SellerOrder.key(SELLER, now, order_id), order_id=order_id).save()
    brl = {"currency": "BRL"}

    def line(n: int, seller: str, price: int) -> dict:
        return {
            "lineId": f"{order_id}-{n}",
            "cartLineId": f"line_{n}",
            "productId": P1,
            "sellerId": seller,
            "offerId": f"off_{n:020d}",
            "quantity": 1,
            "title": "t",
            "unitPrice": {"amount": price, **brl},
            "freight": {"amount": 500, **brl},
        }

    placed = {
        "orderId": order_id,
        "checkoutId": order_id.replace("ord_", "chk_"),
        "customerId": CUSTOMER,
        "customerEmail": "ana@example.com",
        "customerName": "Ana",
        "status": "CONFIRMED",
        "total": {"amount": 4000, **brl},
        "lines": [line(1, SELLER, 1000), line(2, other, 2000)],
        "payments": [],
        "discount": {"amount": 0, **brl},
    }
    ledger.open_escrow(OrderPlaced.model_validate(placed))
    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    status, _, seen = call(orders_api.handler, "GET", f"/orders/{order_id}", authorizer=seller)
    assert status == 200
    assert [x["sellerId"] for x in seen["lines"]] == [SELLER]
    assert seen["totals"]["total"]["amount"] == 1500 and seen["payments"] == []
    assert seen["customerId"] is None and seen["shippingAddress"] is None  # delivered: not needed
    assert "ana@example.com" not in json.dumps(seen) and "2000" not in json.dumps(seen["lines"])
    listed = call(orders_api.handler, "GET", f"/orders?sellerId={SELLER}", authorizer=seller)[2]
    assert {x["sellerId"] for o in listed["orders"] for x in o["lines"]} == {SELLER}
    # the buyer and staff see the whole order
    for who in (ANA, STAFF):
        whole = call(orders_api.handler, "GET", f"/orders/{order_id}", authorizer=who)[2]
        assert len(whole["lines"]) == 2 and whole["payments"]
    escrow = call(ledger_api.handler, "GET", f"/orders/{order_id}/escrow", authorizer=seller)[2]
    assert [s["sellerId"] for s in escrow["sellers"]] == [SELLER]
    assert escrow["held"]["amount"] == 1500
    whole = call(ledger_api.handler, "GET", f"/orders/{order_id}/escrow", authorizer=ANA)[2]
    assert len(whole["sellers"]) == 2


def test_a_seller_sees_the_address_while_they_have_a_parcel_to_ship(world):
    from cart import service as cart
    from tests.unit.checkout_tests.saga import card as card_payment
    from tests.unit.checkout_tests.saga import checkout as run_checkout

    cart.add(CUSTOMER, P1, SELLER, 1)
    placed = run_checkout([card_payment()])["ok"]
    path = f"/orders/{placed['orderId']}"
    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    assert call(orders_api.handler, "GET", path, authorizer=seller)[2]["shippingAddress"]
