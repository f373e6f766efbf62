"""Fulfilment: a package's lifecycle, tracking numbers, the seller's moves and label, the
carriers' signed webhooks, the order following its packages, late and lost parcels."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import boto3
import pytest
from pypdf import PdfReader

from apigw import call
from contracts.orders import OrderPlaced
from fulfilment import api as fulfilment_api
from fulfilment import carriers, domain, settings, sweeps
from fulfilment import service as fulfilment
from orders import service as orders
from orders.store import Order
from tests.unit.shop import ANA, BIA, CUSTOMER, P1, SELLER, STAFF
from titan import clock, webhooks

OTHER_SELLER = "e" * 32
SELLER_CALLER = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
OTHER_CALLER = {"principalId": "acct_other", "roles": "seller", "sellerId": OTHER_SELLER}
BOX = {"weightGrams": 900, "lengthCm": 25, "heightCm": 12, "widthCm": 18}


def test_the_lifecycle_allows_only_its_moves():
    domain.check_move(domain.AWAITING_PACKING, domain.PACKED)
    domain.check_move(domain.IN_TRANSIT, domain.DELIVERED)
    for current, target in (
        (domain.AWAITING_PACKING, domain.HANDED_OVER),  # no label yet
        (domain.HANDED_OVER, domain.CANCELLED),  # with the carrier: too late
        (domain.DELIVERED, domain.LOST),
        (domain.AWAITING_PAYMENT, domain.PACKED),
    ):
        with pytest.raises(domain.InvalidMove):
            domain.check_move(current, target)


def test_an_order_status_follows_its_packages():
    assert domain.order_status([domain.PACKED, domain.AWAITING_PACKING]) is None
    assert domain.order_status([domain.IN_TRANSIT, domain.PACKED]) == "PARTIALLY_SHIPPED"
    assert domain.order_status([domain.IN_TRANSIT, domain.DELIVERED]) == "SHIPPED"
    assert domain.order_status([domain.DELIVERED, domain.DELIVERED]) == "DELIVERED"
    assert domain.order_status([domain.DELIVERED, domain.CANCELLED]) == "DELIVERED"
    assert domain.order_status([domain.CANCELLED]) is None
    assert domain.order_status([domain.DELIVERED, domain.LOST]) == "DELIVERED"  # the rest
    assert domain.order_status([domain.LOST, domain.LOST]) == "SHIPPED"  # refunded, not done
    assert domain.order_status([domain.IN_TRANSIT, domain.LOST]) == "SHIPPED"


def test_tracking_numbers_carry_the_upu_s10_check_digit():
    assert domain.s10_check_digit("47312482") == 9  # the S10 standard's own example
    number = domain.tracking_number("SX", 123456789012)
    assert number == "SX" + "56789012" + str(domain.s10_check_digit("56789012")) + "BR"
    assert domain.valid_tracking_number(number)
    wrong = number[:10] + str((int(number[10]) + 1) % 10) + "BR"
    assert not domain.valid_tracking_number(wrong)
    assert not domain.valid_tracking_number("not a number!")


@pytest.fixture
def shipping(world, monkeypatch):
    """A paid order of the shop's seller, its package opened; the labels bucket and the
    carriers' secret in place."""
    boto3.client("s3").create_bucket(Bucket="titan-test-labels")
    boto3.client("secretsmanager").create_secret(Name="carrier-secret", SecretString="s3cr3t")
    monkeypatch.setattr(
        settings,
        "SETTINGS",
        settings.SETTINGS.model_copy(
            update={
                "labels_bucket": "titan-test-labels",
                "carrier_webhook_secret": "carrier-secret",
            }
        ),
    )
    from cart import service as cart
    from tests.unit.checkout_tests.saga import card, checkout

    cart.add(CUSTOMER, P1, SELLER, 2)
    placed = checkout([card()], shipping=[{"sellerId": SELLER, "service": "POST_EXPRESS"}])["ok"]
    event = world.of("OrderPlaced")[-1].payload
    assert isinstance(event, OrderPlaced) and event.orderId == placed["orderId"]
    assert fulfilment.open_packages(event) == 1
    assert fulfilment.open_packages(event) == 0  # a repeat makes nothing
    (shipment,) = fulfilment.of_order(placed["orderId"])
    return shipment


