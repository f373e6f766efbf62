"""Identity use cases: register, log in, refresh, log out, reset and change passwords, verify
e-mail, TOTP, roles. The API (api.py) and provisioning call these; they raise ``Problem``s.

Security events go on the bus as audit records (source ``titan.identity``): AccountRegistered,
LoginSucceeded, LoginFailed, LoginThrottled, RefreshTokenReused, PasswordResetRequested,
PasswordChanged, EmailVerified, MfaEnabled, MfaDisabled, RoleGranted, RoleRevoked. They never
carry passwords, tokens or codes.
"""

from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass

import boto3
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from identity import domain, tokens
from identity.store import Account, Address, Code, EmailClaim, Throttle, TokenFamily
from titan import clock
from titan.dynamo import transaction
from titan.errors import Conflict, NotFound, Problem, TooManyRequests, Unauthorized, Unprocessable
from titan.events import DomainEvent, EventPublisher
from titan.geo import BR_STATES
from titan.ids import new_id
from titan.observability import logger

#: argon2id with OWASP's minimum (Password Storage Cheat Sheet): m=19 MiB, t=2, p=1.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both failures take the same time.
    Made on first use, not at import: it would add a hash to every cold start."""
    return HASHER.hash("titan-commerce-dummy-password")


RESET_SECONDS = 30 * 60
VERIFY_SECONDS = 7 * 24 * 3600

_publisher: EventPublisher | None = None


def publish(detail_type: str, **data) -> None:
    """Publish an identity event; failures are logged, never fail the caller's request."""
    global _publisher
    try:
        _publisher = _publisher or EventPublisher()
        _publisher.publish(DomainEvent("identity", detail_type, data))
    except Exception:
        logger.exception("could not publish %s", detail_type)


def send_mail(to: str, subject: str, text: str) -> None:
    """Send a plain-text e-mail through SES from ``MAIL_FROM``."""
    boto3.client("ses").send_email(
        Source=os.environ["MAIL_FROM"],
        Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}},
    )


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int = tokens.ACCESS_TOKEN_SECONDS


# --- accounts ---------------------------------------------------------------------------------
def _email(email: str) -> str:
    try:
        return domain.normalise_email(email)
    except ValueError as exc:
        raise Unprocessable("That is not an e-mail address.", code="INVALID_EMAIL") from exc


def _check_password(password: str, email: str, name: str = "") -> None:
    problems = domain.password_problems(password, email, name)
    if problems:
        raise Unprocessable(
            "The password must be " + "; ".join(problems) + ".",
            code="WEAK_PASSWORD",
            requirements=problems,
        )


def get_account(account_id: str) -> Account:
    try:
        return Account.get(*Account.key(account_id))
    except DoesNotExist as exc:
        raise NotFound("No such account.", code="ACCOUNT_NOT_FOUND") from exc


def create_account(
    email: str, password: str, name: str, roles: set[str] | None = None, verified: bool = False
) -> Account:
    """Create an account; its e-mail must be free. Raises Unprocessable (INVALID_EMAIL,
    WEAK_PASSWORD) or Conflict (EMAIL_TAKEN)."""
    email = _email(email)
    _check_password(password, email, name)
    now = clock.iso()
    account_id = new_id("acct")
    account = Account(
        *Account.key(account_id),
        account_id=account_id,
        email=email,
        name=name,
        password_hash=HASHER.hash(password),
        roles=roles or {"customer"},
        email_verified=verified,
        created_at=now,
        updated_at=now,
    )
    claim = EmailClaim(*EmailClaim.key(email), account_id=account_id)
    try:
        with transaction() as write:
            write.save(claim, condition=EmailClaim.pk.does_not_exist())
            write.save(account, condition=Account.pk.does_not_exist())
    except TransactWriteError as exc:
        raise Conflict("An account with this e-mail already exists.", code="EMAIL_TAKEN") from exc
    return account


def register(email: str, password: str, name: str) -> Account:
    """Register a customer and e-mail a verification code."""
    account = create_account(email, password, name)
    code = _new_code(account.account_id, "VERIFY", VERIFY_SECONDS)
    send_mail(
        account.email,
        "Verify your Titan Commerce e-mail",
        f"Hello {account.name},\n\nyour verification code is:\n\n{code}\n",
    )
    publish("AccountRegistered", accountId=account.account_id)
    return account


