"""The web front in a real browser: Playwright driving Debian's headless Chromium
(``/usr/bin/chromium``, installed by ``infra/bin/ensure-web-tools``) against the site as the
local cloud serves it (the stack's WebBucket website endpoint), calling the local API.

Every page a test opens is watched: a console error or an uncaught exception fails the test,
except the browser's own line for an API refusal the test expects (``page.expect_refusal``).
"""

from __future__ import annotations

import fcntl
import gzip
import re
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from localcloud import cloud as local
from localcloud import seed, web
from shopper import TEST_ADDRESS, Shopper
from tests.e2e import polling
from tests.e2e.selling import apply_and_approve, shirt_listing, upload_image

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
#: What a machine with no network but the package registries needs (no background fetches).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "green shop opens 42"
# What a page shows waits on the local cloud's functions, cold ones among them while two test
# workers share the machine: assertions wait as long as actions do (30 s), not Playwright's 5 s.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def site(cloud) -> str:
    """The web front's URL, published from web/dist (built first if missing)."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        subprocess.run(["make", "web"], cwd=ROOT, check=True)
    with open(local.STATE / "web-publish.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return web.publish(cloud)


@pytest.fixture(scope="module")
def browser() -> Browser:
    """Chromium for one test file. Playwright's sync API keeps an asyncio loop running in the
    thread while it is open: closed with the file, so that the worker's next files (the chat's
    WebSocket tests) can run their own loops."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """Console errors and uncaught exceptions of a page, and the refusals a test expects."""

    errors: list[str] = field(default_factory=list)
    expected: list[int] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def unexpected(self) -> list[str]:
        allowed = [f"status of {status}" for status in self.expected]
        return [e for e in self.errors if not any(a in e for a in allowed)]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        item.failed_call = outcome.get_result().failed


def open_tab(browser: Browser, site: str, **options) -> Page:
    """A new browser context (no session) and its page on the site, Portuguese by default as
    a Brazilian buyer's browser, 1280 by 800; its console errors, uncaught exceptions and
    4xx/5xx answers are recorded in ``tab.watch``."""
    context = browser.new_context(
        **{"viewport": {"width": 1280, "height": 800}, "locale": "pt-BR", **options}
    )
    context.set_default_timeout(30_000)
    tab = context.new_page()
    watch = Watch()
    tab.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: watch.errors.append(f"uncaught: {e}"))
    tab.on(
        "response",
        lambda r: watch.refusals.append(f"{r.status} {r.request.method} {r.url}")
        if r.status >= 400
        else None,
    )
    tab.watch = watch
    tab.site = site
    return tab


def close_tab(tab: Page, name: str, failed: bool) -> None:
    """Close the tab's context, with a screenshot in .localcloud/logs/web/ if the test failed;
    a console error the test did not expect fails it."""
    if failed:
        shots = local.LOGS / "web"
        shots.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=shots / f"{name}.png", full_page=True)
    tab.context.close()
    assert not tab.watch.unexpected(), (tab.watch.unexpected(), tab.watch.refusals)


@pytest.fixture
def page(request, browser: Browser, site: str) -> Page:
    """A fresh tab (``open_tab``) for the test; closed after it (``close_tab``)."""
    tab = open_tab(browser, site)
    yield tab
    close_tab(tab, request.node.name, getattr(request.node, "failed_call", False))


def expect_refusal(tab: Page, status: int) -> None:
    """The browser logs every 4xx answer as a console error; this one is the test's point."""
    tab.watch.expected.append(status)


def go(tab: Page, route: str = "") -> None:
    """Open a route of the site (``"search?q=x"``, ``"seller/shipments"``)."""
    tab.goto(f"{tab.site}#/{route}")


def sign_in(tab: Page, email: str, password: str = PASSWORD, then: str = "") -> None:
    """Sign in through the sign-in page, coming back to ``then``."""
    go(tab, f"sign-in?next=/{then}")
    tab.get_by_label("E-mail").fill(email)
    tab.get_by_label("Senha").fill(password)
    tab.get_by_role("button", name="Entrar").click()
    tab.wait_for_url(re.compile(rf"#/{re.escape(then)}$"))


def account(api_url: str) -> tuple[Shopper, str]:
    """A registered customer with a saved address: ``(shopper, email)`` (password PASSWORD)."""
    email = f"web-{uuid.uuid4().hex[:10]}@example.com"
    return Shopper(api_url).register(email, "Ana Souza", TEST_ADDRESS, PASSWORD), email


@pytest.fixture(scope="module")
def staff(cloud, api_url) -> Shopper:
    return Shopper(api_url, token=seed.admin_token(api_url, cloud))


def gzipped_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9))


def published_listing(api_url: str, staff: Shopper, price: int = 5990) -> dict:
    """An approved seller's listing of a T-shirt in two colours (Branca at ``price``, Preta
    at ``price`` + 500), with a picture, published and found by search and its stock open:
    ``{seller, sellerId, email, productId, word, offers: {colour: offer}}``."""
    made = apply_and_approve(api_url, staff)
    seller, seller_id = made["shopper"], made["sellerId"]
    picture = upload_image(seller, seller_id, (230, 90, 20))
    word = f"camiseta{uuid.uuid4().hex[:6]}"
    listing = shirt_listing(
        word,
        [
            {"options": {"Cor": "Branca"}, "price": price, "freight": 1500, "stock": 20},
            {"options": {"Cor": "Preta"}, "price": price + 500, "freight": 1500, "stock": 20},
        ],
        [picture],
    )
    product = seller.call("POST", f"/sellers/{seller_id}/products", listing).json()
    pid = product["productId"]
    seller.call("POST", f"/sellers/{seller_id}/products/{pid}/submit")
    live = staff.call("POST", f"/admin/listings/{pid}/publish").json()
    offers = {o["options"]["Cor"]: o for o in live["offers"]}
    for offer in offers.values():
        polling.until(
            lambda o=offer: staff.call("GET", f"/inventory/offers/{o['offerId']}", expect=None),
            lambda r: r.status_code == 200 and r.json()["available"] > 0,
            "the variant's stock",
            90,
        )
    polling.until(
        lambda: Shopper(api_url).call("GET", f"/search?q={word}").json()["items"],
        lambda items: [i["productId"] for i in items] == [pid],
        "the published listing in search",
        90,
    )
    return {**made, "productId": pid, "word": word, "offers": offers}
