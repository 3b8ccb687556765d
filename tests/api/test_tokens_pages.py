"""The API token pages: a user creates (key shown once), lists and revokes their tokens; an administrator does the
same for anyone; the Django admin lists them read-only and revokes them."""

import pytest
from django.urls import reverse

from api.models import ApiToken
from api.tokens import hash_key, token_create

TOKENS = reverse("api_token_list")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_a_facilitator_creates_a_token_and_sees_the_key_once(world, client):
    client.force_login(world.facilitator)
    response = client.post(TOKENS, {"name": "Aplikasi ponsel"})
    assert response.status_code == 200
    key = response.context["key"]
    html = response.content.decode()
    assert key in html and "shown only this once" in html
    token = ApiToken.objects.get(user=world.facilitator)
    assert token.key_hash == hash_key(key) and token.prefix == key[:8]
    listing = client.get(TOKENS).content.decode()
    assert "Aplikasi ponsel" in listing and key not in listing and token.prefix in listing


def test_a_token_needs_a_name(world, client):
    client.force_login(world.facilitator)
    response = client.post(TOKENS, {"name": "  "})
    assert response.status_code == 200 and not ApiToken.objects.exists()


def test_a_user_revokes_their_token_after_confirming(world, client):
    token, key = token_create(actor=world.facilitator, user=world.facilitator, name="lama")
    client.force_login(world.facilitator)
    url = reverse("api_token_revoke", kwargs={"pk": token.pk})
    assert "cannot be undone" in client.get(url).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == TOKENS
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.facilitator
    assert client.get(reverse("api_household_list"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_nobody_but_an_administrator_sees_or_revokes_anothers_tokens(world, client):
    token, _ = token_create(actor=world.facilitator, user=world.facilitator, name="ponsel")
    client.force_login(world.coordinator)
    assert client.get(TOKENS, {"user": world.facilitator.pk}).status_code == 404
    assert client.post(TOKENS + f"?user={world.facilitator.pk}", {"name": "x"}).status_code == 404
    assert client.post(reverse("api_token_revoke", kwargs={"pk": token.pk})).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "ponsel" not in client.get(TOKENS).content.decode()


def test_an_administrator_manages_anyones_tokens(world, client):
    client.force_login(world.admin)
    response = client.post(TOKENS + f"?user={world.facilitator.pk}", {"name": "ekspor data"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.facilitator)
    assert token.created_by == world.admin
    assert "ekspor data" in client.get(TOKENS, {"user": world.facilitator.pk}).content.decode()
    response = client.post(reverse("api_token_revoke", kwargs={"pk": token.pk}))
    assert response["Location"] == TOKENS + f"?user={world.facilitator.pk}"
    token.refresh_from_db()
    assert token.revoked_by == world.admin


def test_the_admin_lists_tokens_read_only_and_revokes_them(world, client):
    token, _ = token_create(actor=world.facilitator, user=world.facilitator, name="integrasi")
    client.force_login(world.admin)
    changelist = reverse("admin:api_apitoken_changelist")
    html = client.get(changelist).content.decode()
    assert "integrasi" in html and token.key_hash not in html
    assert token.key_hash not in client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403
    client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.admin


def test_the_user_menu_links_the_token_page(world, client):
    client.force_login(world.auditor)
    assert TOKENS in client.get(TOKENS).content.decode()
