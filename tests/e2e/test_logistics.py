"""Logistics over HTTP on the local cloud: a two-seller order, each seller packing and
labelling their own package, the sandbox carrier moving the parcels through its signed
webhook, the buyer tracking both, the order following them, one parcel lost and refunded
through the refund saga, and the escrow clock started by the carrier's delivery."""

from __future__ import annotations

import io
import json
import uuid

import pytest
import requests
from pypdf import PdfReader

from localcloud import seed
from shopper import Shopper, new_customer, new_offer, new_seller
from tests.e2e import polling
from titan import webhooks

CARD_OK = {"method": "card", "card": {"number": "4242424242424242"}}
BOX = {"weightGrams": 1200, "lengthCm": 30, "heightCm": 12, "widthCm": 20}


def until(read, accept, what: str):
    return polling.until(read, accept, what, 90)


@pytest.fixture(scope="module")
def staff(cloud, api_url) -> Shopper:
    return Shopper(api_url, token=seed.admin_token(api_url, cloud))


@pytest.fixture(scope="module")
def two_seller_order(api_url, staff):
    """A paid order of two sellers' offers, the first shipped express: (buyer, order,
    {sellerId: (seller account, package)})."""
    offers = [new_offer(api_url, staff.token) for _ in range(2)]
    buyer = new_customer(api_url)
    for offer in offers:
        buyer.add(offer["productId"], offer["sellerId"], 1)
    options = buyer.call("GET", f"/cart/shipping-options?addressId={buyer.address_id}").json()
    assert [p["sellerId"] for p in options["packages"]] == [o["sellerId"] for o in offers]
    for package in options["packages"]:
        services = {o["service"] for o in package["options"]}
        assert {"SELLER", "POST_STANDARD", "POST_EXPRESS", "RAPIDO_ROAD"} <= services
        assert all(o["promisedBy"] > "2026" for o in package["options"])
    express = next(o for o in options["packages"][0]["options"] if o["service"] == "POST_EXPRESS")
    first = offers[0]["sellerId"]
    placed = buyer.checkout([CARD_OK], shipping={first: "POST_EXPRESS"}).json()
    order = buyer.call("GET", f"/orders/{placed['orderId']}").json()
    packages = {p["sellerId"]: p for p in order["packages"]}
    assert packages[first]["service"] == "POST_EXPRESS"
    assert packages[first]["freight"] == express["total"]
    assert order["totals"]["freight"]["amount"] == express["total"]["amount"] + 1500
    sellers = {o["sellerId"]: new_seller(api_url, staff.token, o["sellerId"]) for o in offers}
    return buyer, order, {s: (sellers[s], packages[s]) for s in sellers}


def _shipment(who: Shopper, package_id: str, status: str) -> dict:
    return until(
        lambda: who.call("GET", f"/shipments/{package_id}", expect=None).json(),
        lambda s: s.get("status") == status,
        f"package {package_id} {status}",
    )


def _carrier(staff: Shopper, number: str, code: str) -> None:
    path = f"/sandbox/carriers/correio/parcels/{number}/events"
    assert (
        staff.call("POST", path, {"code": code, "location": "CTE Campinas"}).json()["events"] == 1
    )


def test_each_seller_ships_their_package_the_buyer_tracks_both(api_url, staff, two_seller_order):
    buyer, order, by_seller = two_seller_order
    numbers = {}
    for seller_id, (seller, package) in by_seller.items():
        _shipment(seller, package["packageId"], "AWAITING_PACKING")
        queue = seller.call("GET", f"/sellers/{seller_id}/shipments").json()["shipments"]
        assert package["packageId"] in {s["packageId"] for s in queue}
        path = f"/shipments/{package['packageId']}"
        assert seller.call("POST", f"{path}/pack", BOX).json()["status"] == "PACKED"
        bought = seller.call("POST", f"{path}/label").json()
        assert bought["status"] == "LABEL_PURCHASED"
        numbers[seller_id] = bought["trackingNumber"]
        pdf = requests.get(bought["labelUrl"], timeout=30)
        assert pdf.status_code == 200, pdf.text
        assert (
            bought["trackingNumber"] in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        )
        # the other seller's package is not theirs to see
        other = next(p for s, (_, p) in by_seller.items() if s != seller_id)
        hidden = seller.call("GET", f"/shipments/{other['packageId']}", expect=None)
        assert (hidden.status_code, hidden.json()["code"]) == (404, "SHIPMENT_NOT_FOUND")
    first, second = by_seller
    _carrier(staff, numbers[first], "PICKED_UP")
    until(
        lambda: buyer.call("GET", f"/orders/{order['orderId']}").json()["status"],
        lambda s: s == "PARTIALLY_SHIPPED",
        "order partially shipped",
    )
    _carrier(staff, numbers[second], "PICKED_UP")
    for code in ("IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"):
        _carrier(staff, numbers[first], code)
    mine = _shipment(buyer, by_seller[first][1]["packageId"], "DELIVERED")
    assert [e["status"] for e in mine["timeline"]][-4:] == [
        "HANDED_OVER",
        "IN_TRANSIT",
        "OUT_FOR_DELIVERY",
        "DELIVERED",
    ]
    public = requests.get(f"{api_url}/tracking/{numbers[second]}", timeout=30).json()
    assert public["status"] == "HANDED_OVER"
    assert not {"shipTo", "packageId", "orderId", "sellerId"} & set(public)
    # the seller cannot call it delivered; the carrier did for the first package
    seller = by_seller[first][0]
    refused = seller.call("POST", f"/orders/{order['orderId']}/deliver", expect=None)
    assert refused.status_code == 403
    assert until(
        lambda: buyer.call("GET", f"/orders/{order['orderId']}").json()["status"],
        lambda s: s == "SHIPPED",
        "order shipped",
    )


