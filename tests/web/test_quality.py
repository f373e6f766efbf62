"""What every page owes its users, checked in a real browser: no serious or critical
accessibility violation (axe-core), usable at a phone's width, the storefront's first load
within 250 kB of compressed JavaScript, both languages, and a session kept as the identity
docs say (refresh token rotated on reload, never in a URL, ended by signing out)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import (
    ROOT,
    account,
    close_tab,
    go,
    gzipped_size,
    open_tab,
    published_listing,
    sign_in,
)

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
FIRST_LOAD_BUDGET = 250_000  # bytes of JavaScript, gzip-compressed


@pytest.fixture(scope="module")
def listing(api_url, staff) -> dict:
    return published_listing(api_url, staff)


@pytest.fixture(scope="module")
def buyer(api_url, listing):
    shopper, email = account(api_url)
    white = listing["offers"]["Branca"]
    shopper.add(listing["productId"], listing["sellerId"], 1, white["skuId"])
    return shopper, email


def violations(tab: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    tab.add_script_tag(path=str(AXE))
    found = tab.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)"""
    )
    return found


def settle(tab: Page) -> None:
    tab.wait_for_load_state("networkidle")
    expect(tab.get_by_role("heading", level=1)).to_be_visible()


def test_the_main_pages_have_no_serious_accessibility_violation(page: Page, listing, buyer):
    routes = ["", f"search?q={listing['word']}", f"products/{listing['productId']}", "sign-in"]
    for route in routes:
        go(page, route)
        settle(page)
        assert violations(page) == [], route
    sign_in(page, buyer[1], then="cart")
    for route in ["cart", "checkout", "orders", "wallet", "account", "seller"]:
        go(page, route)
        settle(page)
        assert violations(page) == [], route


def test_the_seller_center_and_admin_panel_have_no_serious_violation(page: Page, listing, cloud):
    sign_in(page, listing["email"], then="seller")
    for route in ["seller", "seller/products", "seller/products/new", "seller/shipments"]:
        go(page, route)
        settle(page)
        assert violations(page) == [], route
    page.evaluate("localStorage.clear()")
    sign_in(page, cloud["AdminEmail"], cloud["AdminPassword"], then="admin")
    for route in ["admin", "admin/listings", "admin/promotions", "admin/ledger"]:
        go(page, route)
        settle(page)
        assert violations(page) == [], route


def test_pages_fit_a_phone(request, browser, site, listing, buyer):
    tab = open_tab(browser, site, viewport={"width": 390, "height": 844})
    try:
        for route in ["", f"search?q={listing['word']}", f"products/{listing['productId']}"]:
            go(tab, route)
            settle(tab)
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (route, width)
        tab.get_by_role("button", name="Menu").click()  # the navigation is a drawer there
        expect(tab.get_by_role("link", name="Meus pedidos")).to_be_visible()
    finally:
        close_tab(tab, request.node.name, getattr(request.node, "failed_call", False))


def test_the_storefront_first_load_is_within_budget(browser, site):
    context = browser.new_context()
    tab = context.new_page()
    scripts = []
    tab.on("response", lambda r: scripts.append(r) if r.request.resource_type == "script" else None)
    tab.goto(site)
    tab.wait_for_load_state("networkidle")
    total = sum(gzipped_size(r.body()) for r in scripts)
    context.close()
    print(f"storefront first load: {len(scripts)} scripts, {total / 1000:.1f} kB gzip")
    assert scripts and total <= FIRST_LOAD_BUDGET, total


def test_english_and_portuguese_with_money_as_brazilians_write_it(page: Page, listing):
    go(page, f"products/{listing['productId']}")
    expect(page.get_by_role("button", name="Adicionar ao carrinho").first).to_be_visible()
    expect(page.get_by_test_id("offer-row").first).to_contain_text("R$ 59,90")
    page.get_by_text("EN", exact=True).click()
    expect(page.get_by_role("button", name="Add to cart").first).to_be_visible()
    expect(page.get_by_test_id("offer-row").first).to_contain_text("R$ 59,90")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.reload()
    expect(page.get_by_role("button", name="Add to cart").first).to_be_visible()  # kept


def test_a_session_survives_a_reload_rotates_and_ends_on_sign_out(page: Page, api_url, buyer):
    shopper, email = buyer
    sign_in(page, email, then="orders")
    first = page.evaluate("localStorage.getItem('titan.refreshToken')")
    assert first and first not in page.url
    page.reload()
    expect(page.get_by_role("heading", name="Meus pedidos")).to_be_visible()
    second = page.evaluate("localStorage.getItem('titan.refreshToken')")
    assert second and second != first  # rotated: the old one works no more
    refused = shopper.call("POST", "/auth/refresh", {"refreshToken": first}, expect=None)
    assert refused.status_code == 401
    page.get_by_role("button", name="Conta", exact=True).click()
    page.get_by_role("menuitem", name="Sair").click()
    page.wait_for_url(re.compile(r"#/$"))
    assert page.evaluate("localStorage.getItem('titan.refreshToken')") is None
    assert (
        shopper.call("POST", "/auth/refresh", {"refreshToken": second}, expect=None).status_code
        == 401
    )