def _post_event(carrier, body: dict, secret_key=None, timestamp=None):
    raw = json.dumps(body).encode()
    key = secret_key or carriers.signing_key(carrier)
    return call(
        fulfilment_api.handler,
        "POST",
        f"/carriers/{carrier}/events",
        raw_body=raw.decode(),
        headers={"X-Titan-Signature": webhooks.sign(key, raw, timestamp)},
    )


def _labelled(shipment) -> str:
    path = f"/shipments/{shipment.package_id}"
    status, _, packed = call(
        fulfilment_api.handler, "POST", f"{path}/pack", BOX, authorizer=SELLER_CALLER
    )
    assert (status, packed["status"]) == (200, "PACKED"), packed
    status, _, bought = call(
        fulfilment_api.handler, "POST", f"{path}/label", authorizer=SELLER_CALLER
    )
    assert (status, bought["status"]) == (200, "LABEL_PURCHASED"), bought
    return bought["trackingNumber"]


def test_the_seller_packs_and_buys_a_real_pdf_label(shipping, world):
    assert shipping.status == domain.AWAITING_PACKING and shipping.handover_by
    assert shipping.service == "POST_EXPRESS" and shipping.carrier == "correio"
    path = f"/shipments/{shipping.package_id}"
    early = call(fulfilment_api.handler, "POST", f"{path}/label", authorizer=SELLER_CALLER)
    assert (early[0], early[2]["code"]) == (409, "INVALID_STATUS_CHANGE")
    number = _labelled(shipping)
    assert number.startswith("SX") and domain.valid_tracking_number(number)
    pdf = (
        boto3.client("s3")
        .get_object(Bucket="titan-test-labels", Key=f"labels/{shipping.package_id}.pdf")["Body"]
        .read()
    )
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    text = page.extract_text()
    assert number in text and "CEP 13023-000" in text and "Correio Nacional" in text
    assert round(float(page.mediabox.width) / 72 * 25.4) == 105  # A6
    status, _, label = call(
        fulfilment_api.handler, "GET", f"{path}/label", authorizer=SELLER_CALLER
    )
    assert status == 200 and "X-Amz-Signature" in label["url"] and label["expiresIn"] == 900
    queue = call(
        fulfilment_api.handler, "GET", f"/sellers/{SELLER}/shipments", authorizer=SELLER_CALLER
    )[2]["shipments"]
    assert [s["packageId"] for s in queue] == [shipping.package_id]
    assert queue[0]["shipTo"]["postalCode"]  # theirs to ship: the address shows
    moved = [e.data["status"] for e in world.of("ShipmentStatusChanged")]
    assert moved[-2:] == ["PACKED", "LABEL_PURCHASED"]


def test_no_one_else_sees_or_moves_the_package(shipping):
    path = f"/shipments/{shipping.package_id}"
    assert call(fulfilment_api.handler, "GET", path, authorizer=ANA)[0] == 200  # the buyer
    for caller in (BIA, OTHER_CALLER):
        seen = call(fulfilment_api.handler, "GET", path, authorizer=caller)
        assert (seen[0], seen[2]["code"]) == (404, "SHIPMENT_NOT_FOUND")
    for caller in (ANA, OTHER_CALLER):  # the buyer cannot pack it either
        packed = call(fulfilment_api.handler, "POST", f"{path}/pack", BOX, authorizer=caller)
        assert packed[0] in (403, 404)
    queue = call(
        fulfilment_api.handler, "GET", f"/sellers/{SELLER}/shipments", authorizer=OTHER_CALLER
    )
    assert (queue[0], queue[2]["code"]) == (404, "SELLER_NOT_FOUND")
    bad = call(
        fulfilment_api.handler,
        "POST",
        f"{path}/pack",
        {**BOX, "weightGrams": 0},
        authorizer=SELLER_CALLER,
    )
    assert bad[0] == 422


