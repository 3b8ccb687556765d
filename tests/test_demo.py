"""The demo: Jakarta Timur with 55 facilitators, plausible families, deterministic per seed."""

import pytest
from django.core.management import call_command

from beneficiaries.models import Assignment, Household, Member
from beneficiaries.rules import RuleBook
from org.demo.seed import REFERENCE_DATE, seed_demo
from org.models import FacilitatorProfile, Region, User


def dump():
    households = list(Household.objects.order_by("id_kpm").values_list("id_kpm", "no_kk", "kelurahan_id", "facilitator__username"))
    members = list(Member.objects.order_by("nik").values_list("nik", "name", "birth_date", "school", "household__id_kpm"))
    return households, members


@pytest.fixture
def demo(db):
    return seed_demo(households=120, seed=11)


def test_the_demo_city_has_its_kecamatan_kelurahan_and_staff(demo):
    assert Region.objects.filter(code__startswith="31.75.", level=Region.Level.VILLAGE).count() == 65
    assert User.objects.filter(role="facilitator").count() == 55
    assert set(User.objects.exclude(role="facilitator").values_list("username", flat=True)) >= {"admin", "koordinator", "sudin"}
    backgrounds = [p.background_group for p in FacilitatorProfile.objects.all()]
    assert backgrounds.count("social_welfare") == 10
    assert backgrounds.count("other_volunteer") > 0
    # every kelurahan is covered by some facilitator
    covered = set(FacilitatorProfile.kelurahan.through.objects.values_list("region_id", flat=True))
    assert len(covered) == 65


def test_demo_families_are_consistent(demo):
    assert Household.objects.count() == 120
    for household in Household.objects.prefetch_related("members"):
        assert sum(m.is_pengurus for m in household.members.all()) == 1
        if household.facilitator_id:
            assert Assignment.objects.filter(household=household, end_date=None, facilitator=household.facilitator_id).exists()
    codes = [c for h in Household.objects.prefetch_related("members")
             for c in RuleBook().components(h.members.all(), REFERENCE_DATE).codes]
    assert {"SD", "ANAK_USIA_DINI", "LANSIA"} <= set(codes)


def test_the_same_seed_gives_the_same_data(demo):
    first = dump()
    Household.objects.all().delete()
    assert seed_demo(households=120, seed=11).households == 120
    assert dump() == first


def test_demo_logins_work_with_the_published_password(demo, client):
    for username in ("admin", "koordinator", "sudin", "pendamping01", "pendamping55"):
        assert client.login(username=username, password="pkh-demo-2026"), username


def test_if_empty_leaves_an_existing_registry_alone(demo, capsys):
    call_command("seed_demo", "--if-empty", "--households", "10")
    assert Household.objects.count() == 120
    assert "pkh-demo-2026" in capsys.readouterr().out
