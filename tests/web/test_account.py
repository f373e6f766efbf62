"""A buyer's account pages in a real browser: a forgotten password asks for the e-mailed
code, and notification settings change what the API keeps."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import account, go, sign_in


def test_a_forgotten_password_asks_for_the_emailed_code(page: Page, api_url):
    _, email = account(api_url)
    go(page, "sign-in")
    page.get_by_role("link", name="Esqueceu a senha?").click()
    expect(page.get_by_role("heading", name="Redefina sua senha")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Envie-me um código").click()
    expect(page.get_by_label("Código do e-mail")).to_be_visible()
    expect(page.get_by_label("Nova senha")).to_be_visible()


CHANNEL_NAMES = {"EMAIL": "E-mail", "SMS": "SMS", "PUSH": "Push", "INBOX": "Caixa de entrada"}


def test_notification_settings_are_kept(page: Page, api_url):
    shopper, email = account(api_url)
    sign_in(page, email, then="account")
    before = shopper.call("GET", "/me/notification-preferences").json()
    name, category = next((n, c) for n, c in before["categories"].items() if not c["transactional"])
    channel, was = next(iter(category["channels"].items()))
    box = page.get_by_role(
        "checkbox", name=f"{category['description']}: {CHANNEL_NAMES[channel]}", exact=True
    )
    expect(box).to_be_checked(checked=was)
    box.click()
    expect(box).to_be_checked(checked=not was)
    after = shopper.call("GET", "/me/notification-preferences").json()
    assert after["categories"][name]["channels"][channel] is (not was)

    quiet = page.get_by_role("switch", name="Horário de silêncio", exact=False)
    quiet.check(force=True)
    expect(quiet).to_be_checked()
    kept = shopper.call("GET", "/me/notification-preferences").json()["quietHours"]
    assert kept == {"start": "22:00", "end": "08:00"}
