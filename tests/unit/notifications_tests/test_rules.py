"""Notification rules without AWS: categories and channels, preference checks, quiet hours in
the account's time zone (across midnight and daylight-saving days), and every message kind
rendered in both locales from its event's sample, money and dates as each locale writes them,
HTML escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from notifications import domain, render
from notifications.domain import EMAIL, INBOX, PUSH, SMS
from notifications.messages import WRITERS

SAMPLES = Path(__file__).resolve().parents[3] / "events" / "samples"
NIGHT = (time(22, 0), time(8, 0))


def test_transactional_categories_keep_email_and_inbox_whatever_the_choices():
    chosen = {"ORDERS": {EMAIL: False, INBOX: False, PUSH: False, SMS: True}}
    assert domain.channels_for("ORDERS", chosen) == {EMAIL, INBOX, SMS}
    assert domain.channels_for("SHIPPING", None) == {EMAIL, PUSH, INBOX}
    with pytest.raises(domain.PreferenceError) as refused:
        domain.check_choices({"RETURNS": {EMAIL: False}}, has_phone=False)
    assert (refused.value.code, refused.value.field) == (
        "TRANSACTIONAL_REQUIRED",
        "categories.RETURNS.EMAIL",
    )


def test_marketing_is_opt_in_and_other_categories_can_go_quiet():
    assert domain.channels_for("MARKETING", None) == frozenset()
    assert domain.channels_for("MARKETING", {"MARKETING": {PUSH: True}}) == {PUSH}
    assert domain.channels_for("CHAT", {"CHAT": {EMAIL: False, PUSH: False, INBOX: False}}) == (
        frozenset()
    )
    domain.check_choices({"CHAT": {INBOX: False}, "MARKETING": {EMAIL: True}}, has_phone=False)


def test_sms_needs_a_phone_number():
    with pytest.raises(domain.PreferenceError) as refused:
        domain.check_choices({"SHIPPING": {SMS: True}}, has_phone=False)
    assert refused.value.code == "PHONE_REQUIRED"
    domain.check_choices({"SHIPPING": {SMS: True}}, has_phone=True)


@pytest.mark.parametrize(
    ("utc", "until"),
    [
        ("2026-12-02T01:30:00Z", "2026-12-02T11:00:00+00:00"),  # 22:30 in São Paulo
        ("2026-12-02T05:00:00Z", "2026-12-02T11:00:00+00:00"),  # 02:00, after midnight
        ("2026-12-02T10:59:00Z", "2026-12-02T11:00:00+00:00"),  # 07:59
        ("2026-12-02T11:00:00Z", None),  # 08:00: over
        ("2026-12-02T00:59:00Z", None),  # 21:59: not yet
    ],
)
def test_quiet_hours_span_midnight_in_the_account_s_zone(utc, until):
    now = datetime.fromisoformat(utc.replace("Z", "+00:00"))
    found = domain.quiet_until(now, "America/Sao_Paulo", NIGHT)
    assert (found.isoformat() if found else None) == until


def test_quiet_hours_end_by_the_wall_clock_across_a_daylight_saving_change():
    # New York springs forward at 02:00 on 2027-03-14: 22:00 EST to 08:00 EDT is 9 hours.
    evening = datetime(2027, 3, 14, 3, 0, tzinfo=UTC)  # 22:00 EST on the 13th
    assert domain.quiet_until(evening, "America/New_York", NIGHT) == datetime(
        2027, 3, 14, 12, 0, tzinfo=UTC
    )
    # A quiet hour ending inside the skipped hour ends when the clock shows the next.
    ends = domain.quiet_until(evening, "America/New_York", (time(22, 0), time(2, 30)))
    assert ends == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)  # 03:30 EDT


def test_daytime_quiet_hours_and_none():
    lunch = (time(12, 0), time(13, 0))
    noon = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)  # 12:30 in São Paulo
    assert domain.quiet_until(noon, "America/Sao_Paulo", lunch) == datetime(
        2026, 12, 2, 16, 0, tzinfo=UTC
    )
    assert domain.quiet_until(noon, "America/Sao_Paulo", None) is None
    with pytest.raises(domain.PreferenceError):
        domain.parse_quiet("08:00", "08:00")
    with pytest.raises(domain.PreferenceError) as unknown:
        domain.zone("Mars/Olympus_Mons")
    assert unknown.value.code == "TIME_ZONE_UNKNOWN"


def _sample(kind: str) -> dict:
    return json.loads((SAMPLES / f"{kind}.json").read_text())["detail"]["data"]


@pytest.mark.parametrize("contract", list(WRITERS), ids=lambda c: c.detail_type())
def test_every_message_renders_in_both_locales_from_its_event(contract):
    event = contract.model_validate(_sample(contract.detail_type()))
    if contract.detail_type() == "ShipmentStatusChanged":
        event = event.model_copy(update={"status": "HANDED_OVER", "direction": "OUTBOUND"})
    if contract.detail_type() == "ReviewPublished":
        event = event.model_copy(update={"imported": False})
    if contract.detail_type() == "ChatMessageSent":
        event = event.model_copy(update={"recipientOnline": False})
    if contract.detail_type() == "ReturnRequested":
        event = event.model_copy(update={"kind": "RETURN"})
    notices = WRITERS[contract](event)
    assert notices, "the sample tells someone something"
    for notice in notices:
        assert notice.kind in render.kinds("en") and notice.kind in render.kinds("pt-BR")
        texts = {}
        for locale in domain.LOCALES:
            made = render.render(notice.kind, locale, "America/Sao_Paulo", notice.data, name="Ana")
            assert made.subject and made.text and made.short
            assert len(made.short) <= render.SHORT_LIMIT
            assert made.html.startswith("<!doctype html>") and made.subject in made.html
            texts[locale] = made.subject
        assert texts["en"] != texts["pt-BR"]


def test_money_and_dates_as_each_locale_writes_them():
    data = {
        "orderId": "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
        "total": {"amount": 123450, "currency": "BRL"},
        "status": "PENDING_PAYMENT",
        "reason": "PAYMENT_EXPIRED",
    }
    pt = render.render("order_cancelled", "pt-BR", "America/Sao_Paulo", data)
    en = render.render("order_cancelled", "en", "America/Sao_Paulo", data)
    assert "R$\xa01.234,50" in pt.text and "boleto não foi pago" in pt.text
    assert "R$1,234.50" in en.text and "was not paid by its due date" in en.text
    moved = {
        "orderId": "ord_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
        "carrierName": "Correio Nacional",
        "at": "2026-12-02T01:30:00.000Z",  # the evening of the 1st in São Paulo
    }
    assert (
        "1 de dez. de 2026 22:30"
        in render.render("delivered", "pt-BR", "America/Sao_Paulo", moved).text
    )
    assert "Dec 2, 2026, 1:30" in render.render("delivered", "en", "UTC", moved).text


def test_html_is_escaped_and_text_is_not():
    data = {
        "conversationId": "cnv_01JDQ6R8V9W3X4Y5Z6A7B8C9D0",
        "title": "Tênis <Pro> & cia",
        "preview": '<script>alert("x")</script>',
    }
    made = render.render("chat_message", "en", "UTC", data, name="<b>Ana</b>", link="/c/1?a=1&b=2")
    assert '<script>alert("x")</script>' in made.text and "<script>" not in made.html
    assert "&lt;script&gt;" in made.html and "Tênis &lt;Pro&gt; &amp; cia" in made.html
    assert "&lt;b&gt;Ana&lt;/b&gt;" in made.html
    assert 'href="/c/1?a=1&amp;b=2"' in made.html
