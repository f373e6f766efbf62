"""Messages from templates: Jinja2 for the words, Babel (CLDR) for money and dates.

``templates/<locale>/<kind>.txt`` defines three blocks: ``subject`` (the e-mail's subject,
the push and inbox title), ``short`` (SMS and push text, at most ``SHORT_LIMIT``
characters) and ``body`` (the e-mail and inbox text, paragraphs split by blank lines). The
same template renders twice: as plain text, and autoescaped into ``layout.html`` for the
HTML part of the e-mail, so a buyer's name or a chat preview can never inject markup.

Filters: ``money`` (``{amount, currency}`` in minor units, written as the locale writes it:
``R$ 1.234,50`` in pt-BR, ``R$1,234.50`` in en), ``date`` and ``datetime`` (ISO instants
shown in the account's time zone), ``stars``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency, get_currency_precision
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.utils import concat
from markupsafe import Markup

from notifications.domain import zone

TEMPLATES = Path(__file__).parent / "templates"
#: Push and SMS text is cut here (one SMS segment of GSM characters).
SHORT_LIMIT = 160
#: The e-mail's button and footer, by locale.
ACTION = {"pt-BR": "Abrir na Titan", "en": "Open in Titan"}
FOOTER = {
    "pt-BR": "Você recebe esta mensagem pela sua conta Titan. Escolha o que receber em "
    "Preferências de notificação.",
    "en": "You get this message through your Titan account. Choose what you receive in "
    "Notification preferences.",
}


@dataclass(frozen=True)
class Rendered:
    """A message in every form its channels take."""

    subject: str
    short: str
    text: str
    html: str


def _babel(context) -> str:
    return context["locale"].replace("-", "_")


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pass_context
def _money(context, money: dict[str, Any]) -> str:
    currency = money["currency"]
    amount = Decimal(money["amount"]).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency, locale=_babel(context))


@pass_context
def _date(context, value: str) -> str:
    """A date (``2026-12-05``) as is, an instant as the date it is in the account's zone."""
    day = (
        date.fromisoformat(value)
        if len(value) == 10
        else _instant(value).astimezone(zone(context["time_zone"])).date()
    )
    return format_date(day, "medium", locale=_babel(context))


@pass_context
def _datetime(context, value: str) -> str:
    local = _instant(value).astimezone(zone(context["time_zone"]))
    locale = _babel(context)
    pattern = get_datetime_format("medium", locale=locale)
    return pattern.replace("{1}", format_date(local.date(), "medium", locale=locale)).replace(
        "{0}", format_time(local, "short", locale=locale)
    )


def _stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=autoescape,  # noqa: S701  (off only for the plain-text rendering: TEXT below)
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=_money, date=_date, datetime=_datetime, stars=_stars)
    return env


#: Plain text (the e-mail's text part, SMS, push, the inbox) is never read as HTML;
#: the HTML part is rendered by ``HTML``, which escapes every variable.
TEXT = _environment(autoescape=False)
HTML = _environment(autoescape=True)


@cache
def kinds(locale: str) -> frozenset[str]:
    """The message kinds with a template in ``locale``."""
    return frozenset(p.stem for p in (TEMPLATES / locale).glob("*.txt"))


def _blocks(env: Environment, kind: str, variables: dict[str, Any]) -> dict[str, str]:
    template = env.get_template(f"{variables['locale']}/{kind}.txt")
    context = template.new_context(variables)
    return {
        name: concat(template.blocks[name](context)).strip()
        for name in ("subject", "short", "body")
    }


def _cut(text: str, limit: int) -> str:
    """``text`` on one line (non-breaking spaces kept), cut to ``limit`` with an ellipsis."""
    text = re.sub(r"[ \t\r\n]+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render(
    kind: str,
    locale: str,
    time_zone: str,
    data: dict[str, Any],
    *,
    name: str | None = None,
    link: str | None = None,
    tracking_url: str = "",
) -> Rendered:
    """The message ``kind`` for a person reading ``locale`` in ``time_zone``, from the
    template's variables ``data``; ``name`` greets them, ``link`` (an absolute URL) ends the
    text and is the HTML's button. Raises jinja2.TemplateNotFound for a kind without a
    template, jinja2.UndefinedError for data the template needs and lacks."""
    variables = {
        **data,
        "name": (name or "").split(" ")[0] or None,
        "locale": locale,
        "time_zone": time_zone,
        "tracking_url": tracking_url,
    }
    text = _blocks(TEXT, kind, variables)
    escaped = _blocks(HTML, kind, variables)
    paragraphs = [
        Markup(p.strip().replace("\n", "<br>\n"))  # noqa: S704  (escaped by the HTML env)
        for p in escaped["body"].split("\n\n")
        if p.strip()
    ]
    html = HTML.get_template("layout.html").render(
        locale=locale,
        subject=text["subject"],
        paragraphs=paragraphs,
        link=link,
        action=ACTION[locale],
        footer=FOOTER[locale],
    )
    body = text["body"] + (f"\n\n{ACTION[locale]}: {link}" if link else "")
    return Rendered(
        subject=_cut(text["subject"], 200),
        short=_cut(text["short"], SHORT_LIMIT),
        text=body,
        html=html,
    )
