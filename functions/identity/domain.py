"""Pure identity rules: e-mail normalisation, password policy, login throttling, roles,
addresses. No I/O here."""

from __future__ import annotations

import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp

ROLES = ("customer", "seller", "staff", "admin")

#: Password policy, after NIST SP 800-63B section 5.1.1.2: a minimum length, a generous
#: maximum, no composition rules, and a check against commonly used passwords.
MIN_PASSWORD = 10
MAX_PASSWORD = 128
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "1234567890",
        "12345678910",
        "qwertyuiop",
        "qwerty12345",
        "qwerty123456",
        "iloveyou12",
        "123456789a",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "abcdefghij",
        "abc1234567",
        "letmein123",
        "welcome123",
        "passw0rd123",
        "administrator",
        "admin12345",
        "changeme12",
        "trustno1234",
        "football12",
        "baseball12",
        "sunshine12",
        "princess12",
        "dragon1234",
        "monkey1234",
        "master1234",
        "superman12",
        "senha12345",
        "senha123456",
        "mudar12345",
        "brasil1234",
        "titancommerce",
    ]
)

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalise_email(email: str) -> str:
    """Trimmed, NFKC-normalised, lower-cased: the unique key of an account (case-insensitive
    uniqueness). Raises ValueError if it is not an address."""
    value = unicodedata.normalize("NFKC", email).strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not an e-mail address")
    return value


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Why ``password`` is refused (empty list if it is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        problems.append(f"at most {MAX_PASSWORD} characters")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("not a commonly used or repetitive password")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        problems.append("not containing your e-mail address")
    if name and len(name) >= 4 and name.lower() in lowered:
        problems.append("not containing your name")
    return problems


@dataclass(frozen=True)
class ThrottlePolicy:
    """Login throttling. Per account: after ``account_failures`` failures within ``window``,
    the account is locked for ``base_lock`` doubling with each further failure, up to
    ``max_lock``. Per source IP: ``ip_failures`` failures within ``window`` lock that IP for
    ``window``. Source: OWASP Authentication Cheat Sheet (account lockout with backoff)."""

    account_failures: int = 5
    ip_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    base_lock: timedelta = timedelta(minutes=1)
    max_lock: timedelta = timedelta(hours=1)

    def account_lock(self, failures: int, now: datetime) -> datetime | None:
        """When an account with ``failures`` recent failures may try again (None: now)."""
        if failures < self.account_failures:
            return None
        doublings = min(failures - self.account_failures, 10)
        return now + min(self.base_lock * (2**doublings), self.max_lock)

    def ip_lock(self, failures: int, now: datetime) -> datetime | None:
        """When a source IP with ``failures`` recent failures may try again (None: now)."""
        return now + self.window if failures >= self.ip_failures else None

    def reserve(self, current: Attempts | None, now: datetime, kind: str) -> Attempts:
        """The state after one more sign-in attempt of an e-mail (``kind="email"``) or an IP
        (``"ip"``) is let through, counted as a failure until it succeeds.

        The attempt is counted before the password is checked, so however many arrive at once
        no more are checked than one at a time would be: the attempt that reaches the limit
        sets the lock, and after a lock one attempt goes through, which sets the next, longer
        one. A new window starts when the last one is over. Raises ``Throttled`` while locked.
        """
        at = int(now.timestamp())
        if current is not None and current.locked_until > at:
            raise Throttled(current.locked_until)
        window = int(self.window.total_seconds())
        if current is None or current.window_start < at - window:
            current = Attempts(failures=0, window_start=at, locked_until=0)
        failures = current.failures + 1
        lock = (self.account_lock if kind == "email" else self.ip_lock)(failures, now)
        return Attempts(failures, current.window_start, int(lock.timestamp()) if lock else 0)


@dataclass(frozen=True)
class Attempts:
    """Sign-in attempts of one e-mail or IP: ``failures`` counted in the window that began at
    ``window_start``, and the lock until ``locked_until`` (epoch seconds; 0: none)."""

    failures: int
    window_start: int
    locked_until: int


class Throttled(Exception):
    """Too many failed sign-ins: no attempt before ``until`` (epoch seconds)."""

    def __init__(self, until: int) -> None:
        super().__init__(f"locked until {until}")
        self.until = until


#: Time steps either side of now a TOTP code is accepted in (clock drift), RFC 6238 section 5.2.
TOTP_DRIFT_STEPS = 1


def totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The RFC 6238 time step (30 s) within ``TOTP_DRIFT_STEPS`` of ``now`` whose code is
    ``code``, or None. A code is then accepted once: only for a step after the last one
    used (RFC 6238 section 5.2: "the verifier MUST NOT accept the second attempt of the OTP
    after the successful validation has been issued for the first OTP")."""
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def required_address_fields_missing(address: dict) -> list[str]:
    """The required fields of a shipping address (``recipient_name``, ``street``, ``number``,
    ``city``, ``state``, ``postal_code``) that are empty or missing."""
    required = ("recipient_name", "street", "number", "city", "state", "postal_code")
    return [name for name in required if not address.get(name)]


def roles_claim(roles: set[str]) -> str:
    """Roles as the authorizer passes them on: sorted, comma-separated, known roles only."""
    return ",".join(sorted(r for r in roles if r in ROLES))


_CEP = re.compile(r"^\d{5}-?\d{3}$")


def normalise_postal_code(postal_code: str, country: str = "BR") -> str:
    """A Brazilian CEP as ``NNNNN-NNN``. Raises ValueError for anything else."""
    value = postal_code.strip()
    if country != "BR" or not _CEP.match(value):
        raise ValueError("postal code must be a Brazilian CEP, e.g. 01310-100")
    digits = value.replace("-", "")
    return f"{digits[:5]}-{digits[5:]}"
