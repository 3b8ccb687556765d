"""The scoping rule (org.access), role by role and boundary by boundary."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from org import access
from org.models import User
from tests.conftest import make_family
from tests.factories import UserFactory


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_facilitator_sees_only_their_own_households(world):
    assert ids(access.visible_households(world.facilitator)) == {world.household.pk}


def test_coordinator_sees_every_household_of_their_city_including_unassigned(world):
    assert ids(access.visible_households(world.coordinator)) == {
        world.household.pk, world.other_household.pk, world.unassigned.pk,
    }


def test_auditor_sees_their_city_and_only_reads(world):
    assert ids(access.visible_households(world.auditor)) == ids(access.visible_households(world.coordinator))
    assert not access.can_write(world.auditor)
    assert not access.can_manage_caseloads(world.auditor)


def test_auditor_with_two_cities_sees_both(world):
    city_b = world.coordinator_b.cities.get()
    world.auditor.cities.add(city_b)
    auditor = User.objects.get(pk=world.auditor.pk)  # fresh object: the city list is cached per request
    assert world.household_b.pk in ids(access.visible_households(auditor))


def test_administrator_sees_everything(world):
    assert len(ids(access.visible_households(world.admin))) == 4


@pytest.mark.parametrize("role", ["", User.Role.FACILITATOR, User.Role.COORDINATOR, User.Role.AUDITOR])
def test_a_user_without_cities_or_households_sees_nothing(db, world, role):
    nobody = UserFactory(role=role)
    assert ids(access.visible_households(nobody)) == set()
    assert ids(access.visible_facilitators(nobody)) <= {nobody.pk}


def test_inactive_users_see_nothing(world):
    world.coordinator.is_active = False
    assert ids(access.visible_households(world.coordinator)) == set()


def test_city_prefix_does_not_leak_a_neighbouring_code(world):
    # 31.7 is a prefix of 31.75 and 31.74 as text: the rule must match whole code parts.
    other = make_family(kelurahan="31.76.01.1001")
    assert other.pk not in ids(access.visible_households(world.coordinator))


def test_get_household_gives_404_out_of_scope_and_403_for_an_auditor_write(world):
    with pytest.raises(Http404):
        access.get_household_or_404(world.facilitator, world.other_household.pk)
    with pytest.raises(Http404):
        access.get_household_or_404(world.auditor, world.household_b.pk, for_write=True)
    with pytest.raises(PermissionDenied):
        access.get_household_or_404(world.auditor, world.household.pk, for_write=True)
    assert access.get_household_or_404(world.coordinator, world.household.pk, for_write=True) == world.household


def test_missing_and_forbidden_look_the_same(world):
    with pytest.raises(Http404):
        access.get_household_or_404(world.facilitator, 999_999)
    with pytest.raises(Http404):
        access.get_household_or_404(world.facilitator, "not-a-number")


def test_facilitators_visible_to_a_coordinator_are_those_of_the_city(world):
    assert ids(access.visible_facilitators(world.coordinator)) == {world.facilitator.pk, world.other_facilitator.pk}
    assert ids(access.visible_facilitators(world.facilitator)) == {world.facilitator.pk}


def test_kelurahan_visible_to_a_facilitator_are_their_assigned_ones(world):
    assert set(access.visible_kelurahan(world.facilitator).values_list("code", flat=True)) == {"31.75.01.1001"}
    assert set(access.visible_kelurahan(world.coordinator).values_list("code", flat=True)) == {"31.75.01.1001", "31.75.02.1001"}


def test_a_coordinator_may_import_only_into_their_city(world):
    assert access.may_import_into(world.coordinator, "31.75.01.1001")
    assert not access.may_import_into(world.coordinator, "31.74.01.1001")
    assert not access.may_import_into(world.auditor, "31.75.01.1001")
    assert not access.may_import_into(world.facilitator, "31.75.01.1001")


def test_the_admin_lists_households_through_the_same_scoping(world, client):
    world.coordinator.is_staff = True
    world.coordinator.save()
    from django.contrib.auth.models import Permission

    world.coordinator.user_permissions.add(Permission.objects.get(codename="view_household"))
    client.force_login(world.coordinator)
    html = client.get("/admin/beneficiaries/household/").content.decode()
    assert world.household.id_kpm in html and world.household_b.id_kpm not in html
    client.force_login(world.admin)
    html = client.get("/admin/beneficiaries/household/", {"q": world.household_b.id_kpm}).content.decode()
    assert world.household_b.id_kpm in html and world.household.id_kpm not in html


def test_rows_of_a_household_or_only_of_a_city_are_scoped_per_role(world):
    """Bank rows that matched a household follow the household; an unknown row is seen only by its city's
    coordinator and auditor (and administrators), never by a facilitator."""
    from monitoring.models import Flag

    flags = {name: Flag.objects.create(code="TIDAK_SALUR", household=household, city_code=household.city_code,
                                       id_kpm=household.id_kpm)
             for name, household in (("household", world.household), ("other", world.other_household),
                                     ("b", world.household_b))}
    flags["unknown_a"] = Flag.objects.create(code="TIDAK_DIKENAL", city_code="31.75", id_kpm="X-1")
    flags["unknown_b"] = Flag.objects.create(code="TIDAK_DIKENAL", city_code="31.74", id_kpm="X-2")
    expected = {
        "facilitator": {"household"},
        "other_facilitator": {"other"},
        "coordinator": {"household", "other", "unknown_a"},
        "auditor": {"household", "other", "unknown_a"},
        "facilitator_b": {"b"},
        "coordinator_b": {"b", "unknown_b"},
        "auditor_b": {"b", "unknown_b"},
        "admin": set(flags),
    }
    names = {flag.pk: name for name, flag in flags.items()}
    for persona, user in world.personas().items():
        seen = access.scoped_by_household_or_city(user, Flag.objects.all())
        assert {names[pk] for pk in seen.values_list("pk", flat=True)} == expected[persona], persona
