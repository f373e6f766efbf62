"""Registration, login, throttling, refresh rotation, logout, password reset, TOTP."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import botocore.client
import pyotp
import pytest

from identity import domain, service
from tests.unit.identity_tests.conftest import Client, code_in, login, register, sent_mail


def test_register_then_login_issues_tokens(api):
    account_id = register(api)
    status, _, body = login(api)
    assert status == 200
    assert body["tokenType"] == "Bearer" and body["expiresIn"] == 900
    assert account_id.startswith("acct_")


def test_emails_are_unique_case_insensitively(api):
    register(api, email="Ana@Example.com")
    status, _, body = api(
        "POST",
        "/auth/register",
        {"email": " ana@example.COM ", "password": "another good one!", "name": "A"},
    )
    assert (status, body["code"]) == (409, "EMAIL_TAKEN")
    assert login(api, email="ANA@example.com")[0] == 200


def test_weak_passwords_are_refused_with_reasons(api):
    status, _, body = api(
        "POST",
        "/auth/register",
        {"email": "bo@example.com", "password": "password123", "name": "Bo"},
    )
    assert (status, body["code"]) == (422, "WEAK_PASSWORD")
    assert body["requirements"]
    status, _, body = api(
        "POST", "/auth/register", {"email": "bo@example.com", "password": "short", "name": "Bo"}
    )
    assert "at least 10 characters" in body["requirements"]


def test_invalid_input_is_a_clear_4xx(api):
    assert (
        api("POST", "/auth/register", {"email": "not-an-email", "password": "x" * 12, "name": "X"})[
            2
        ]["code"]
        == "INVALID_EMAIL"
    )
    assert api("POST", "/auth/register", {"email": "a@b.co"})[0] == 422
    assert api("POST", "/auth/login", raw_body="{")[2]["code"] == "MALFORMED_JSON"


def test_unknown_email_and_wrong_password_get_the_same_answer(api):
    register(api)
    wrong = login(api, password="not the password")
    unknown = login(api, email="nobody@example.com")
    assert wrong[0] == unknown[0] == 401
    assert wrong[2] == unknown[2]


def test_security_events_are_audited_without_secrets(api, published):
    account_id = register(api)
    login(api, password="not the password")
    login(api)
    types = [t for t, _ in published]
    assert types == ["AccountRegistered", "LoginFailed", "LoginSucceeded"]
    assert published[1][1] == {"accountId": account_id, "sourceIp": "203.0.113.7"}
    assert "correct horse" not in repr(published)


def test_repeated_failures_lock_the_account_with_retry_after(api):
    register(api)
    for _ in range(5):
        assert login(api, password="wrong password!")[0] == 401
    status, headers, body = login(api)  # even the right password, while locked
    assert (status, body["code"]) == (429, "RATE_LIMITED")
    assert 0 < int(headers["retry-after"]) <= 60


def test_repeated_failures_from_one_ip_lock_that_ip(api):
    for n in range(20):
        assert login(api, email=f"user{n}@example.com", password="whatever1234")[0] == 401
    assert login(api, email="fresh@example.com", password="whatever1234")[0] == 429
    assert (
        login(Client(ip="198.51.100.1"), email="fresh@example.com", password="whatever1234")[0]
        == 401
    )  # another IP is not affected


def test_a_refresh_token_works_once_and_reuse_ends_the_session(api):
    register(api)
    first = login(api)[2]
    status, _, second = api("POST", "/auth/refresh", {"refreshToken": first["refreshToken"]})
    assert status == 200 and second["refreshToken"] != first["refreshToken"]
    status, _, body = api("POST", "/auth/refresh", {"refreshToken": first["refreshToken"]})
    assert (status, body["code"]) == (401, "REFRESH_TOKEN_REUSED")
    # the reuse revoked the family: the newest token of that session is refused too
    status, _, body = api("POST", "/auth/refresh", {"refreshToken": second["refreshToken"]})
    assert (status, body["code"]) == (401, "INVALID_REFRESH_TOKEN")


def test_logout_ends_the_session(api):
    register(api)
    tokens = login(api)[2]
    assert api("POST", "/auth/logout", {"refreshToken": tokens["refreshToken"]})[0] == 204
    assert api("POST", "/auth/refresh", {"refreshToken": tokens["refreshToken"]})[0] == 401
    assert api("POST", "/auth/logout", {"refreshToken": tokens["refreshToken"]})[0] == 204


def test_password_reset_by_emailed_single_use_code(api):
    register(api)
    session = login(api)[2]
    assert api("POST", "/auth/password-reset", {"email": "ana@example.com"})[0] == 202
    assert api("POST", "/auth/password-reset", {"email": "nobody@example.com"})[0] == 202
    code = code_in(sent_mail("ana@example.com")[-1])
    new = {"code": code, "password": "a brand new secret"}
    assert api("POST", "/auth/password-reset/confirm", new)[0] == 204
    assert api("POST", "/auth/password-reset/confirm", new)[2]["code"] == "INVALID_CODE"
    assert login(api)[0] == 401
    assert login(api, password="a brand new secret")[0] == 200
    assert api("POST", "/auth/refresh", {"refreshToken": session["refreshToken"]})[0] == 401


def test_email_verification(api):
    account_id = register(api)
    assert api("GET", "/me", as_user=account_id)[2]["emailVerified"] is False
    code = code_in(sent_mail("ana@example.com")[0])
    assert api("POST", "/auth/verify-email", {"code": code})[0] == 204
    assert api("GET", "/me", as_user=account_id)[2]["emailVerified"] is True
    assert api("POST", "/auth/verify-email", {"code": "x" * 43})[0] == 401


def test_totp_second_factor(api):
    account_id = register(api)
    status, _, setup = api("POST", "/me/mfa/totp", as_user=account_id)
    assert status == 201 and setup["otpauthUri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(setup["secret"])
    assert api("POST", "/me/mfa/totp/confirm", {"code": "000000"}, as_user=account_id)[0] == 422
    assert api("POST", "/me/mfa/totp/confirm", {"code": totp.now()}, as_user=account_id)[0] == 204
    assert login(api)[2]["code"] == "MFA_REQUIRED"
    # the confirming code was used: sign-in takes the next one (within the drift window)
    assert login(api, totpCode=totp.at(time.time() + 30))[0] == 200
    assert login(api, totpCode="123456" if totp.now() != "123456" else "654321")[0] == 401


def test_a_totp_code_signs_in_once(api):
    account_id = register(api)
    secret = api("POST", "/me/mfa/totp", as_user=account_id)[2]["secret"]
    totp = pyotp.TOTP(secret)
    assert api("POST", "/me/mfa/totp/confirm", {"code": totp.now()}, as_user=account_id)[0] == 204
    code = totp.at(time.time() + 30)
    assert login(api, totpCode=code)[0] == 200
    status, _, body = login(api, totpCode=code)  # replayed at once: refused
    assert (status, body["code"]) == (401, "INVALID_CREDENTIALS")
    # an older step than the last one used is refused too, though still in the window
    assert login(api, totpCode=totp.now())[0] == 401
    # nor can a replayed code turn two-factor sign-in off
    disable = api("POST", "/me/mfa/totp/disable", {"code": code}, as_user=account_id)
    assert (disable[0], disable[2]["code"]) == (422, "INVALID_MFA_CODE")


def _reset_code(api) -> str:
    assert api("POST", "/auth/password-reset", {"email": "ana@example.com"})[0] == 202
    return code_in(sent_mail("ana@example.com")[-1])


def test_a_reset_revokes_every_older_code(api):
    register(api)
    older, newer = _reset_code(api), _reset_code(api)
    confirm = "/auth/password-reset/confirm"
    assert api("POST", confirm, {"code": newer, "password": "a brand new secret"})[0] == 204
    status, _, body = api("POST", confirm, {"code": older, "password": "the attacker's pick"})
    assert (status, body["code"]) == (401, "INVALID_CODE")
    assert login(api, password="a brand new secret")[0] == 200


def test_a_password_change_revokes_outstanding_reset_codes(api):
    account_id = register(api)
    code = _reset_code(api)
    change = {"currentPassword": "correct horse battery", "newPassword": "another fine secret"}
    assert api("POST", "/me/password", change, as_user=account_id)[0] == 204
    status, _, body = api(
        "POST", "/auth/password-reset/confirm", {"code": code, "password": "the attacker's pick"}
    )
    assert (status, body["code"]) == (401, "INVALID_CODE")
    assert login(api, password="another fine secret")[0] == 200


def test_a_weak_password_does_not_use_up_the_reset_code(api):
    register(api)
    code = _reset_code(api)
    confirm = "/auth/password-reset/confirm"
    status, _, body = api("POST", confirm, {"code": code, "password": "short"})
    assert (status, body["code"]) == (422, "WEAK_PASSWORD")
    assert api("POST", confirm, {"code": code, "password": "a brand new secret"})[0] == 204


# --- the limits under concurrency -------------------------------------------------------------
@pytest.fixture
def serialised_aws(monkeypatch):
    """Every AWS call atomic, as in DynamoDB (moto alone is not thread-safe): threads then
    interleave at request boundaries, which is all the real service guarantees."""
    lock = threading.Lock()
    original = botocore.client.BaseClient._make_api_call

    def atomic(self, operation, params):
        with lock:
            return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", atomic)


@pytest.fixture
def checked(monkeypatch):
    """How many passwords were actually hashed and compared."""
    calls = []
    hasher = service.HASHER

    class Counting:
        def __getattr__(self, name):
            return getattr(hasher, name)

        def verify(self, password_hash, password):
            calls.append(password)
            return hasher.verify(password_hash, password)

    monkeypatch.setattr(service, "HASHER", Counting())
    return calls


def _race(attempts):
    """Run the sign-ins at once; each result is "ok" or the problem code."""
    start = threading.Barrier(len(attempts))

    def one(args):
        start.wait()
        try:
            service.login(*args)
            return "ok"
        except service.Problem as problem:
            return problem.code

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(one, attempts))


def test_parallel_guesses_at_one_account_meet_the_sequential_limit(api, serialised_aws, checked):
    register(api)
    guesses = [("ana@example.com", f"guess number {n}!", f"198.51.100.{n}") for n in range(8)]
    results = _race(guesses)
    # as one at a time: five are checked, the rest are refused unchecked, and the account is
    # locked for the right password too
    assert len(checked) == service.THROTTLE.account_failures
    assert sorted(results) == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"] * 3
    assert login(api)[2]["code"] == "RATE_LIMITED"


def test_parallel_guesses_from_one_ip_meet_the_ip_limit(api, serialised_aws, checked, monkeypatch):
    monkeypatch.setattr(service, "THROTTLE", domain.ThrottlePolicy(ip_failures=6))
    attempts = [(f"user{n}@example.com", "whatever1234", "203.0.113.50") for n in range(12)]
    results = _race(attempts)
    assert len(checked) == 6 and results.count("RATE_LIMITED") == 6
    assert _race([("x@example.com", "whatever1234", "203.0.113.51")]) == [
        "INVALID_CREDENTIALS"
    ]  # another IP is not affected


def test_one_totp_code_sent_twice_at_once_signs_in_once(api, serialised_aws):
    account_id = register(api)
    secret = api("POST", "/me/mfa/totp", as_user=account_id)[2]["secret"]
    totp = pyotp.TOTP(secret)
    assert api("POST", "/me/mfa/totp/confirm", {"code": totp.now()}, as_user=account_id)[0] == 204
    code = totp.at(time.time() + 30)
    results = _race(
        [("ana@example.com", "correct horse battery", f"192.0.2.{n}", code) for n in range(4)]
    )
    assert sorted(results) == ["INVALID_CREDENTIALS"] * 3 + ["ok"]


def test_two_reset_confirms_at_once_change_the_password_once(api, serialised_aws):
    register(api)
    code = _reset_code(api)
    start = threading.Barrier(4)

    def confirm(n):
        start.wait()
        try:
            service.confirm_password_reset(code, f"new secret number {n}")
            return n
        except service.Problem as problem:
            return problem.code

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(confirm, range(4)))
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1 and results.count("INVALID_CODE") == 3
    assert login(api, password=f"new secret number {winners[0]}")[0] == 200


def test_after_a_lock_one_attempt_goes_through_then_a_longer_lock():
    policy = domain.ThrottlePolicy()
    now = domain.datetime(2026, 11, 30, 12, 0, 0)
    state = None
    for n in range(1, 6):
        state = policy.reserve(state, now, "email")
        assert state.failures == n
    assert state.locked_until == int(now.timestamp()) + 60  # the 5th sets the 1-minute lock
    with pytest.raises(domain.Throttled):
        policy.reserve(state, now, "email")
    later = now + domain.timedelta(seconds=61)
    state = policy.reserve(state, later, "email")
    assert state.locked_until == int(later.timestamp()) + 120  # one try, already locked longer
    with pytest.raises(domain.Throttled):
        policy.reserve(state, later, "email")
    fresh = policy.reserve(state, later + domain.timedelta(minutes=16, seconds=3), "email")
    assert (fresh.failures, fresh.locked_until) == (1, 0)  # a new window


@pytest.mark.parametrize("code", ["Ùe\udbda\udc94o", "١٢٣٤٥٦", "12345", "abcdef"])
def test_a_totp_code_that_is_not_six_ascii_digits_is_refused_not_a_crash(api, code):
    account_id = register(api)
    api("POST", "/me/mfa/totp", as_user=account_id)
    status, _, body = api("POST", "/me/mfa/totp/confirm", {"code": code}, as_user=account_id)
    assert status == 422
    assert domain.totp_step(pyotp.random_base32(), code, domain.datetime.now()) is None
