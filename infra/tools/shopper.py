"""A customer of the marketplace over HTTP, for the replay, the benchmarks and e2e tests:
register, save an address, fill the cart, check out, pay a boleto (as the sandbox provider's
signed webhook would)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TIMEOUT = 60


def http_session() -> requests.Session:
    """A session that sends an idempotent request (GET, PUT, DELETE...) again when its
    connection breaks before an answer (a keep-alive connection the server closed while
    idle resets the next request sent on it), as HTTP clients do; never a POST."""
    session = requests.Session()
    retry = Retry(total=3, connect=3, read=2, status=0, other=0, backoff_factor=0.2)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


class HttpError(RuntimeError):
    def __init__(self, response: requests.Response) -> None:
        request = response.request
        super().__init__(
            f"{request.method} {request.path_url}: {response.status_code} {response.text[:300]}"
        )
        self.response = response
        self.status = response.status_code
        try:
            self.code = response.json().get("code")
        except ValueError:
            self.code = None


@dataclass
class Shopper:
    api: str
    token: str | None = None
    account_id: str | None = None
    address_id: str | None = None
    session: requests.Session = field(default_factory=http_session)

    def call(
        self, method: str, path: str, body=None, expect=(200, 201, 204), headers=None
    ) -> requests.Response:
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = self.session.request(
            method, self.api + path, json=body, headers=headers, timeout=TIMEOUT
        )
        if expect and response.status_code not in expect:
            raise HttpError(response)
        return response

    def register(
        self,
        email: str,
        name: str,
        address: dict,
        password: str = "correct horse battery staple",  # noqa: S107 - test customers
    ) -> Shopper:
        """Create the account (or, if it exists, as when a replay runs again, sign in to it)
        and use its first saved address or save ``address`` (identity's address fields)."""
        body = {"email": email, "password": password, "name": name}
        created = self.call("POST", "/auth/register", body, expect=(201, 409))
        login = {"email": email, "password": password}
        self.token = self.call("POST", "/auth/login", login).json()["accessToken"]
        self.account_id = self.call("GET", "/me").json()["accountId"]
        saved = []
        if created.status_code == 409:
            saved = self.call("GET", "/me/addresses").json()["items"]
            self.empty_cart()
        if saved:
            self.address_id = saved[0]["addressId"]
        else:
            self.address_id = self.call("POST", "/me/addresses", address).json()["addressId"]
        return self

    def empty_cart(self) -> None:
        for line in self.call("GET", "/cart").json()["lines"]:
            self.call("DELETE", f"/cart/items/{line['lineId']}", expect=(204, 404))

    def add(
        self, product_id: str, seller_id: str, quantity: int, sku_id: str | None = None
    ) -> dict:
        body = {"productId": product_id, "sellerId": seller_id, "quantity": quantity}
        if sku_id:
            body["skuId"] = sku_id
        return self.call("POST", "/cart/items", body).json()

    def checkout(
        self,
        payments: list[dict],
        coupon: str | None = None,
        key: str | None = None,
        expect=(201,),
        reservation: str | None = None,
        shipping: dict[str, str] | None = None,
    ) -> requests.Response:
        """``POST /checkout`` of the cart, or of a flash-sale ``reservation``; ``shipping``
        maps a seller id to the service chosen for its package."""
        body = {"shippingAddressId": self.address_id, "payments": payments}
        if shipping:
            body["shipping"] = [{"sellerId": k, "service": v} for k, v in shipping.items()]
        if coupon:
            body["couponCode"] = coupon
        if reservation:
            body["reservationId"] = reservation
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        return self.call("POST", "/checkout", body, expect=expect, headers=headers)

    def reserve(self, sale_id: str, quantity: int = 1, key: str | None = None, expect=(201,)):
        """``POST /flash-sales/{saleId}/reservations``."""
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        path = f"/flash-sales/{sale_id}/reservations"
        return self.call("POST", path, {"quantity": quantity}, expect=expect, headers=headers)

    def pay_boleto(self, payment_id: str, amount: int, secret: str) -> dict:
        """What the bank's notification through the provider does: a signed ``boleto.paid``."""
        import sys
        from pathlib import Path

        root = Path(__file__).resolve().parents[2]
        sys.path[0:0] = [str(root / "functions"), str(root / "layers" / "shared")]
        from titan.webhooks import sign  # the partners' scheme, shared with the API

        raw = json.dumps(
            {"type": "boleto.paid", "paymentId": payment_id, "amount": amount}
        ).encode()
        response = self.session.post(
            f"{self.api}/payments/webhooks/sandbox",
            data=raw,
            headers={"Content-Type": "application/json", "X-Titan-Signature": sign(secret, raw)},
            timeout=TIMEOUT,
        )
        if response.status_code != 200:
            raise HttpError(response)
        return response.json()


def address_from_olist(zip_prefix: str, city: str, state: str) -> dict:
    """A shipping address from an Olist customer row (the data has zip prefix, city, state)."""
    return {
        "recipientName": "Olist customer",
        "street": "Rua do Cliente",
        "number": "1",
        "city": city.title(),
        "state": state,
        "postalCode": f"{zip_prefix.zfill(5)}-000",
    }


def new_offer(api: str, staff_token: str, price: int = 8990, freight: int = 1500) -> dict:
    """A new seller (imported as the catalog imports sellers) offering a new product, once
    inventory has opened its stock: ``{productId, sellerId, offerId}``."""
    import tempfile
    import time
    from pathlib import Path

    from localcloud import seed

    staff = Shopper(api, token=staff_token)
    seller = uuid.uuid4().hex
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sellers.csv"
        path.write_text(
            "seller_id,seller_zip_code_prefix,seller_city,seller_state\n"
            f"{seller},13023,campinas,SP\n"
        )
        seed.import_file(api, staff_token, "sellers", path, timeout_s=120)
    title = f"Perfume {uuid.uuid4().hex[:8]}"
    sizes = {"weightG": 600, "lengthCm": 20, "heightCm": 10, "widthCm": 15}
    product = staff.call(
        "POST", "/products", {"title": title, "category": "perfumaria", "attributes": sizes}
    ).json()
    body = {
        "productId": product["productId"],
        "sellerId": seller,
        "price": price,
        "freight": freight,
    }
    offer = staff.call("POST", "/offers", body).json()
    deadline = time.monotonic() + 120
    while (
        staff.call("GET", f"/inventory/offers/{offer['offerId']}", expect=None).status_code != 200
    ):
        if time.monotonic() > deadline:
            raise RuntimeError("inventory did not open the offer's stock in 120 s")
        time.sleep(0.5)
    return {"productId": product["productId"], "sellerId": seller, "offerId": offer["offerId"]}


TEST_ADDRESS = {
    "recipientName": "Ana",
    "street": "Rua A",
    "number": "1",
    "city": "Campinas",
    "state": "SP",
    "postalCode": "13023-000",
}


def new_seller(api: str, staff_token: str, seller_id: str) -> Shopper:
    """A newly registered account granted the seller role for ``seller_id``, signed in
    again so its access token carries the role."""
    email, password = f"seller-{uuid.uuid4().hex[:10]}@example.com", "quiet river stones 42"
    seller = Shopper(api).register(email, "Seller", TEST_ADDRESS, password)
    Shopper(api, token=staff_token).call(
        "POST",
        f"/admin/accounts/{seller.account_id}/roles",
        {"role": "seller", "sellerId": seller_id},
    )
    signed_in = Shopper(api).call("POST", "/auth/login", {"email": email, "password": password})
    seller.token = signed_in.json()["accessToken"]
    return seller


def new_customer(api: str) -> Shopper:
    """A newly registered customer with one saved address."""
    return Shopper(api).register(f"shop-{uuid.uuid4().hex[:10]}@example.com", "Ana", TEST_ADDRESS)
