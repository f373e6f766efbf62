"""Web front figures for ``make bench``: the site as the local cloud serves it, in headless
Chromium (Debian's, driven by Playwright), as a buyer's browser loads it.

- the JavaScript of the storefront's first load, and the seller center's and admin panel's
  chunks, gzip-compressed (what a CDN sends);
- time from navigation to what a buyer waits for, p50/p95 of 10 loads each with the browser's
  cache warm (a returning buyer): the home page's departments, a search's first result, a
  product page's offers. Each includes the API calls the page makes through the local cloud.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

from figures import percentile

DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOADS = 10


def _kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), compresslevel=9)) / 1000


def bundle() -> list[str]:
    """The gzip sizes of the built chunks: the entry (what the first load runs), the rest."""
    index = (DIST / "index.html").read_text()
    scripts = sorted((DIST / "assets").glob("*.js"))
    entry = [p for p in scripts if p.name in index]
    seller = [p for p in scripts if p.name.startswith("seller-")]
    admin = [p for p in scripts if p.name.startswith("admin-")]
    return [
        f"  storefront first load (entry chunk)  {sum(map(_kb, entry)):7.1f} kB gzip (budget 250)",
        f"  seller center chunk (with charts)    {sum(map(_kb, seller)):7.1f} kB gzip",
        f"  admin panel chunk                    {sum(map(_kb, admin)):7.1f} kB gzip",
        f"  all {len(scripts)} chunks                        {sum(map(_kb, scripts)):7.1f} kB gzip",
    ]


def _load(tab, url: str, selector: str) -> float:
    began = time.perf_counter()
    tab.goto(url)
    tab.locator(selector).first.wait_for(state="visible")
    return (time.perf_counter() - began) * 1000


def figures(outputs: dict) -> list[str]:
    from localcloud import web as site_publisher

    site = site_publisher.publish(outputs)
    api = outputs["ApiUrl"]
    found = requests.get(f"{api}/search", params={"q": "perfume", "limit": 1}, timeout=30).json()
    product = found["items"][0]["productId"]
    pages = [
        ("home: the departments", "", "text=Departamentos"),
        ("search: the first result", "search?q=perfume", "[data-testid=product-card]"),
        ("product: its offers", f"products/{product}", "[data-testid=offer-row]"),
    ]
    lines = bundle()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        tab = browser.new_context(locale="pt-BR").new_page()
        for name, route, selector in pages:
            url = f"{site}#/{route}"
            _load(tab, url, selector)  # warm the cache and the functions
            samples = [_load(tab, f"{site}?{i}#/{route}", selector) for i in range(LOADS)]
            lines.append(
                f"  {name:<35}  p50 {percentile(samples, 50):6.0f} ms   "
                f"p95 {percentile(samples, 95):6.0f} ms"
            )
        browser.close()
    return lines
