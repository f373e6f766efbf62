"""Onboarding rules, pure: a seller application's documents, bank account, shop name and the
states it moves through.

- A **person** sells under their CPF, a **company** under its CNPJ; both carry modulo-11
  check digits (Receita Federal's rules: CPF in ``titan.contact``, CNPJ here).
- The payout **bank account** is the applicant's own: its holder's document is the
  applicant's; the bank is a COMPE code of ``banks.BANKS``; the branch (agência) has 4 digits
  and may carry a check digit, the account up to 12 digits and a check digit (``12345-6``).
- The **shop name** gives the shop's URL slug (lowercase ASCII letters, digits and hyphens),
  unique among shops.
- **States**: SUBMITTED → IN_REVIEW (staff took it) → APPROVED, REJECTED (with reasons) or
  NEEDS_INFO (staff asked for something); the applicant answers a NEEDS_INFO by submitting
  again (SUBMITTED). APPROVED and REJECTED are final.
"""

from __future__ import annotations

import re
import unicodedata

from sellers.banks import BANKS
from titan.contact import cpf_valid
from titan.errors import FieldRefused

PERSON, COMPANY = "PERSON", "COMPANY"
SUBMITTED, IN_REVIEW, APPROVED, REJECTED, NEEDS_INFO = (
    "SUBMITTED",
    "IN_REVIEW",
    "APPROVED",
    "REJECTED",
    "NEEDS_INFO",
)
#: Open applications hold their account's, document's and shop name's claims.
OPEN = (SUBMITTED, IN_REVIEW, NEEDS_INFO)
#: action → (the states it may start from, the state it leads to)
TRANSITIONS = {
    "review": ((SUBMITTED,), IN_REVIEW),
    "approve": ((IN_REVIEW,), APPROVED),
    "reject": ((SUBMITTED, IN_REVIEW), REJECTED),
    "request_info": ((IN_REVIEW,), NEEDS_INFO),
    "resubmit": ((NEEDS_INFO,), SUBMITTED),
}
#: Reasons staff may give for a rejection (stable codes the applicant's screen explains).
REJECTION_REASONS = (
    "DOCUMENT_UNREADABLE",
    "DOCUMENT_MISMATCH",
    "IDENTITY_NOT_VERIFIED",
    "PROHIBITED_GOODS",
    "DUPLICATE_SELLER",
    "OTHER",
)
BRAZILIAN_STATES = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()
)
_BRANCH = re.compile(r"^\d{4}(-[0-9Xx])?$")
_ACCOUNT = re.compile(r"^\d{1,12}-[0-9Xx]$")


class Refused(FieldRefused):
    """A rule refused the application."""


def cnpj_valid(digits: str) -> bool:
    """True if the 14 ``digits`` are a CNPJ with correct check digits (Receita Federal's
    modulo-11 rule, weights 5..2,9..2 then 6..2,9..2); repeated digits are not CNPJs."""
    if len(digits) != 14 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    for size in (12, 13):
        weights = list(range(size - 7, 1, -1)) + list(range(9, 1, -1))
        total = sum(int(d) * w for d, w in zip(digits[:size], weights, strict=True))
        check = 11 - total % 11
        if (0 if check >= 10 else check) != int(digits[size]):
            return False
    return True


def check_document(legal_type: str, document: str) -> str:
    """The document's digits, checked for the legal type. Raises Refused
    ``DOCUMENT_INVALID`` (field ``document``)."""
    digits = re.sub(r"[.\-/\s]", "", document)
    valid = cpf_valid(digits) if legal_type == PERSON else cnpj_valid(digits)
    if not valid:
        kind = "CPF" if legal_type == PERSON else "CNPJ"
        raise Refused(f"document is not a valid {kind}.", "DOCUMENT_INVALID", "document")
    return digits


def check_bank(bank: dict, applicant_document: str) -> dict:
    """The bank account, checked. Raises Refused ``BANK_UNKNOWN``, ``BRANCH_INVALID``,
    ``ACCOUNT_INVALID`` or ``HOLDER_MISMATCH`` (the holder is not the applicant)."""
    if bank["bankCode"] not in BANKS:
        raise Refused("bankCode is not a known bank.", "BANK_UNKNOWN", "bank.bankCode")
    if not _BRANCH.match(bank["branch"]):
        raise Refused("branch has 4 digits (and a check digit).", "BRANCH_INVALID", "bank.branch")
    if not _ACCOUNT.match(bank["account"]):
        raise Refused(
            "account is its digits, a hyphen and its check digit.",
            "ACCOUNT_INVALID",
            "bank.account",
        )
    holder = re.sub(r"[.\-/\s]", "", bank["holderDocument"])
    if holder != applicant_document:
        raise Refused(
            "The account must be the applicant's own (its holder's document is the applicant's).",
            "HOLDER_MISMATCH",
            "bank.holderDocument",
        )
    return {**bank, "holderDocument": holder, "bankName": BANKS[bank["bankCode"]]}


def slug(shop_name: str) -> str:
    """The shop's URL slug: accents dropped, lowercase ASCII letters and digits joined by
    single hyphens ("Café & Cia. Ltda" → "cafe-cia-ltda"). Raises Refused
    ``SHOP_NAME_INVALID`` when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", shop_name).encode("ascii", "ignore").decode()
    made = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if len(made) < 3:
        raise Refused(
            "shopName needs at least 3 letters or digits.", "SHOP_NAME_INVALID", "shopName"
        )
    return made[:60].rstrip("-")


def next_status(status: str, action: str) -> str:
    """The state ``action`` leads to from ``status``. Raises Refused ``INVALID_TRANSITION``."""
    starts, ends = TRANSITIONS[action]
    if status not in starts:
        raise Refused(
            f"The application is {status}: {action} is not open to it.",
            "INVALID_TRANSITION",
            "status",
        )
    return ends