def test_a_lost_parcel_is_refunded_and_the_other_delivered_starts_the_escrow_clock(
    api_url, staff, two_seller_order
):
    buyer, order, by_seller = two_seller_order
    first, second = by_seller
    lost_package = by_seller[second][1]
    _shipment(staff, lost_package["packageId"], "HANDED_OVER")
    # the carrier stopped scanning it: staff declare it lost (the hourly sweep does it after
    # LOST_AFTER_DAYS without a scan)
    moved = staff.call(
        "POST",
        f"/shipments/{lost_package['packageId']}/status",
        {"status": "LOST", "reason": "no scan for 10 days"},
    ).json()
    assert moved["carrierLiability"]["amount"] == 8990
    refunded = until(
        lambda: buyer.call("GET", f"/orders/{order['orderId']}").json(),
        lambda o: any(r["kind"] == "LOST_PARCEL" for r in o["refunds"]),
        "lost parcel refunded",
    )
    (refund,) = [r for r in refunded["refunds"] if r["kind"] == "LOST_PARCEL"]
    assert refund["amount"]["amount"] == 8990 + 1500  # its item and its freight
    escrow = until(
        lambda: buyer.call("GET", f"/orders/{order['orderId']}/escrow", expect=None).json(),
        lambda e: e.get("deliveredAt") or e.get("releaseAt"),
        "escrow clock started",
    )
    assert escrow


def test_carrier_webhooks_refuse_forged_and_foreign_events(api_url, two_seller_order):
    _, _, by_seller = two_seller_order
    body = json.dumps(
        {
            "eventId": str(uuid.uuid4()),
            "trackingNumber": "PN123456785BR",
            "code": "DELIVERED",
            "at": "2026-11-30T12:00:00Z",
        }
    ).encode()
    forged = requests.post(
        f"{api_url}/carriers/correio/events",
        data=body,
        headers={"X-Titan-Signature": webhooks.sign("guessed", body)},
        timeout=30,
    )
    assert (forged.status_code, forged.json()["code"]) == (401, "SIGNATURE_INVALID")
    unsigned = requests.post(f"{api_url}/carriers/correio/events", data=body, timeout=30)
    assert unsigned.status_code == 401
    nobody = requests.post(f"{api_url}/carriers/nobody/events", data=body, timeout=30)
    assert (nobody.status_code, nobody.json()["code"]) == (404, "UNKNOWN_CARRIER")


