"""Every URL × every role, with objects in and out of scope.

Rows live in tests/matrix/<app>.py; a new URL pattern without a row fails
`test_every_url_has_a_row_in_the_matrix`.
Expected answers: 404 for an object out of scope (never revealing it exists), 403 for a write by a
role that may only read, otherwise a page (200), a redirect (302) or a form error (400).
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import Job
from tests import matrix

ALLOWED = {200, 302, 400}
TARGETS = ("household", "other_household", "unassigned", "household_b")

SCOPE = {
    # persona -> which world households it may see
    "facilitator": {"household"},
    "other_facilitator": {"other_household"},
    "coordinator": {"household", "other_household", "unassigned"},
    "auditor": {"household", "other_household", "unassigned"},
    "facilitator_b": {"household_b"},
    "coordinator_b": {"household_b"},
    "auditor_b": {"household_b"},
    "admin": {"household", "other_household", "unassigned", "household_b"},
}
WRITERS = {"facilitator", "other_facilitator", "coordinator", "facilitator_b", "coordinator_b", "admin"}
MANAGERS = {"coordinator", "coordinator_b", "admin"}


def project_url_names():
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # the Django admin has its own permission checks (tested separately)
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_has_a_row_in_the_matrix():
    covered = set(matrix.HOUSEHOLD_URLS) | set(matrix.OBJECT_URLS) | set(matrix.PAGE_URLS) | matrix.NOT_SCOPED
    missing = project_url_names() - covered
    assert not missing, f"add these URLs to the role matrix: {sorted(missing)}"


def _household_url(name, household):
    kwargs = {"pk": household.pk, **(matrix.EXTRA_KWARGS[name](household) if name in matrix.EXTRA_KWARGS else {})}
    return reverse(name, kwargs=kwargs)


def _expected(persona, target, needs):
    if target not in SCOPE[persona]:
        return {404}
    if needs == "write" and persona not in WRITERS or needs == "manage" and persona not in MANAGERS:
        return {403}
    return ALLOWED


@pytest.mark.parametrize("name", sorted(matrix.HOUSEHOLD_URLS))
@pytest.mark.parametrize("persona", sorted(SCOPE))
def test_household_urls_by_role(world, client, name, persona):
    method, needs = matrix.HOUSEHOLD_URLS[name]
    client.force_login(world.personas()[persona])
    for target in TARGETS:
        response = getattr(client, method)(_household_url(name, getattr(world, target)))
        assert response.status_code in _expected(persona, target, needs), \
            f"{persona} {method.upper()} {name} on {target}: {response.status_code}"


@pytest.mark.parametrize("name", sorted(matrix.OBJECT_URLS))
@pytest.mark.parametrize("persona", sorted(SCOPE))
def test_object_urls_by_role(world, client, name, persona):
    method, needs, factory = matrix.OBJECT_URLS[name]
    client.force_login(world.personas()[persona])
    for target in TARGETS:
        obj = factory(world, getattr(world, target))
        if obj is None:
            continue
        response = getattr(client, method)(reverse(name, kwargs={"pk": obj.pk}))
        assert response.status_code in _expected(persona, target, needs), \
            f"{persona} {method.upper()} {name} on {target}'s object: {response.status_code}"


@pytest.mark.parametrize("name", sorted(matrix.PAGE_URLS))
@pytest.mark.parametrize("persona", ["facilitator", "coordinator", "auditor", "admin"])
def test_pages_by_role(world, client, name, persona):
    client.force_login(world.personas()[persona])
    assert client.get(reverse(name)).status_code == matrix.PAGE_URLS[name][persona]


@pytest.mark.parametrize("name", sorted(matrix.PAGE_URLS) + sorted(matrix.HOUSEHOLD_URLS))
def test_anonymous_users_are_sent_to_sign_in(world, client, name):
    url = _household_url(name, world.household) if name in matrix.HOUSEHOLD_URLS else reverse(name)
    response = client.get(url)
    if url.startswith("/api/"):
        # The API answers an anonymous client 401 (with WWW-Authenticate: Token), never data or a redirect.
        assert response.status_code in {401, 405}
        return
    assert response.status_code in {302, 405}
    if response.status_code == 302:
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize("name", ("job_detail", "job_status", "job_report"))
def test_jobs_are_visible_to_their_starter_and_their_city_only(world, client, name, tmp_path):
    job = Job.objects.create(kind="household_import", created_by=world.coordinator, city_code="31.75")
    job.report_file.save("r.csv", ContentFile(b"x"))
    url = reverse(name, kwargs={"pk": job.pk})
    expectations = {
        "coordinator": 200, "auditor": 200, "admin": 200,
        "facilitator": 404, "coordinator_b": 404, "auditor_b": 404,
    }
    for persona, expected in expectations.items():
        client.force_login(world.personas()[persona])
        assert client.get(url).status_code == expected, persona


def test_an_auditor_cannot_write_through_any_household_url(world, client):
    client.force_login(world.auditor)
    for name, (method, needs) in matrix.HOUSEHOLD_URLS.items():
        if needs == "read":
            continue
        response = client.post(_household_url(name, world.household), {"status": "suspended", "reason": "x"})
        assert response.status_code == 403, name
    response = client.post(reverse("caseload_assign"), {"households": [world.household.pk], "facilitator": "none"})
    assert response.status_code == 403
    world.household.refresh_from_db()
    assert world.household.facilitator_id == world.facilitator.pk