def update_name(account_id: str, name: str) -> Account:
    account = get_account(account_id)
    account.update(actions=[Account.name.set(name), Account.updated_at.set(clock.iso())])
    return account


# --- login and tokens ---------------------------------------------------------------------------
def _throttle_state(subject: str) -> Throttle | None:
    try:
        return Throttle.get(*Throttle.key(subject), consistent_read=True)
    except DoesNotExist:
        return None


def _locked_until(subject: str, now: int) -> int:
    state = _throttle_state(subject)
    return state.locked_until if state and state.locked_until > now else 0


def _record_failure(subject: str, kind: str, now: int) -> None:
    """Count a failure for ``subject`` in its current window (one atomic conditional update;
    a new window starts when the last one is over) and lock it per the throttle policy."""
    window = int(domain.THROTTLE.window.total_seconds())
    state = Throttle(*Throttle.key(subject))
    try:
        state.update(
            actions=[Throttle.failures.add(1), Throttle.expires_at.set(now + 2 * window)],
            condition=Throttle.window_start >= now - window,
        )
    except UpdateError:
        state = Throttle(
            *Throttle.key(subject),
            failures=1,
            window_start=now,
            locked_until=0,
            expires_at=now + 2 * window,
        )
        state.save()
    policy = domain.THROTTLE
    lock = policy.account_lock if kind == "email" else policy.ip_lock
    if (until := lock(state.failures, clock.now())) is not None:
        state.update(actions=[Throttle.locked_until.set(int(until.timestamp()))])


def _too_many(until: int, now: int) -> TooManyRequests:
    retry = max(1, until - now)
    return TooManyRequests(
        "Too many failed sign-in attempts. Try again later.",
        headers={"Retry-After": str(retry)},
        retryAfter=retry,
    )


def login(email: str, password: str, source_ip: str, totp_code: str | None = None) -> Tokens:
    """Check the credentials (and TOTP code when enabled) and issue tokens.

    Raises Unauthorized INVALID_CREDENTIALS for an unknown e-mail and for a wrong password
    alike (same message, same hashing work), MFA_REQUIRED when a TOTP code is needed, and
    TooManyRequests RATE_LIMITED (with Retry-After) while the e-mail or the IP is locked."""
    now = clock.epoch_seconds()
    try:
        email = domain.normalise_email(email)
    except ValueError:
        email = email.strip().lower()
    for subject in (f"ip#{source_ip}", f"email#{email}"):
        if until := _locked_until(subject, now):
            publish("LoginThrottled", sourceIp=source_ip)
            raise _too_many(until, now)
    account = _account_by_email(email)
    password_hash = account.password_hash if account else _dummy_hash()
    try:
        HASHER.verify(password_hash, password)
        ok = account is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if ok and account.totp_secret:
        if not totp_code:
            raise Unauthorized("Enter the code from your authenticator app.", code="MFA_REQUIRED")
        ok = pyotp.TOTP(account.totp_secret).verify(totp_code, valid_window=1)
    if not ok:
        _record_failure(f"email#{email}", "email", now)
        _record_failure(f"ip#{source_ip}", "ip", now)
        publish(
            "LoginFailed", accountId=account.account_id if account else None, sourceIp=source_ip
        )
        raise Unauthorized("The e-mail or password is wrong.", code="INVALID_CREDENTIALS")
    if HASHER.check_needs_rehash(account.password_hash):
        account.update(actions=[Account.password_hash.set(HASHER.hash(password))])
    Throttle(*Throttle.key(f"email#{email}")).delete()
    publish("LoginSucceeded", accountId=account.account_id, sourceIp=source_ip)
    return _issue(account, new_id("fam"))


def _account_by_email(email: str) -> Account | None:
    try:
        claim = EmailClaim.get(*EmailClaim.key(email))
        return Account.get(*Account.key(claim.account_id))
    except DoesNotExist:
        return None


