"""Signing in under attack: guessing passwords from many addresses, telling accounts apart by the answer or by
the work the server does. (Lockout basics and the audit of sign-ins: tests/test_login.py.)

There is no password-reset page: a forgotten password is reset by the coordinator or the administrator (the
sign-in page says so), so there is no reset flow to probe for accounts.
"""

from unittest import mock

import pytest
from django.contrib.auth.hashers import get_hasher
from django.urls import NoReverseMatch, reverse

from core.models import LoginAttempt

PASSWORD = "pkh-test-pass-2026"


def attempt(client, username, password, **headers):
    headers.setdefault("REMOTE_ADDR", "10.0.0.1")
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def answer(response) -> tuple:
    """What a user (or a script) can tell from a failed sign-in: the status, the messages, the page's words."""
    form = response.context["form"]
    return response.status_code, list(form.non_field_errors()), dict(form.errors)


@pytest.fixture
def inactive(world):
    world.other_facilitator.is_active = False
    world.other_facilitator.save(update_fields=["is_active"])
    return world.other_facilitator


def test_unknown_user_wrong_password_and_inactive_account_answer_alike(world, client, inactive):
    answers = {
        "unknown": answer(attempt(client, "nobody-here", "nope")),
        "wrong password": answer(attempt(client, world.facilitator.username, "nope")),
        "inactive, right password": answer(attempt(client, inactive.username, PASSWORD)),
        "wrong case": answer(attempt(client, world.facilitator.username.upper(), PASSWORD)),
    }
    assert len(set(map(repr, answers.values()))) == 1, answers
    assert "_auth_user_id" not in client.session


def test_a_locked_name_answers_the_same_whether_the_account_exists_or_not(world, client, settings):
    settings.LOGIN_LOCKOUT_FAILURES = 3
    for _ in range(3):
        attempt(client, world.facilitator.username, "wrong", REMOTE_ADDR="10.0.0.5")
        attempt(client, "ghost", "wrong", REMOTE_ADDR="10.0.0.6")
    existing = attempt(client, world.facilitator.username, PASSWORD, REMOTE_ADDR="10.0.0.7")
    unknown = attempt(client, "ghost", PASSWORD, REMOTE_ADDR="10.0.0.8")
    assert answer(existing) == answer(unknown)
    assert "_auth_user_id" not in client.session


def test_the_lock_counts_a_name_whatever_its_letter_case_and_spaces(world, client, settings):
    settings.LOGIN_LOCKOUT_FAILURES = 3
    for typed in (world.facilitator.username.upper(), f" {world.facilitator.username} ", world.facilitator.username):
        attempt(client, typed, "wrong")
    assert attempt(client, world.facilitator.username, PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_its_window(world, client, settings):
    from datetime import timedelta

    settings.LOGIN_LOCKOUT_FAILURES = 2
    for _ in range(2):
        attempt(client, world.facilitator.username, "wrong")
    assert attempt(client, world.facilitator.username, PASSWORD).status_code == 200
    LoginAttempt.objects.update(at=LoginAttempt.objects.order_by("at").first().at
                                - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1))
    assert attempt(client, world.facilitator.username, PASSWORD).status_code == 302


def test_a_successful_sign_in_does_not_clear_the_address_count(world, client, settings):
    """An attacker who owns one account cannot reset the count of their address by signing in to it."""
    settings.LOGIN_LOCKOUT_ADDRESS_FAILURES = 4
    for number in range(2):
        attempt(client, f"guess{number}", "wrong", REMOTE_ADDR="10.3.3.3")
    assert attempt(client, world.auditor.username, PASSWORD, REMOTE_ADDR="10.3.3.3").status_code == 302
    client.logout()
    for number in range(2, 4):
        attempt(client, f"guess{number}", "wrong", REMOTE_ADDR="10.3.3.3")
    assert attempt(client, world.facilitator.username, PASSWORD, REMOTE_ADDR="10.3.3.3").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(world, client, settings):
    """Behind the proxy, the client's address is the hop the proxy appends (the last one); the hops before it
    are whatever the client sent, so a guesser changing them on every try must still be counted as one address."""
    settings.LOGIN_LOCKOUT_ADDRESS_FAILURES = 5
    for number in range(5):
        attempt(client, f"guess{number}", "wrong", REMOTE_ADDR="172.18.0.2",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.9")
    locked = attempt(client, world.facilitator.username, PASSWORD, REMOTE_ADDR="172.18.0.2",
                     HTTP_X_FORWARDED_FOR="198.51.100.77, 203.0.113.9")
    assert locked.status_code == 200 and "_auth_user_id" not in client.session
    # Another client behind the same proxy is not locked out.
    other = attempt(client, world.facilitator.username, PASSWORD, REMOTE_ADDR="172.18.0.2",
                    HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302


def _hashes_while(callable_):
    """How many times the password hasher runs (hashing is the work an attacker would time)."""
    hasher = get_hasher()
    with mock.patch.object(type(hasher), "encode", autospec=True, side_effect=type(hasher).encode) as encode:
        callable_()
    return encode.call_count


def test_an_unknown_name_costs_the_same_password_hashing_as_a_wrong_password(world, client, inactive):
    counts = {
        "unknown": _hashes_while(lambda: attempt(client, "nobody-here", "nope")),
        "wrong password": _hashes_while(lambda: attempt(client, world.facilitator.username, "nope")),
        "inactive": _hashes_while(lambda: attempt(client, inactive.username, PASSWORD)),
    }
    assert counts["unknown"] >= 1, "an unknown name must still run the password hasher"
    assert len(set(counts.values())) == 1, counts


def test_a_locked_name_costs_the_same_hashing_whether_the_account_exists_or_not(world, client, settings):
    settings.LOGIN_LOCKOUT_FAILURES = 2
    for _ in range(2):
        attempt(client, world.facilitator.username, "wrong", REMOTE_ADDR="10.0.1.1")
        attempt(client, "ghost", "wrong", REMOTE_ADDR="10.0.1.2")
    existing = _hashes_while(lambda: attempt(client, world.facilitator.username, PASSWORD, REMOTE_ADDR="10.0.1.3"))
    unknown = _hashes_while(lambda: attempt(client, "ghost", PASSWORD, REMOTE_ADDR="10.0.1.4"))
    assert existing == unknown


def test_there_is_no_password_reset_page_to_probe():
    for name in ("password_reset", "password_reset_done", "password_reset_confirm"):
        with pytest.raises(NoReverseMatch):
            reverse(name)


@pytest.mark.parametrize(("hops", "forwarded", "expected"), [
    (1, "192.0.2.1, 203.0.113.9", "203.0.113.9"),  # one proxy: the address it appended
    (2, "192.0.2.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"),  # a CDN then the proxy: the CDN's view of the client
    (2, "203.0.113.9", "10.9.9.9"),  # fewer hops than proxies: the header did not pass them all
    (0, "203.0.113.9", "10.9.9.9"),  # no proxy: the header is the client's own words, ignored
])
def test_the_client_address_is_counted_from_the_trusted_proxies(settings, rf, hops, forwarded, expected):
    from core.request_context import client_address

    settings.TRUSTED_PROXY_HOPS = hops
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.9.9.9")
    assert client_address(request) == expected