def test_carrier_events_move_the_parcel_and_the_order_to_delivered(shipping, world):
    number = _labelled(shipping)
    order_id = shipping.order_id
    codes = ("PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED")
    for i, code in enumerate(codes):
        body = {
            "eventId": f"ev{i}",
            "trackingNumber": number,
            "code": code,
            "at": clock.iso(),
            "location": "Campinas SP",
        }
        status, _, answer = _post_event("correio", body)
        assert (status, answer["events"]) == (200, 1), answer
        again = _post_event("correio", body)  # a webhook delivered twice
        assert again[2]["events"] == 0
    changes = [e.data for e in world.of("ShipmentStatusChanged")]
    assert [c["status"] for c in changes[-4:]] == [
        "HANDED_OVER",
        "IN_TRANSIT",
        "OUT_FOR_DELIVERY",
        "DELIVERED",
    ]
    assert changes[-4]["orderStatus"] == "SHIPPED" and changes[-1]["orderStatus"] == "DELIVERED"
    assert "orderStatus" not in changes[-3]  # told once per change
    # the orders context follows
    order = Order.get(*Order.key(order_id))
    for change in changes[-4:]:
        if change.get("orderStatus"):
            events = orders.follow_packages(order, change["orderStatus"], change["at"])
            assert len(events) == 1
    assert order.status == "DELIVERED"
    assert orders.follow_packages(order, "SHIPPED", clock.iso()) == []  # old news
    tracked = call(fulfilment_api.handler, "GET", f"/tracking/{number}")[2]
    assert tracked["status"] == "DELIVERED" and len(tracked["timeline"]) >= 7
    assert not {"shipTo", "packageId", "orderId", "sellerId"} & set(tracked)
    assert "Campinas SP" in {e.get("location") for e in tracked["timeline"]}


def test_forged_stale_or_foreign_events_are_refused(shipping):
    number = _labelled(shipping)
    body = {"eventId": "x1", "trackingNumber": number, "code": "PICKED_UP", "at": clock.iso()}
    forged = _post_event("correio", body, secret_key="guess")
    assert (forged[0], forged[2]["code"]) == (401, "SIGNATURE_INVALID")
    stale = _post_event("correio", body, timestamp=clock.epoch_seconds() - 3600)
    assert stale[0] == 401
    foreign = _post_event("rapido", body)  # signed by rapido, for correio's parcel
    assert (foreign[0], foreign[2]["code"]) == (404, "SHIPMENT_NOT_FOUND")
    unknown = _post_event("correio", {**body, "code": "TELEPORTED"})
    assert (unknown[0], unknown[2]["code"]) == (422, "EVENT_INVALID")
    early = _post_event("correio", {**body, "code": "DELIVERED"})  # not yet picked up
    assert (early[0], early[2]["code"]) == (409, "INVALID_STATUS_CHANGE")
    assert fulfilment.get(shipping.package_id).status == "LABEL_PURCHASED"


def test_the_sandbox_control_signs_as_the_carrier_and_staff_can_act(shipping):
    number = _labelled(shipping)
    path = f"/sandbox/carriers/correio/parcels/{number}/events"
    denied = call(
        fulfilment_api.handler, "POST", path, {"code": "PICKED_UP"}, authorizer=SELLER_CALLER
    )
    assert denied[0] == 403
    moved = call(fulfilment_api.handler, "POST", path, {"code": "PICKED_UP"}, authorizer=STAFF)
    assert (moved[0], moved[2]["events"]) == (200, 1)
    by_hand = call(
        fulfilment_api.handler,
        "POST",
        f"/shipments/{shipping.package_id}/status",
        {"status": "DELIVERED", "reason": "carrier confirmed by phone"},
        authorizer=STAFF,
    )
    assert by_hand[2]["status"] == "DELIVERED"
    assert by_hand[2]["timeline"][-1]["reason"] == "carrier confirmed by phone"