def _new_code(account_id: str, kind: str, seconds: int, family_id: str | None = None) -> str:
    code, digest = tokens.new_secret_code()
    Code(
        *Code.key(digest, kind),
        account_id=account_id,
        family_id=family_id,
        expires_at=clock.epoch_seconds() + seconds,
    ).save()
    return code


def _issue(account: Account, family_id: str) -> Tokens:
    TokenFamily(
        *TokenFamily.key(account.account_id, family_id),
        family_id=family_id,
        expires_at=clock.epoch_seconds() + tokens.REFRESH_TOKEN_SECONDS,
    ).save(condition=TokenFamily.revoked_at.does_not_exist())
    refresh = _new_code(account.account_id, "REFRESH", tokens.REFRESH_TOKEN_SECONDS, family_id)
    access = tokens.issue_access_token(
        account.account_id, domain.roles_claim(account.roles), account.seller_id
    )
    return Tokens(access, refresh)


def _use_code(code: str, kind: str) -> Code:
    """Mark a single-use code used, atomically. Raises Unauthorized INVALID_CODE if it does not
    exist or expired, Conflict CODE_ALREADY_USED if it was used (the item is returned on the
    exception as ``item``)."""
    try:
        item = Code.get(*Code.key(tokens.digest(code), kind), consistent_read=True)
    except DoesNotExist as exc:
        raise Unauthorized("The code is not valid.", code="INVALID_CODE") from exc
    if item.expires_at <= clock.epoch_seconds():
        raise Unauthorized("The code has expired.", code="INVALID_CODE")
    try:
        item.update(
            actions=[Code.used_at.set(clock.iso())], condition=Code.used_at.does_not_exist()
        )
    except UpdateError as exc:
        used = Conflict("The code was already used.", code="CODE_ALREADY_USED")
        used.item = item
        raise used from exc
    return item


def refresh(refresh_token: str) -> Tokens:
    """Rotate a refresh token: it works once. Presenting a used one again revokes its whole
    family (every token descended from that login), as RFC 9700 section 4.14.2 advises.
    Raises Unauthorized INVALID_REFRESH_TOKEN / REFRESH_TOKEN_REUSED."""
    try:
        item = _use_code(refresh_token, "REFRESH")
    except Conflict as exc:
        _revoke_family(exc.item.account_id, exc.item.family_id)
        publish("RefreshTokenReused", accountId=exc.item.account_id)
        raise Unauthorized(
            "This refresh token was already used; sign in again.", code="REFRESH_TOKEN_REUSED"
        ) from exc
    except Unauthorized as exc:
        raise Unauthorized("The refresh token is not valid.", code="INVALID_REFRESH_TOKEN") from exc
    family = TokenFamily.get(
        *TokenFamily.key(item.account_id, item.family_id), consistent_read=True
    )
    if family.revoked_at:
        raise Unauthorized("The session has ended; sign in again.", code="INVALID_REFRESH_TOKEN")
    return _issue(get_account(item.account_id), item.family_id)


def _revoke_family(account_id: str, family_id: str) -> None:
    family = TokenFamily(*TokenFamily.key(account_id, family_id))
    with contextlib.suppress(UpdateError):  # a family that is gone needs no revoking
        family.update(
            actions=[TokenFamily.revoked_at.set(clock.iso())], condition=TokenFamily.pk.exists()
        )


def logout(refresh_token: str) -> None:
    """End the session the refresh token belongs to (idempotent; unknown tokens are ignored).
    Access tokens already issued stay valid until they expire (15 minutes)."""
    try:
        item = Code.get(*Code.key(tokens.digest(refresh_token), "REFRESH"))
    except DoesNotExist:
        return
    _revoke_family(item.account_id, item.family_id)


def _revoke_all_sessions(account_id: str) -> None:
    for family in TokenFamily.query(f"ACCOUNT#{account_id}", TokenFamily.sk.startswith("FAMILY#")):
        if not family.revoked_at:
            _revoke_family(account_id, family.family_id)


