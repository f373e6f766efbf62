"""The seller center in a real browser: a seller packs a buyer's package, buys its label and
prints it (a real PDF); its dashboard counts the sale; it lists a product with two variants."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import Page, expect

from tests.e2e import polling
from tests.e2e.selling import apply_and_approve, png
from tests.web.conftest import account, published_listing, sign_in

GOOD_CARD = {"method": "card", "card": {"number": "4242424242424242"}}


def test_a_seller_packs_a_package_buys_and_prints_its_label(page: Page, api_url, staff):
    listing = published_listing(api_url, staff)
    seller_id, white = listing["sellerId"], listing["offers"]["Branca"]
    buyer, _ = account(api_url)
    buyer.add(listing["productId"], seller_id, 1, white["skuId"])
    order = buyer.checkout([GOOD_CARD]).json()
    polling.until(
        lambda: listing["shopper"]
        .call("GET", f"/sellers/{seller_id}/shipments?status=AWAITING_PACKING")
        .json()["shipments"],
        lambda items: [s["orderId"] for s in items] == [order["orderId"]],
        "the package in the seller's queue",
        60,
    )

    sign_in(page, listing["email"], then="seller/shipments")
    package = page.get_by_test_id("package")
    expect(package).to_have_count(1)
    expect(package).to_contain_text(order["orderId"][-8:])
    expect(package).to_contain_text("A embalar")
    package.get_by_label("Peso (g)").fill("350")
    package.get_by_role("button", name="Embalado").click()
    expect(page.get_by_text("Nada por aqui.")).to_be_visible()  # it left this queue

    page.get_by_text("Embalado", exact=True).click()  # the next queue
    expect(package).to_contain_text("Embalado")
    package.get_by_role("button", name="Comprar etiqueta").click()
    expect(page.get_by_text("Nada por aqui.")).to_be_visible()

    page.get_by_text("Etiqueta comprada", exact=True).click()
    expect(package.get_by_test_id("tracking-number")).to_have_text(re.compile(r"^[A-Z]{2}\d{9}BR$"))
    with page.expect_popup() as opened:
        package.get_by_role("button", name="Imprimir etiqueta (PDF)").click()
    label = requests.get(opened.value.url, timeout=30)
    assert label.status_code == 200 and label.content.startswith(b"%PDF")
    shipment = listing["shopper"].call("GET", f"/orders/{order['orderId']}/shipments")
    assert shipment.json()["shipments"][0]["status"] == "LABEL_PURCHASED"


def test_a_seller_lists_a_product_with_two_variants(page: Page, api_url, staff, tmp_path):
    made = apply_and_approve(api_url, staff)
    picture = tmp_path / "caneca.png"
    picture.write_bytes(png((20, 120, 200)))
    sign_in(page, made["email"], then="seller/products/new")
    page.get_by_label("Título").fill("Caneca de cerâmica esmaltada")
    page.get_by_role("combobox", name="Categoria").fill("Housewares")
    page.get_by_role("option", name="Housewares").click()
    page.get_by_label("Marca").fill("Tramontina")  # the category's required attributes
    page.get_by_role("combobox", name="Condição").click()
    page.get_by_role("option", name="Novo").click()
    page.get_by_label("Opção (ex.: Tamanho)").fill("Tamanho")
    page.get_by_label("Seus valores, separados por vírgulas").fill("300 ml, 500 ml")
    page.get_by_label("Preço de 300 ml").fill("39,90")
    page.get_by_label("Preço de 500 ml").fill("49,90")
    page.locator("input[type=file]").set_input_files(picture)
    page.get_by_role("button", name="Salvar rascunho").click()

    page.wait_for_url(re.compile(r"#/seller/products$"))
    row = page.get_by_test_id("seller-product").filter(has_text="Caneca de cerâmica")
    expect(row).to_contain_text("300 ml: R$ 39,90")
    expect(row).to_contain_text("500 ml: R$ 49,90")
    expect(row).to_contain_text("Rascunho")
    row.get_by_role("button", name="Enviar para revisão").click()
    expect(row).to_contain_text("Enviado")
    queue = staff.call("GET", "/admin/listings?limit=100").json()["items"]
    mine = [p for p in queue if p["title"] == "Caneca de cerâmica esmaltada"]
    assert [o["price"]["amount"] for o in mine[-1]["offers"]] == [3990, 4990]

    # the shop's logo, from its profile
    page.get_by_role("tab", name="Loja").click()
    page.locator("input[type=file]").set_input_files(picture)
    shop = f"/sellers/{made['sellerId']}/shop"
    logo = polling.until(
        lambda: made["shopper"].call("GET", shop).json()["logoUrl"], bool, "the shop's logo", 30
    )
    expect(page.locator(f'img[src^="{logo.split("?")[0]}"]')).to_have_count(1)  # shown
