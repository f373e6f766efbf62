"""Selling over HTTP, for the end-to-end and browser tests: an applicant approved as a seller
(the application saga as staff drive it), and product pictures uploaded as a seller does."""

from __future__ import annotations

import io
import random
import uuid

import requests
from PIL import Image

from shopper import TEST_ADDRESS, Shopper


def cpf() -> str:
    """A random CPF with correct check digits."""
    digits = [random.randint(0, 9) for _ in range(9)]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=False))
        digits.append(total * 10 % 11 % 10)
    return "".join(map(str, digits))


def application(document: str, documents: list[str] = ()) -> dict:
    """An application to sell as a person with ``document`` (a CPF), a fresh shop name."""
    return {
        "legalType": "PERSON", "document": document, "legalName": "Ana Souza",
        "shopName": f"Doces da Ana {uuid.uuid4().hex[:6]}",
        "address": {"street": "Rua A", "number": "1", "district": "Centro", "city": "Campinas",
                    "state": "SP", "postalCode": "13010-001"},
        "bank": {"bankCode": "260", "branch": "0001", "account": "1234567-8",
                 "accountType": "PAYMENT", "holderName": "Ana Souza", "holderDocument": document},
        "documents": list(documents),
    }  # fmt: skip


def apply_and_approve(api_url: str, staff: Shopper, told: bool = False) -> dict:
    """An account applies with a document, staff ask for more, it answers, staff approve;
    signed in again it acts for the new seller. ``{shopper, sellerId, slug, applicationId}``."""
    email, password = f"applicant-{uuid.uuid4().hex[:10]}@example.com", "green shop opens 42"
    ana = Shopper(api_url).register(email, "Ana Souza", TEST_ADDRESS, password)
    form = ana.call("POST", "/seller-applications/documents", {"contentType": "application/pdf"})
    upload = form.json()
    sent = requests.post(
        upload["url"], data=upload["fields"], files={"file": ("rg.pdf", b"%PDF-1.4 rg")}, timeout=30
    )
    assert sent.status_code in (200, 204), sent.text
    body = application(cpf(), [upload["key"]])
    wrong = ana.call(
        "POST", "/seller-applications", {**body, "document": "12345678900"}, expect=(422,)
    )
    assert wrong.json()["code"] == "DOCUMENT_INVALID"
    made = ana.call("POST", "/seller-applications", body, expect=(201,)).json()
    path = f"/admin/seller-applications/{made['applicationId']}"
    assert ana.call("POST", f"{path}/approve", expect=(403,)).json()["code"] == "FORBIDDEN"
    staff.call("POST", f"{path}/review")
    staff.call("POST", f"{path}/request-info", {"note": "Send a proof of address."})
    again = ana.call("PUT", f"/seller-applications/{made['applicationId']}", body).json()
    assert again["status"] == "SUBMITTED"
    staff.call("POST", f"{path}/review")
    approved = staff.call("POST", f"{path}/approve").json()
    assert approved["status"] == "APPROVED" and len(approved["sellerId"]) == 32
    # The next access token carries the role.
    token = Shopper(api_url).call("POST", "/auth/login", {"email": email, "password": password})
    ana.token = token.json()["accessToken"]
    return {
        "shopper": ana,
        "email": email,
        "sellerId": approved["sellerId"],
        "slug": made["slug"],
        "applicationId": made["applicationId"],
    }


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), colour).save(out, "PNG")
    return out.getvalue()


def upload_image(seller: Shopper, seller_id: str, colour) -> str:
    form = seller.call(
        "POST", f"/sellers/{seller_id}/product-images", {"contentType": "image/png"}
    ).json()
    sent = requests.post(
        form["url"], data=form["fields"], files={"file": ("p.png", png(colour))}, timeout=30
    )
    assert sent.status_code in (200, 204), sent.text
    return form["key"]


def shirt_listing(word: str, variants: list[dict], images: list[str]) -> dict:
    """The body of a new listing: a cotton T-shirt named by ``word`` in the colours (option
    "Cor") its ``variants`` name, with ``images`` (keys of the seller's uploads)."""
    return {
        "title": f"Camiseta {word} algodão",
        "category": "fashion-male-clothing",
        "categoryAttributes": {"brand": "Hering", "condition": "NEW", "gender": "MALE"},
        "dimensions": {"weightG": 200, "lengthCm": 30, "heightCm": 3, "widthCm": 25},
        "options": [{"name": "Cor", "values": [v["options"]["Cor"] for v in variants]}],
        "variants": variants,
        "images": images,
    }