# --- passwords and e-mail -----------------------------------------------------------------------
def request_password_reset(email: str) -> None:
    """E-mail a reset code valid 30 minutes if the account exists; the caller learns nothing
    either way."""
    try:
        account = _account_by_email(domain.normalise_email(email))
    except ValueError:
        return
    if account is None:
        return
    code = _new_code(account.account_id, "RESET", RESET_SECONDS)
    send_mail(
        account.email,
        "Reset your Titan Commerce password",
        f"Hello {account.name},\n\nyour password reset code (valid 30 minutes) is:\n\n"
        f"{code}\n\nIf you did not ask for it, ignore this e-mail.\n",
    )
    publish("PasswordResetRequested", accountId=account.account_id)


def _set_password(account: Account, password: str) -> None:
    _check_password(password, account.email, account.name)
    account.update(
        actions=[
            Account.password_hash.set(HASHER.hash(password)),
            Account.updated_at.set(clock.iso()),
        ]
    )
    _revoke_all_sessions(account.account_id)
    publish("PasswordChanged", accountId=account.account_id)


def confirm_password_reset(code: str, password: str) -> None:
    """Set a new password with a reset code (single use); ends every session."""
    try:
        item = _use_code(code, "RESET")
    except Conflict as exc:
        raise Unauthorized("The code is not valid.", code="INVALID_CODE") from exc
    _set_password(get_account(item.account_id), password)


def change_password(account_id: str, current: str, new: str) -> None:
    """Change the password, knowing the current one; ends every session."""
    account = get_account(account_id)
    try:
        HASHER.verify(account.password_hash, current)
    except (VerifyMismatchError, VerificationError, InvalidHashError) as exc:
        raise Unauthorized("The current password is wrong.", code="INVALID_CREDENTIALS") from exc
    _set_password(account, new)


def verify_email(code: str) -> None:
    try:
        item = _use_code(code, "VERIFY")
    except Conflict:
        return  # already verified with this code: nothing to do
    account = get_account(item.account_id)
    account.update(actions=[Account.email_verified.set(True), Account.updated_at.set(clock.iso())])
    publish("EmailVerified", accountId=account.account_id)


# --- TOTP ---------------------------------------------------------------------------------------
def start_totp(account_id: str) -> tuple[str, str]:
    """A new TOTP secret (pending until confirmed) and its otpauth:// URI (RFC 6238)."""
    account = get_account(account_id)
    if account.totp_secret:
        raise Conflict("Two-factor authentication is already on.", code="MFA_ALREADY_ENABLED")
    secret = pyotp.random_base32()
    account.update(actions=[Account.totp_pending.set(secret)])
    uri = pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name="Titan Commerce")
    return secret, uri


def confirm_totp(account_id: str, code: str) -> None:
    account = get_account(account_id)
    if not account.totp_pending or not pyotp.TOTP(account.totp_pending).verify(
        code, valid_window=1
    ):
        raise Unprocessable("The code does not match.", code="INVALID_MFA_CODE")
    account.update(
        actions=[Account.totp_secret.set(account.totp_pending), Account.totp_pending.remove()]
    )
    publish("MfaEnabled", accountId=account_id)


def disable_totp(account_id: str, code: str) -> None:
    account = get_account(account_id)
    if not account.totp_secret or not pyotp.TOTP(account.totp_secret).verify(code, valid_window=1):
        raise Unprocessable("The code does not match.", code="INVALID_MFA_CODE")
    account.update(actions=[Account.totp_secret.remove()])
    publish("MfaDisabled", accountId=account_id)


# --- roles --------------------------------------------------------------------------------------
def grant_role(actor: str, account_id: str, role: str, seller_id: str | None = None) -> Account:
    """Give ``role`` to an account; ``seller`` needs the ``seller_id`` it acts for. Takes effect
    in the account's next access token."""
    if role not in domain.ROLES:
        raise Unprocessable(f"Unknown role {role!r}.", code="UNKNOWN_ROLE")
    if role == "seller" and not seller_id:
        raise Unprocessable("The seller role needs a sellerId.", code="SELLER_ID_REQUIRED")
    account = get_account(account_id)
    actions = [Account.roles.add({role}), Account.updated_at.set(clock.iso())]
    if role == "seller":
        actions.append(Account.seller_id.set(seller_id))
    account.update(actions=actions)
    publish("RoleGranted", accountId=account_id, role=role, grantedBy=actor, sellerId=seller_id)
    return account