def test_late_hand_overs_are_reported_once_and_silent_parcels_are_lost(shipping, world):
    clock.freeze(clock.now() + timedelta(days=settings.SETTINGS.handover_days, hours=1))
    try:
        late = sweeps.report_late()
        assert [e.data["packageId"] for e in late] == [shipping.package_id]
        assert sweeps.report_late() == []
    finally:
        clock.unfreeze()
    number = _labelled(shipping)
    _post_event(
        "correio",
        {"eventId": "p", "trackingNumber": number, "code": "PICKED_UP", "at": clock.iso()},
    )
    assert sweeps.declare_lost() == []
    clock.freeze(clock.now() + timedelta(days=settings.SETTINGS.lost_after_days, hours=1))
    try:
        lost = sweeps.declare_lost()
    finally:
        clock.unfreeze()
    assert [e.data["status"] for e in lost] == ["LOST"]
    assert fulfilment.get(shipping.package_id).status == "LOST"


def test_a_cancelled_order_cancels_packages_not_yet_handed_over(shipping):
    events = fulfilment.order_cancelled(shipping.order_id)
    assert [e.data["status"] for e in events] == ["CANCELLED"]
    assert fulfilment.order_cancelled(shipping.order_id) == []


def test_an_approved_return_gets_a_prepaid_label_the_carrier_brings_back(shipping, world):
    from contracts.returns import ReturnApproved

    approved = ReturnApproved(
        returnId="ret_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
        kind="RETURN",
        orderId=shipping.order_id,
        customerId=shipping.customer_id,
        status="APPROVED",
        refundTo="original",
        amount={"amount": 3499, "currency": "BRL"},
        lines=[
            {"lineId": shipping.line_ids[0], "offerId": "off_x", "sellerId": SELLER, "quantity": 1}
        ],
    )
    (ready,) = fulfilment.open_return(approved)
    assert fulfilment.open_return(approved) == []  # a repeat issues nothing
    assert (ready.data["direction"], ready.data["status"]) == ("RETURN", "LABEL_PURCHASED")
    package_id = ready.data["packageId"]
    status, _, label = call(
        fulfilment_api.handler, "GET", f"/shipments/{package_id}/label", authorizer=ANA
    )
    assert status == 200, label  # the buyer prints it
    returned = fulfilment.get(package_id)
    assert returned.ship_to["postalCode"] == "13023"  # to the seller
    assert returned.origin_zip == shipping.ship_to["postalCode"]  # from the buyer
    number = ready.data["trackingNumber"]
    for i, code in enumerate(("PICKED_UP", "DELIVERED")):
        body = {"eventId": f"r{i}", "trackingNumber": number, "code": code, "at": clock.iso()}
        assert _post_event("correio", body)[2]["events"] == 1
    back = world.of("ShipmentStatusChanged")[-1].data
    assert (back["status"], back["returnId"]) == ("DELIVERED", approved.returnId)
    assert "orderStatus" not in back  # a return parcel does not move the order
    answer = call(
        fulfilment_api.handler, "GET", f"/orders/{shipping.order_id}/shipments", authorizer=ANA
    )
    assert answer[0] == 200, answer
    listed = answer[2]["shipments"]
    assert [s["direction"] for s in listed] == ["OUTBOUND", "RETURN"]
    stranger = call(
        fulfilment_api.handler, "GET", f"/orders/{shipping.order_id}/shipments", authorizer=BIA
    )
    assert (stranger[0], stranger[2]["code"]) == (404, "ORDER_NOT_FOUND")
    # the seller's own label of an outbound package is not the buyer's to fetch
    own = call(
        fulfilment_api.handler, "GET", f"/shipments/{shipping.package_id}/label", authorizer=ANA
    )
    assert own[0] == 404
