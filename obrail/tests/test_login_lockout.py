"""Failed logins are counted per account and per client, locked out, and logged."""

from __future__ import annotations

import base64
import logging

import pytest
from axes.utils import reset
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory

from obrail import login_attempts

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def admin_user(db, settings):
    # A fast hasher: the lockout, not PBKDF2's cost, is under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _admin_login(client, username: str, password: str, **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        **extra,
    )


def test_eleventh_admin_login_is_refused_even_with_the_right_password(client, admin_user):
    statuses = [_admin_login(client, "admin", "wrong-password").status_code for _ in range(10)]
    # The form again with its error, then the lockout from the 10th failure on.
    assert statuses == [200] * 9 + [429]
    response = _admin_login(client, "admin", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_right_password_works_before_the_limit(client, admin_user):
    for _ in range(9):
        _admin_login(client, "admin", "wrong-password")
    response = _admin_login(client, "admin", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)


def test_eleventh_basic_login_is_refused_even_with_the_right_password(client, admin_user):
    statuses = [
        client.get("/api/operators", HTTP_AUTHORIZATION=_basic("admin", "wrong")).status_code
        for _ in range(10)
    ]
    assert statuses == [401] * 9 + [429]
    response = client.get("/api/operators", HTTP_AUTHORIZATION=_basic("admin", PASSWORD))
    assert response.status_code == 429
    assert response.json()["errors"]["detail"]
    assert int(response["Retry-After"]) > 0


def test_locks_out_the_account_whatever_the_client(client, admin_user):
    for n in range(10):
        _admin_login(client, "admin", "wrong", REMOTE_ADDR=f"198.51.100.{n}")
    response = _admin_login(client, "admin", PASSWORD, REMOTE_ADDR="203.0.113.1")
    assert response.status_code == 429


def test_locks_out_the_client_whatever_the_account(client, admin_user):
    for n in range(10):
        auth = _basic(f"guess{n}", "wrong")
        client.get("/api/operators", HTTP_AUTHORIZATION=auth, REMOTE_ADDR="198.51.100.9")
    locked = client.get(
        "/api/operators", HTTP_AUTHORIZATION=_basic("admin", PASSWORD), REMOTE_ADDR="198.51.100.9"
    )
    assert locked.status_code == 429
    elsewhere = client.get(
        "/api/operators", HTTP_AUTHORIZATION=_basic("admin", PASSWORD), REMOTE_ADDR="203.0.113.1"
    )
    assert elsewhere.status_code == 200


def test_rotating_forwarded_for_does_not_escape_the_lockout(client, admin_user):
    for n in range(10):
        _admin_login(client, "nobody", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = _admin_login(client, "someone", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert response.status_code == 429


def test_logs_failures_with_pseudonyms_and_never_the_password(client, admin_user, caplog):
    caplog.set_level(logging.WARNING, logger="obrail.login_attempts")
    _admin_login(client, "mallory-guess", "hunter2-secret")
    client.get("/api/operators", HTTP_AUTHORIZATION=_basic("mallory-guess", "hunter2-secret"))
    records = [r for r in caplog.records if r.name == "obrail.login_attempts"]
    assert [r.channel for r in records] == ["admin", "api"]
    assert [r.failures for r in records] == [1, 2]
    assert records[0].account == records[1].account
    for record in records:
        text = record.getMessage() + repr(record.__dict__)
        assert "hunter2-secret" not in text
        assert "mallory-guess" not in text
        assert "127.0.0.1" not in text


def test_logs_refused_attempts_as_lockouts(client, admin_user, caplog):
    for _ in range(10):
        _admin_login(client, "admin", "wrong")
    caplog.set_level(logging.WARNING, logger="obrail.login_attempts")
    caplog.clear()
    _admin_login(client, "admin", PASSWORD)
    assert [r.event for r in caplog.records if r.name == "obrail.login_attempts"] == [
        "login_locked_out"
    ]


@pytest.mark.parametrize("password", ["a", "short1", "password1234", "12345678901234"])
def test_password_validators_refuse_weak_passwords(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_password_validators_accept_a_long_uncommon_password():
    validate_password(PASSWORD)


def _lockout_over() -> None:
    """As if the current lockout had run out: axes' records and the back-off's end go, the
    memory of past lockouts stays."""
    reset()
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
    cache.delete_many([key + ":until" for key in login_attempts._lockout_keys(request, "admin")])


def _lock_out_by_basic(client) -> int:
    for _ in range(10):
        client.get("/api/operators", HTTP_AUTHORIZATION=_basic("admin", "wrong"))
    response = client.get("/api/operators", HTTP_AUTHORIZATION=_basic("admin", PASSWORD))
    assert response.status_code == 429
    return int(response["Retry-After"])


def test_each_new_lockout_lasts_twice_the_previous_one(client, admin_user):
    cache.clear()
    waits = [_lock_out_by_basic(client)]
    for _ in range(3):
        _lockout_over()
        waits.append(_lock_out_by_basic(client))
    assert [round(wait / 60) for wait in waits] == [15, 30, 60, 120]


def test_the_back_off_outlasts_axes_lockout_on_the_admin_form_too(client, admin_user):
    cache.clear()
    _lock_out_by_basic(client)
    _lockout_over()
    _lock_out_by_basic(client)
    reset()  # axes' own 15 minutes are over; the second lockout's 30 are not
    response = _admin_login(client, "admin", PASSWORD)
    assert response.status_code == 429
    assert 25 * 60 < int(response["Retry-After"]) <= 30 * 60
    page = response.content.decode()
    assert "Connexion temporairement refusée" in page
    assert "Réessayez dans 30 minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_longest_lockout_is_capped(settings):
    settings.LOGIN_LOCKOUT_MAX_MINUTES = 60
    assert [login_attempts.lockout_duration(n) / 60 for n in range(5)] == [15, 30, 60, 60, 60]


def test_resetting_the_back_off_lets_the_account_in_again(client, admin_user):
    cache.clear()
    _lock_out_by_basic(client)
    _lockout_over()
    _lock_out_by_basic(client)
    reset()
    call_command("reset_login_backoff")
    response = client.get("/api/operators", HTTP_AUTHORIZATION=_basic("admin", PASSWORD))
    assert response.status_code == 200
