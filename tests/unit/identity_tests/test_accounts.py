"""Registration, login, throttling, refresh rotation, logout, password reset, TOTP."""

import pyotp

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
    assert login(api, totpCode=totp.now())[0] == 200
    assert login(api, totpCode="123456" if totp.now() != "123456" else "654321")[0] == 401
