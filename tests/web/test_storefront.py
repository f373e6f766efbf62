"""The storefront in a real browser: a buyer signs up, searches, buys a variant with a card
in 3 installments and finds the order; a declined card shows the API's message and leaves the
cart as it was; a flash sale counts down, opens and sells."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from shopper import Shopper
from tests.e2e import polling
from tests.web.conftest import (
    PASSWORD,
    account,
    expect_refusal,
    go,
    published_listing,
    sign_in,
)

GOOD_CARD, DECLINED_CARD = "4242424242424242", "4000000000000002"


@pytest.fixture(scope="module")
def listing(api_url, staff) -> dict:
    return published_listing(api_url, staff)


def pay_by_card(tab: Page, number: str) -> None:
    tab.get_by_label("Número do cartão").fill(number)
    tab.get_by_label("Nome impresso no cartão").fill("ANA SOUZA")
    tab.get_by_label("Validade (MM/AA)").fill("12/30")
    tab.get_by_label("CVC").fill("123")


def test_a_buyer_signs_up_searches_and_buys_a_variant_in_three_installments(
    page: Page, api_url, listing
):
    email = f"web-{uuid.uuid4().hex[:10]}@example.com"
    go(page, "sign-up")
    page.get_by_label("Nome").fill("Bia Lima")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Criar conta").click()
    page.wait_for_url(re.compile(r"#/$"))
    expect(page.get_by_role("button", name="Conta", exact=True)).to_be_visible()

    search = page.get_by_role("searchbox", name="Buscar produtos")
    search.fill(listing["word"])
    search.press("Enter")
    card = page.get_by_test_id("product-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("R$ 59,90")  # the cheaper variant, as Brazilians write it
    card.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(listing["word"])
    add = page.get_by_role("button", name="Adicionar ao carrinho")
    expect(add.first).to_be_disabled()  # a variant has to be chosen first
    page.get_by_role("radiogroup", name="Cor").get_by_text("Preta").click()
    expect(page.get_by_test_id("offer-row")).to_have_count(1)
    expect(page.get_by_test_id("offer-row")).to_contain_text("R$ 64,90")
    add.click()
    expect(page.get_by_test_id("cart-count")).to_have_text("1")

    page.get_by_role("link", name="Carrinho").first.click()
    expect(page.get_by_test_id("cart-line")).to_contain_text("Preta")
    page.get_by_role("link", name="Finalizar compra").click()

    # a new buyer has no address yet: the form is there
    page.get_by_label("Destinatário").fill("Bia Lima")
    page.get_by_label("CEP").fill("13023-000")
    page.get_by_label("Rua").fill("Rua das Flores")
    page.get_by_label("Número", exact=True).fill("42")
    page.get_by_label("Cidade").fill("Campinas")
    page.get_by_label("Estado", exact=True).fill("SP")
    page.get_by_role("button", name="Salvar endereço").click()
    expect(page.get_by_role("radio", name=re.compile("Rua das Flores, 42"))).to_be_checked()
    expect(page.get_by_text(re.compile(r"chega até"))).not_to_have_count(0)

    pay_by_card(page, GOOD_CARD)
    page.get_by_role("combobox", name="Parcelas").click()
    page.get_by_role("option", name=re.compile(r"^3x R\$ .* sem juros$")).click()
    total = page.get_by_test_id("checkout-total").inner_text()
    page.get_by_role("button", name="Fazer pedido").click()

    page.wait_for_url(re.compile(r"#/orders/[^?]+\?placed=1$"))
    expect(page.get_by_text("Seu pedido foi feito.")).to_be_visible()
    expect(page.get_by_test_id("order-total")).to_have_text(total)
    expect(page.get_by_test_id("payment")).to_contain_text("3x")
    order_id = page.url.split("#/orders/")[1].split("?")[0]

    buyer = Shopper(api_url)
    login = {"email": email, "password": PASSWORD}
    buyer.token = buyer.call("POST", "/auth/login", login).json()["accessToken"]
    order = buyer.call("GET", f"/orders/{order_id}").json()
    assert order["payments"][0]["installments"] == 3
    assert [(line["offerId"], line["quantity"]) for line in order["lines"]] == [
        (listing["offers"]["Preta"]["offerId"], 1)
    ]
    polling.until(  # the cart became the order (emptied by the cart's OrderPlaced consumer)
        lambda: buyer.call("GET", "/cart").json()["lines"], lambda lines: lines == [], "cart", 30
    )

    go(page, "orders")
    expect(page.get_by_test_id("order-card")).to_contain_text(order_id[-8:])


def test_a_declined_card_shows_its_message_and_the_cart_stays(page: Page, api_url, staff, listing):
    buyer, email = account(api_url)
    white = listing["offers"]["Branca"]
    stock = f"/inventory/offers/{white['offerId']}"
    available = staff.call("GET", stock).json()["available"]
    buyer.add(listing["productId"], listing["sellerId"], 2, white["skuId"])
    sign_in(page, email, then="checkout")

    expect(page.get_by_role("radio", name=re.compile("Rua A, 1"))).to_be_checked()
    pay_by_card(page, DECLINED_CARD)
    expect_refusal(page, 402)
    page.get_by_role("button", name="Fazer pedido").click()
    alert = page.get_by_role("alert").filter(has_text="O pedido não foi feito")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("PAYMENT_DECLINED")
    expect(alert).to_contain_text(re.compile("declined", re.IGNORECASE))

    page.get_by_role("link", name="Carrinho").first.click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    expect(page.get_by_label(re.compile("^Quantidade de"))).to_have_value("2")
    lines = buyer.call("GET", "/cart").json()["lines"]
    assert [(line["offerId"], line["quantity"]) for line in lines] == [(white["offerId"], 2)]
    assert staff.call("GET", stock).json()["available"] == available  # nothing held


def test_a_flash_sale_counts_down_opens_and_sells(page: Page, api_url, staff, listing):
    white = listing["offers"]["Branca"]
    start = datetime.now(UTC) + timedelta(seconds=15)
    sale = staff.call(
        "POST",
        "/admin/flash-sales",
        {
            "productId": listing["productId"],
            "sellerId": listing["sellerId"],
            "skuId": white["skuId"],
            "salePrice": 2990,
            "quantity": 5,
            "perCustomerLimit": 1,
            "startsAt": start.isoformat(),
            "endsAt": (start + timedelta(minutes=30)).isoformat(),
        },
        headers={"Idempotency-Key": uuid.uuid4().hex},
    ).json()
    _, email = account(api_url)
    sign_in(page, email)
    go(page, f"flash-sales/{sale['saleId']}")

    countdown = page.get_by_test_id("countdown")
    expect(countdown).to_contain_text("Começa em 0:00:")
    before = countdown.inner_text()
    page.wait_for_timeout(2_100)
    assert countdown.inner_text() != before  # it ticks
    expect(page.get_by_test_id("remaining")).to_contain_text("restam 5")
    buy = page.get_by_role("button", name="Comprar agora")
    expect(buy).to_be_disabled()

    expect(buy).to_be_enabled(timeout=40_000)  # the sale opened
    expect(countdown).to_contain_text("Termina em 0:2")
    buy.click()
    page.wait_for_url(re.compile(r"#/checkout\?reservation=fsr_"))
    # the sale price, and the seller's freight for the unit (a reservation is not the cart)
    expect(page.get_by_test_id("checkout-total")).to_have_text(re.compile(r"R\$\s44,90"))
    pay_by_card(page, GOOD_CARD)
    page.get_by_role("button", name="Fazer pedido").click()
    page.wait_for_url(re.compile(r"#/orders/"))
    expect(page.get_by_test_id("order-total")).to_contain_text("44,90")

    go(page, f"flash-sales/{sale['saleId']}")
    expect(page.get_by_test_id("remaining")).to_contain_text("restam 4", timeout=15_000)