def test_an_approved_return_travels_back_on_its_prepaid_label(api_url, staff):
    offer = new_offer(api_url, staff.token, price=30000)  # over the auto-approval limit
    buyer = new_customer(api_url)
    # Told of everything at once (no quiet hours), in English, on a phone too.
    buyer.call("PATCH", "/me/notification-preferences", {
        "locale": "en", "quietHours": None, "phone": "+5519987650000",
        "categories": {"SHIPPING": {"SMS": True}},
    })  # fmt: skip
    device = buyer.call("POST", "/me/devices", {"platform": "FCM", "token": uuid.uuid4().hex})
    assert device.status_code == 201
    buyer.add(offer["productId"], offer["sellerId"], 1)
    placed = buyer.checkout([CARD_OK]).json()
    seller = new_seller(api_url, staff.token, offer["sellerId"])
    order_path = f"/orders/{placed['orderId']}"
    (package,) = buyer.call("GET", order_path).json()["packages"]
    path = f"/shipments/{package['packageId']}"
    _shipment(seller, package["packageId"], "AWAITING_PACKING")
    seller.call("POST", f"{path}/pack", BOX)
    number = seller.call("POST", f"{path}/label").json()["trackingNumber"]
    for code in ("PICKED_UP", "DELIVERED"):
        _carrier(staff, number, code)
    line = until(
        lambda: buyer.call("GET", order_path).json(),
        lambda o: o["status"] == "DELIVERED",
        "order delivered by the carrier",
    )["lines"][0]
    body = {"lines": [{"lineId": line["lineId"], "quantity": 1, "reason": "DAMAGED"}]}
    asked = buyer.call(
        "POST",
        f"{order_path}/returns",
        body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
        expect=(202,),
    ).json()
    until(
        lambda: buyer.call("GET", f"/returns/{asked['returnId']}").json()["status"],
        lambda s: s == "PENDING_DECISION",
        "return waiting for the seller",
    )
    seller.call("POST", f"/returns/{asked['returnId']}/approve")
    back = until(
        lambda: buyer.call("GET", f"{order_path}/shipments").json()["shipments"],
        lambda found: any(s["direction"] == "RETURN" for s in found),
        "return label issued",
    )
    parcel = next(s for s in back if s["direction"] == "RETURN")
    assert parcel["returnId"] == asked["returnId"] and parcel["status"] == "LABEL_PURCHASED"
    label = buyer.call("GET", f"/shipments/{parcel['packageId']}/label").json()
    pdf = requests.get(label["url"], timeout=30).content
    assert parcel["trackingNumber"] in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for code in ("PICKED_UP", "DELIVERED"):
        _carrier(staff, parcel["trackingNumber"], code)
    refunded = until(
        lambda: buyer.call("GET", f"/returns/{asked['returnId']}").json(),
        lambda r: r["status"] == "REFUNDED",
        "return received by the carrier's delivery and refunded",
    )
    assert refunded["refund"]["amount"] == 30000 + 1500
    _told_of_the_whole_life(api_url, buyer, seller, placed["orderId"], asked["returnId"])


#: What the buyer hears of an order's life, newest first: placed, shipped (picked up),
#: delivered, the return approved and its label, the refund.
LIFE = ["refund_completed", "return_label", "return_approved", "delivered", "shipped",
        "order_placed"]  # fmt: skip


def _told_of_the_whole_life(api_url, buyer, seller, order_id, return_id):
    inbox = until(
        lambda: buyer.call("GET", "/me/notifications?limit=50").json(),
        lambda page: sorted(n["kind"] for n in page["items"]) == sorted(LIFE),
        "the order's whole life in the buyer's inbox",
    )
    kinds = [n["kind"] for n in inbox["items"]]
    # Newest first. Events of different contexts a moment apart (the return approved and
    # its label bought; a parcel's scans posted back to back) may be told in either order.
    assert kinds[0] == "refund_completed" and kinds[-1] == "order_placed"
    assert inbox["unread"]["total"] == len(LIFE)
    assert inbox["unread"]["byCategory"] == {"ORDERS": 1, "SHIPPING": 2, "RETURNS": 3}
    assert inbox["items"][0]["title"] == f"Order {order_id}: R$315.00 refunded"
    assert inbox["items"][0]["link"] == f"/returns/{return_id}"
    told = until(
        lambda: seller.call("GET", "/me/notifications").json()["items"],
        lambda items: any(n["kind"] == "return_requested" for n in items),
        "the seller told of the return to decide",
    )
    assert all(n["kind"] in ("new_order", "return_requested") for n in told)
    # Every message went out by e-mail (and push; SMS for shipping) and the log says so.
    delivered = next(n for n in inbox["items"] if n["kind"] == "delivered")["notificationId"]
    log = until(
        lambda: buyer.call("GET", f"/me/notifications/{delivered}").json()["deliveries"],
        lambda lines: len(lines) == 3 and all(d["status"] == "SENT" for d in lines),
        "the delivered message sent on every channel",
    )
    assert sorted(d["channel"] for d in log) == ["EMAIL", "PUSH", "SMS"]
    base = api_url.split("/_aws/")[0]
    email = buyer.call("GET", "/me").json()["email"]
    subjects = until(
        lambda: [
            m["Subject"]
            for m in _emails(base)
            if email in m["Destination"]["ToAddresses"]
            and (order_id in m["Subject"] or return_id in m["Subject"])
        ],  # the account's own e-mails (address verification) aside
        lambda found: len(found) == len(LIFE),
        "an e-mail for each message",
    )
    assert f"Order {order_id}: delivered" in subjects
    sms = requests.get(f"{base}/_aws/sns/sms-messages", timeout=10).json()["sms_messages"]
    assert any("Your package was delivered" in m["Message"] for m in sms.get("+5519987650000", []))
    marked = buyer.call("POST", "/me/notifications/read", {}).json()
    assert marked == {"marked": len(LIFE), "unread": {"total": 0, "byCategory": {}}}


def _emails(base: str) -> list[dict]:
    """What the local cloud's SES sent (LocalStack's ``/_aws/ses``)."""
    return requests.get(f"{base}/_aws/ses", timeout=10).json()["messages"]
