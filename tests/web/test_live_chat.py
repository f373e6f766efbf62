"""Chat in two real browsers over the real WebSocket: a buyer asks a seller from the product
page, the seller answers from its shop's conversations, and the answer appears on the buyer's
page as it is sent (no reload); contact details the buyer types are hidden."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.conftest import account, close_tab, go, open_tab, published_listing, sign_in


def test_a_buyer_and_a_seller_talk_live(request, page: Page, browser, site, api_url, staff):
    listing = published_listing(api_url, staff)
    _, email = account(api_url)
    sign_in(page, email, then=f"products/{listing['productId']}")
    page.get_by_label("Pergunte ao vendedor").fill("Tem na cor verde?")
    page.get_by_role("button", name="Enviar").click()
    page.wait_for_url(re.compile(r"#/chat/[^/]+$"))
    expect(page.get_by_test_id("socket-state")).to_have_text("Ao vivo")
    expect(page.get_by_test_id("message")).to_have_count(1)

    seller = open_tab(browser, site)
    try:
        sign_in(seller, listing["email"], then="chat")
        seller.get_by_text("Com os compradores da minha loja").click()
        seller.get_by_test_id("conversation").filter(has_text=listing["word"]).click()
        expect(seller.get_by_test_id("message")).to_contain_text("Tem na cor verde?")
        expect(seller.get_by_test_id("socket-state")).to_have_text("Ao vivo")
        seller.get_by_label("Mensagem").fill("Só branca e preta, por enquanto.")
        seller.get_by_role("button", name="Enviar").click()

        # the buyer's page receives it over its socket
        expect(page.get_by_test_id("message").nth(1)).to_contain_text(
            "Só branca e preta", timeout=20_000
        )
        page.get_by_label("Mensagem").fill("Ok! Me chama no zap 11 98765-4321")
        page.get_by_role("button", name="Enviar").click()
        latest = seller.get_by_test_id("message").nth(2)
        expect(latest).to_contain_text("[hidden]", timeout=20_000)
        expect(latest).not_to_contain_text("98765")
        go(seller, "chat")
    finally:
        close_tab(
            seller, f"{request.node.name}-seller", getattr(request.node, "failed_call", False)
        )
