"""Who sees which business, monthly entry, referral and KUBE: the same rule as the households, through org.access."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission

from livelihood import selectors
from tests.livelihood.conftest import BusinessFactory, EntryFactory, kube_of, make_referral


@pytest.fixture
def businesses(world):
    """One family business per world household, and one KUBE business per KUBE of those households."""
    made = {}
    for name in ("household", "other_household", "unassigned", "household_b"):
        household = getattr(world, name)
        made[name] = BusinessFactory(household=household, name=f"usaha {name}")
        made[f"kube {name}"] = BusinessFactory(kube=kube_of(household), name=f"usaha kube {name}")
    return made


VISIBLE = {
    "facilitator": {"household"},
    "other_facilitator": {"other_household"},
    "coordinator": {"household", "other_household", "unassigned"},
    "auditor": {"household", "other_household", "unassigned"},
    "coordinator_b": {"household_b"},
    "admin": {"household", "other_household", "unassigned", "household_b"},
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_businesses_of_families_and_of_kube_are_seen_exactly_as_their_owner(world, businesses, persona):
    user = world.personas()[persona]
    expected = {f"usaha {name}" for name in VISIBLE[persona]} | {f"usaha kube {name}" for name in VISIBLE[persona]}
    assert set(selectors.visible_businesses(user).values_list("name", flat=True)) == expected


def test_entries_referrals_and_memberships_follow_their_business_or_kube(world, businesses, jakpreneur):
    for business in businesses.values():
        EntryFactory(business=business, month=date(2024, 3, 1))
        make_referral(business, jakpreneur)
    mine = {businesses["household"].pk, businesses["kube household"].pk}
    assert set(selectors.visible_entries(world.facilitator).values_list("business_id", flat=True)) == mine
    assert set(selectors.visible_referrals(world.facilitator).values_list("business_id", flat=True)) == mine
    assert set(selectors.visible_memberships(world.facilitator).values_list("household_id", flat=True)) == {world.household.pk}
    assert selectors.visible_entries(world.coordinator_b).count() == 2


def test_someone_without_a_role_sees_no_business(world, businesses):
    from tests.factories import UserFactory

    nobody = UserFactory(role="")
    assert not selectors.visible_businesses(nobody).exists()
    assert not selectors.visible_kube(nobody).exists()


def test_the_admin_lists_businesses_through_the_same_scoping_and_auditors_cannot_change_them(world, businesses, client):
    for user in (world.coordinator, world.auditor):
        user.is_staff = True
        user.save()
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="livelihood"))
    client.force_login(world.coordinator)
    html = client.get("/admin/livelihood/business/").content.decode()
    assert "usaha household" in html and "usaha household_b" not in html and "usaha kube household_b" not in html
    client.force_login(world.auditor)
    response = client.get(f"/admin/livelihood/business/{businesses['household'].pk}/change/")
    assert response.status_code == 200 and 'name="_save"' not in response.content.decode()
    client.force_login(world.admin)
    assert client.get("/admin/livelihood/kube/").context["cl"].result_count == 4
    assert client.get("/admin/livelihood/creditprogram/").status_code == 200
