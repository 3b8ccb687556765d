"""Signing in: lockout after repeated failures, no hint about which accounts exist, audit of sign-ins."""

from django.urls import reverse

from core.models import AuditEvent

PASSWORD = "pkh-test-pass-2026"


def attempt(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_each_role_lands_on_its_own_home(world, client):
    for persona, target in (("facilitator", "today"), ("coordinator", "oversight_dashboard"), ("auditor", "oversight_audit")):
        client.logout()
        response = attempt(client, world.personas()[persona].username, PASSWORD)
        assert response.status_code == 302
        assert client.get(response["Location"])["Location"] == reverse(target)


def test_wrong_password_and_unknown_user_get_the_same_message(world, client):
    wrong_password = attempt(client, world.facilitator.username, "nope")
    unknown_user = attempt(client, "nobody-here", "nope")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert wrong_password.context["form"].non_field_errors() == unknown_user.context["form"].non_field_errors()


def test_five_failures_lock_the_account_name_even_with_the_right_password(world, client, settings):
    settings.LOGIN_LOCKOUT_FAILURES = 5
    for _ in range(5):
        attempt(client, world.facilitator.username, "wrong")
    response = attempt(client, world.facilitator.username, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # An unknown name is locked the same way: the lock does not reveal whether the account exists.
    for _ in range(5):
        attempt(client, "ghost", "wrong", address="10.0.0.2")
    assert attempt(client, "ghost", "wrong", address="10.0.0.2").context["form"].non_field_errors() == \
        response.context["form"].non_field_errors()


def test_many_failures_from_one_address_lock_that_address(world, client, settings):
    settings.LOGIN_LOCKOUT_ADDRESS_FAILURES = 6
    for number in range(6):
        attempt(client, f"guess{number}", "wrong", address="10.9.9.9")
    assert attempt(client, world.facilitator.username, PASSWORD, address="10.9.9.9").status_code == 200
    assert attempt(client, world.facilitator.username, PASSWORD, address="10.1.1.1").status_code == 302


def test_sign_in_sign_out_and_failures_are_recorded(world, client):
    attempt(client, world.facilitator.username, "wrong")
    attempt(client, world.facilitator.username, PASSWORD)
    client.post(reverse("logout"))
    actions = list(AuditEvent.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["login_failed", "login", "logout"]


def test_logout_requires_post(world, client):
    client.force_login(world.facilitator)
    assert client.get(reverse("logout")).status_code == 405


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
