"""Contact data in people's words: what would take a trade off the platform.

Marketplaces keep buyers and sellers talking on the platform (their protection and fees depend
on it): reviews hold words with contact data for staff, chat masks it. Both use these rules.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: A URL, or a bare domain in the top-level domains Brazilian shops use ("loja.com.br"). Not
#: ".me" or ".io": "nome.me dei mal" is a missing space, not a link.
_LINK = re.compile(
    r"\b(?:https?://|www\.)\S+|\b[\w-]{2,}\.(?:com|net|org|shop|store)(?:\.br)?\b"
    r"|\b[\w-]{2,}\.com?\.br\b",
    re.IGNORECASE,
)
#: Brazilian phone numbers: optional +55, a two-digit area code (in brackets or not), then
#: 8 digits (landline) or 9 starting with 9 (mobile), with spaces, dots or a dash between
#: groups. Anatel's numbering plan (Resolução 749/2022); WhatsApp numbers are mobiles.
_PHONE = re.compile(
    r"(?<![\d/])(?:\+?55[\s.-]?)?(?:\(\s?[1-9]{2}\s?\)|[1-9]{2})[\s.-]?"
    r"(?:9[\s.]?\d{4}|[2-5]\d{3})[\s.-]?\d{4}(?![\d/])"
)
_CPF = re.compile(r"(?<!\d)(\d{3})\.?(\d{3})\.?(\d{3})-?(\d{2})(?!\d)")
_WHATSAPP = re.compile(r"\b(?:whats\s?app|zap(?:\s?zap)?|wpp|telegram)\b", re.IGNORECASE)


def cpf_valid(digits: str) -> bool:
    """True if the 11 ``digits`` are a CPF with correct check digits (Receita Federal's
    modulo-11 rule); repeated digits (111.111.111-11) are not CPFs."""
    if len(digits) != 11 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    for size in (9, 10):
        total = sum(int(d) * w for d, w in zip(digits[:size], range(size + 1, 1, -1), strict=True))
        check = (total * 10) % 11 % 10
        if check != int(digits[size]):
            return False
    return True


def contact_data(text: str) -> list[str]:
    """What in ``text`` would take the trade off the platform: ``email``, ``link``,
    ``phone``, ``cpf``, ``messenger`` (WhatsApp or Telegram named with a number), in that
    order, each once."""
    found = []
    if _EMAIL.search(text):
        found.append("email")
    if _LINK.search(_EMAIL.sub(" ", text)):
        found.append("link")
    phone = _PHONE.search(text)
    if phone:
        found.append("phone")
    if any(cpf_valid("".join(m.groups())) for m in _CPF.finditer(text)):
        found.append("cpf")
    if _WHATSAPP.search(text) and re.search(r"\d{4}", text):
        found.append("messenger")
    return found


#: What replaces masked contact data in a message.
MASK = "[hidden]"


def mask(text: str) -> tuple[str, list[str]]:
    """(``text`` with e-mail addresses, links, phone numbers and valid CPF numbers replaced by
    ``MASK``, what kinds were masked as ``contact_data`` names them). A messenger's name alone
    is kept: the number beside it is what goes."""
    found = contact_data(text)
    if not found:
        return text, []
    masked = _EMAIL.sub(MASK, text)
    masked = _LINK.sub(MASK, masked)
    masked = _PHONE.sub(MASK, masked)
    masked = _CPF.sub(lambda m: MASK if cpf_valid("".join(m.groups())) else m.group(0), masked)
    if "messenger" in found:
        masked = re.sub(r"\d[\d\s.()-]{6,}\d", MASK, masked)
    return masked, found