def revoke_role(actor: str, account_id: str, role: str) -> Account:
    account = get_account(account_id)
    if role not in account.roles:
        raise NotFound("The account does not have that role.", code="ROLE_NOT_HELD")
    if role == "admin" and actor == account_id:
        raise Problem(
            "Admins cannot remove their own admin role.",
            status=409,
            code="CANNOT_REVOKE_OWN_ADMIN",
            title="Conflict",
        )
    actions = [Account.roles.delete({role}), Account.updated_at.set(clock.iso())]
    if role == "seller":
        actions.append(Account.seller_id.remove())
    account.update(actions=actions)
    publish("RoleRevoked", accountId=account_id, role=role, revokedBy=actor)
    return account


def find_account(email: str) -> Account:
    account = _account_by_email(_email(email))
    if account is None:
        raise NotFound("No account has that e-mail.", code="ACCOUNT_NOT_FOUND")
    return account


# --- addresses ----------------------------------------------------------------------------------
ADDRESS_FIELDS = (
    "recipient_name",
    "street",
    "number",
    "complement",
    "district",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
)
MAX_ADDRESSES = 20


def list_addresses(account_id: str) -> list[Address]:
    return list(Address.query(f"ACCOUNT#{account_id}", Address.sk.startswith("ADDRESS#")))


def get_address(account_id: str, address_id: str) -> Address:
    """The caller's address; another account's address is simply not found (404)."""
    try:
        return Address.get(*Address.key(account_id, address_id))
    except DoesNotExist as exc:
        raise NotFound("No such address.", code="ADDRESS_NOT_FOUND") from exc


def _validated(fields: dict) -> dict:
    fields = {k: v for k, v in fields.items() if k in ADDRESS_FIELDS}
    if "state" in fields:
        fields["state"] = fields["state"].upper()
        if fields["state"] not in BR_STATES:
            raise Unprocessable("state must be a Brazilian UF, e.g. SP.", code="INVALID_ADDRESS")
    if "postal_code" in fields:
        try:
            fields["postal_code"] = domain.normalise_postal_code(
                fields["postal_code"], fields.get("country", "BR")
            )
        except ValueError as exc:
            raise Unprocessable(str(exc), code="INVALID_ADDRESS") from exc
    return fields


def _make_default(account_id: str, address: Address, others: list[Address]) -> None:
    """Make ``address`` the only default, in one transaction."""
    with transaction() as write:
        for other in others:
            if other.is_default and other.address_id != address.address_id:
                write.update(other, actions=[Address.is_default.set(False)])
        write.update(address, actions=[Address.is_default.set(True)], condition=Address.pk.exists())


def add_address(account_id: str, fields: dict, make_default: bool) -> Address:
    """Add an address; the first one, or one marked default, becomes the default shipping
    address. Raises Unprocessable INVALID_ADDRESS / TOO_MANY_ADDRESSES."""
    existing = list_addresses(account_id)
    if len(existing) >= MAX_ADDRESSES:
        raise Unprocessable(f"At most {MAX_ADDRESSES} addresses.", code="TOO_MANY_ADDRESSES")
    address_id = new_id("addr")
    address = Address(
        *Address.key(account_id, address_id),
        address_id=address_id,
        created_at=clock.iso(),
        is_default=False,
        **_validated(fields),
    )
    address.save(condition=Address.pk.does_not_exist())
    if make_default or not existing:
        _make_default(account_id, address, existing)
        address.is_default = True
    return address


def update_address(
    account_id: str, address_id: str, fields: dict, make_default: bool | None
) -> Address:
    address = get_address(account_id, address_id)
    changes = _validated(fields)
    if changes:
        address.update(
            actions=[getattr(Address, k).set(v) for k, v in changes.items()],
            condition=Address.pk.exists(),
        )
    if make_default:
        _make_default(account_id, address, list_addresses(account_id))
        address.is_default = True
    return address


def delete_address(account_id: str, address_id: str) -> None:
    get_address(account_id, address_id).delete()
