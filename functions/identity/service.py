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
from dataclasses import dataclass

import boto3
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError

from identity import domain, settings, tokens
from identity.store import (
    Account,
    Address,
    Code,
    EmailClaim,
    SellerMember,
    Throttle,
    TokenFamily,
)
from titan import clock, events
from titan.dynamo import condition_failed, failed_conditions, get_or_404, transaction
from titan.errors import Conflict, NotFound, Problem, TooManyRequests, Unauthorized, Unprocessable
from titan.events import DomainEvent
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
#: Tries at a contended conditional write of a sign-in counter before answering 429.
ATTEMPT_RETRIES = 8
VERIFY_SECONDS = 7 * 24 * 3600
#: Sign-in throttling: per account, and per source IP as the deployment sets it.
THROTTLE = domain.ThrottlePolicy(ip_failures=settings.SETTINGS.login_ip_failure_limit)


def publish(detail_type: str, **data) -> None:
    """Publish an identity event; failures are logged, never fail the caller's request."""
    try:
        events.publish([DomainEvent.of(detail_type, data)])
    except Exception:
        logger.exception("could not publish %s", detail_type)


def send_mail(to: str, subject: str, text: str) -> None:
    """Send a plain-text e-mail through SES from ``MAIL_FROM``."""
    boto3.client("ses").send_email(
        Source=settings.SETTINGS.needed("mail_from"),
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
    return get_or_404(
        Account,
        *Account.key(account_id),
        code="ACCOUNT_NOT_FOUND",
        detail="No such account.",
        consistent=False,
    )


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
def _attempts(subject: str) -> Throttle | None:
    try:
        return Throttle.get(*Throttle.key(subject), consistent_read=True)
    except DoesNotExist:
        return None


def _write_attempts(item: Throttle | None, subject: str, state: domain.Attempts) -> bool:
    """Write ``state`` if nobody changed the item since it was read (its version)."""
    window = int(THROTTLE.window.total_seconds())
    item = item or Throttle(*Throttle.key(subject))
    item.failures = state.failures
    item.window_start = state.window_start
    item.locked_until = state.locked_until
    item.expires_at = max(state.window_start + 2 * window, state.locked_until)
    try:
        item.save()
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _reserve(subject: str, kind: str) -> domain.Attempts:
    """Count one sign-in attempt of ``subject`` before checking it (``THROTTLE.reserve``).
    Raises TooManyRequests RATE_LIMITED while it is locked, or if the count stays contended."""
    for _ in range(ATTEMPT_RETRIES):
        item = _attempts(subject)
        current = item and domain.Attempts(item.failures, item.window_start, item.locked_until)
        try:
            state = THROTTLE.reserve(current, clock.now(), kind)
        except domain.Throttled as exc:
            raise _too_many(exc.until, clock.epoch_seconds()) from exc
        if _write_attempts(item, subject, state):
            return state
    raise _too_many(clock.epoch_seconds() + 1, clock.epoch_seconds())


def _release(subject: str, reserved: domain.Attempts) -> None:
    """Take back an attempt that did not fail (right password of an IP, MFA code asked for),
    with the lock it set, if any. Best effort: a count left too high only expires later."""
    for _ in range(ATTEMPT_RETRIES):
        item = _attempts(subject)
        if item is None or item.window_start != reserved.window_start or item.failures < 1:
            return
        lock = 0 if item.locked_until == reserved.locked_until else item.locked_until
        state = domain.Attempts(item.failures - 1, item.window_start, lock)
        if _write_attempts(item, subject, state):
            return
    logger.warning("could not release a sign-in attempt", extra={"subject": subject})


def _too_many(until: int, now: int) -> TooManyRequests:
    retry = max(1, until - now)
    return TooManyRequests(
        "Too many failed sign-in attempts. Try again later.",
        headers={"Retry-After": str(retry)},
        retryAfter=retry,
    )


def login(email: str, password: str, source_ip: str, totp_code: str | None = None) -> Tokens:
    """Check the credentials (and TOTP code when enabled) and issue tokens.

    Each attempt is counted for the source IP and the e-mail before the password is hashed
    (``_reserve``), so parallel guesses meet the same limits as sequential ones. Raises
    Unauthorized INVALID_CREDENTIALS for an unknown e-mail and for a wrong password alike
    (same message, same hashing work), INVALID_CREDENTIALS for a wrong or replayed TOTP code,
    MFA_REQUIRED when a TOTP code is needed, and TooManyRequests RATE_LIMITED (with
    Retry-After) while the e-mail or the IP is locked."""
    try:
        email = domain.normalise_email(email)
    except ValueError:
        email = email.strip().lower()
    ip_subject, email_subject = f"ip#{source_ip}", f"email#{email}"
    try:
        ip_attempt = _reserve(ip_subject, "ip")
        try:
            email_attempt = _reserve(email_subject, "email")
        except TooManyRequests:
            _release(ip_subject, ip_attempt)
            raise
    except TooManyRequests:
        publish("LoginThrottled", sourceIp=source_ip)
        raise
    account = _account_by_email(email)
    password_hash = account.password_hash if account else _dummy_hash()
    try:
        HASHER.verify(password_hash, password)
        ok = account is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if ok and account.totp_secret:
        if not totp_code:
            _release(email_subject, email_attempt)
            _release(ip_subject, ip_attempt)
            raise Unauthorized("Enter the code from your authenticator app.", code="MFA_REQUIRED")
        ok = _use_totp(account, totp_code)
    if not ok:
        publish(
            "LoginFailed", accountId=account.account_id if account else None, sourceIp=source_ip
        )
        raise Unauthorized("The e-mail or password is wrong.", code="INVALID_CREDENTIALS")
    _release(ip_subject, ip_attempt)
    if HASHER.check_needs_rehash(account.password_hash):
        account.update(actions=[Account.password_hash.set(HASHER.hash(password))])
    Throttle(*Throttle.key(email_subject)).delete(add_version_condition=False)
    publish("LoginSucceeded", accountId=account.account_id, sourceIp=source_ip)
    return _issue(account, new_id("fam"))


def _account_by_email(email: str) -> Account | None:
    try:
        claim = EmailClaim.get(*EmailClaim.key(email))
        return Account.get(*Account.key(claim.account_id))
    except DoesNotExist:
        return None


def _new_code(
    account_id: str,
    kind: str,
    seconds: int,
    family_id: str | None = None,
    epoch: int | None = None,
) -> str:
    code, digest = tokens.new_secret_code()
    Code(
        *Code.key(digest, kind),
        account_id=account_id,
        family_id=family_id,
        epoch=epoch,
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
    code = _new_code(account.account_id, "RESET", RESET_SECONDS, epoch=account.password_epoch or 0)
    send_mail(
        account.email,
        "Reset your Titan Commerce password",
        f"Hello {account.name},\n\nyour password reset code (valid 30 minutes) is:\n\n"
        f"{code}\n\nIf you did not ask for it, ignore this e-mail.\n",
    )
    publish("PasswordResetRequested", accountId=account.account_id)


def _same_epoch(epoch: int):
    """The condition that no password change happened since ``epoch`` (absent counts as 0)."""
    condition = Account.password_epoch == epoch
    return condition | Account.password_epoch.does_not_exist() if epoch == 0 else condition


def _password_actions(password: str) -> list:
    """The update that sets a new password and raises the epoch, revoking every reset code
    made before it."""
    return [
        Account.password_hash.set(HASHER.hash(password)),
        Account.password_epoch.add(1),
        Account.updated_at.set(clock.iso()),
    ]


def _after_password_change(account: Account) -> None:
    _revoke_all_sessions(account.account_id)
    publish("PasswordChanged", accountId=account.account_id)


def confirm_password_reset(code: str, password: str) -> None:
    """Set a new password with a reset code; ends every session.

    The code works once, and only while no password change happened since it was made (a
    reset or ``/me/password`` revokes every outstanding code). A weak password is refused
    (422 WEAK_PASSWORD) before the code is used, so the same code can try again. Raises
    Unauthorized INVALID_CODE for an unknown, expired, used or revoked code."""
    invalid = Unauthorized("The code is not valid.", code="INVALID_CODE")
    try:
        item = Code.get(*Code.key(tokens.digest(code), "RESET"), consistent_read=True)
    except DoesNotExist as exc:
        raise invalid from exc
    if item.used_at or item.expires_at <= clock.epoch_seconds():
        raise invalid
    account = get_account(item.account_id)
    epoch = item.epoch or 0
    if (account.password_epoch or 0) != epoch:
        raise invalid
    _check_password(password, account.email, account.name)
    try:
        with transaction() as write:
            write.update(
                item,
                actions=[Code.used_at.set(clock.iso())],
                condition=Code.used_at.does_not_exist(),
            )
            write.update(account, actions=_password_actions(password), condition=_same_epoch(epoch))
    except TransactWriteError as exc:
        if failed_conditions(exc):
            raise invalid from exc
        raise
    _after_password_change(account)


def change_password(account_id: str, current: str, new: str) -> None:
    """Change the password, knowing the current one; ends every session and revokes every
    outstanding reset code."""
    account = get_account(account_id)
    try:
        HASHER.verify(account.password_hash, current)
    except (VerifyMismatchError, VerificationError, InvalidHashError) as exc:
        raise Unauthorized("The current password is wrong.", code="INVALID_CREDENTIALS") from exc
    _check_password(new, account.email, account.name)
    account.update(actions=_password_actions(new))
    _after_password_change(account)


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


def _use_totp(account: Account, code: str, secret: str | None = None) -> bool:
    """Accept ``code`` for ``secret`` (the account's TOTP secret by default) once: its time
    step must come after the last one used, recorded under that condition, so the same code
    never works twice, even for two requests at once (``domain.totp_step``)."""
    step = domain.totp_step(secret or account.totp_secret, code, clock.now())
    if step is None:
        return False
    try:
        account.update(
            actions=[Account.totp_last_step.set(step)],
            condition=Account.totp_last_step.does_not_exist() | (Account.totp_last_step < step),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def confirm_totp(account_id: str, code: str) -> None:
    """Turn TOTP on with a first code of the pending secret. Raises Unprocessable
    INVALID_MFA_CODE for a wrong or already used code."""
    account = get_account(account_id)
    if not account.totp_pending or not _use_totp(account, code, account.totp_pending):
        raise Unprocessable("The code does not match.", code="INVALID_MFA_CODE")
    account.update(
        actions=[Account.totp_secret.set(account.totp_pending), Account.totp_pending.remove()]
    )
    publish("MfaEnabled", accountId=account_id)


def disable_totp(account_id: str, code: str) -> None:
    """Turn TOTP off with a current code (used once). Raises Unprocessable INVALID_MFA_CODE."""
    account = get_account(account_id)
    if not account.totp_secret or not _use_totp(account, code):
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
    with transaction() as write:
        write.update(account, actions=actions)
        if role == "seller":
            if account.seller_id and account.seller_id != seller_id:
                write.delete(SellerMember(*SellerMember.key(account.seller_id, account_id)))
            write.save(
                SellerMember(*SellerMember.key(seller_id, account_id), account_id=account_id)
            )
    account.refresh(consistent_read=True)
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
    with transaction() as write:
        write.update(account, actions=actions)
        if role == "seller" and account.seller_id:
            write.delete(SellerMember(*SellerMember.key(account.seller_id, account_id)))
    account.refresh(consistent_read=True)
    publish("RoleRevoked", accountId=account_id, role=role, revokedBy=actor)
    return account


def seller_contacts(seller_id: str) -> list[dict]:
    """``[{accountId, name, email}]`` of the accounts acting for ``seller_id`` (none for a
    seller nobody signs in for, as the imported Olist sellers)."""
    members = SellerMember.query(f"SELLER#{seller_id}", SellerMember.sk.startswith("ACCOUNT#"))
    return account_contacts([m.account_id for m in members])


def account_contacts(account_ids: list[str]) -> list[dict]:
    """``[{accountId, name, email}]`` of the accounts ``account_ids`` that exist, in no
    particular order (pynamodb reads them 100 to a BatchGetItem)."""
    keys = [Account.key(a) for a in dict.fromkeys(account_ids)]
    return [
        {"accountId": a.account_id, "name": a.name, "email": a.email}
        for a in (Account.batch_get(keys) if keys else [])
    ]


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
    return get_or_404(
        Address,
        *Address.key(account_id, address_id),
        code="ADDRESS_NOT_FOUND",
        detail="No such address.",
        consistent=False,
    )


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
