"""The administrator's screens of graduation: versioned rules (never changed, "add" starts from the latest,
saving makes the next version, a used version cannot be deleted), poverty lines, and the read-only
assessments and screening results."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from graduation.classifier import BELUM
from graduation.models import Assessment, GraduationRules, PovertyLine, Proposal, ScreeningResult
from graduation.screening import rules_on
from tests.graduation.c_factories import income_short, make_assessment, poverty_line, screened


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def admin_client(world, client):
    client.force_login(world.admin)
    client.post(reverse("set_language"), {"language": "en"})
    return client


def rules_url(name, *args):
    return reverse(f"admin:graduation_graduationrules_{name}", args=args)


def add_data(**changes):
    """The add form as it comes prefilled from version 1, with a new start date."""
    version_1 = GraduationRules.objects.get(version=1)
    data = {key: value for key, value in model_to_dict(version_1).items()
            if key not in ("id", "version", "created_at", "created_by")}
    data.update(valid_from=timezone.localdate().isoformat(), note="Ambang skor 70")
    data.update(changes)
    return data


# --- versioned rules --------------------------------------------------------------------------------

def test_the_list_says_which_version_is_in_use_today(world, admin_client):
    GraduationRules.objects.create(version=2, valid_from=timezone.localdate() + timedelta(days=30), note="Tahun depan")
    response = admin_client.get(rules_url("changelist"))
    html = page(response)
    assert "Version 1 is in use today" in html
    current = {row.version: row.current_version == row.version for row in response.context["cl"].result_list}
    assert current == {1: True, 2: False}


def test_add_starts_from_the_latest_version(world, admin_client):
    GraduationRules.objects.filter(version=1).update(score_threshold=70, income_multiple=Decimal("1.75"))
    form = admin_client.get(rules_url("add")).context["adminform"].form
    assert form.initial["score_threshold"] == 70 and form.initial["income_multiple"] == Decimal("1.75")
    assert form.initial["valid_from"] == timezone.localdate() and form.initial["note"] == ""


def test_saving_makes_the_next_version_by_the_administrator_and_leaves_the_old_one(world, admin_client):
    response = admin_client.post(rules_url("add"), add_data(score_threshold=70))
    assert response.status_code == 302
    new = GraduationRules.objects.get(version=2)
    assert (new.score_threshold, new.created_by, new.note) == (70, world.admin, "Ambang skor 70")
    assert GraduationRules.objects.get(version=1).score_threshold == 60
    assert rules_on(timezone.localdate())[0].version == 2
    event = AuditEvent.objects.get(object_type="graduation.graduationrules", object_id=str(new.pk))
    assert event.action == AuditEvent.Action.CREATE and event.changes["score_threshold"] == [None, 70]
    admin_client.post(rules_url("add"), add_data(score_threshold=65))
    assert list(GraduationRules.objects.order_by("version").values_list("version", flat=True)) == [1, 2, 3]


def test_a_saved_version_cannot_be_changed(world, admin_client):
    version_1 = GraduationRules.objects.get(version=1)
    response = admin_client.get(rules_url("change", version_1.pk))
    assert response.status_code == 200
    assert 'name="score_threshold"' not in page(response) and 'name="_save"' not in page(response)
    response = admin_client.post(rules_url("change", version_1.pk), add_data(score_threshold=10))
    assert response.status_code == 403
    assert GraduationRules.objects.get(version=1).score_threshold == 60


@pytest.mark.parametrize("changes, field, words", [
    ({"valid_from": "2019-12-31"}, "valid_from", "cannot start earlier"),
    ({"score_threshold": 101}, "score_threshold", "more than the weights add up to (100)"),
    ({"max_eligible_decile": 11}, "max_eligible_decile", ""),
])
def test_a_new_version_is_checked_before_it_is_saved(world, admin_client, changes, field, words):
    response = admin_client.post(rules_url("add"), add_data(**changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors[field]
    assert words in " ".join(errors)
    assert GraduationRules.objects.count() == 1


def test_a_version_used_by_a_result_or_a_proposal_cannot_be_deleted(world, admin_client):
    for version in (2, 3):
        GraduationRules.objects.create(version=version, valid_from=date(2026, 1, version))
    screened(world.household, BELUM, checks=income_short(), version=1)
    Proposal.objects.create(household=world.other_household, kind=Proposal.Kind.ALAMIAH, effective_date=date(2026, 12, 1),
                            notes="Bukti", classification=BELUM, rules_version=2, proposed_by=world.other_facilitator)
    for version in (1, 2):
        pk = GraduationRules.objects.get(version=version).pk
        assert admin_client.get(rules_url("delete", pk)).status_code == 403
        assert admin_client.post(rules_url("delete", pk), {"post": "yes"}).status_code == 403
    unused = GraduationRules.objects.get(version=3)
    assert admin_client.post(rules_url("delete", unused.pk), {"post": "yes"}).status_code == 302
    assert list(GraduationRules.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    # no bulk action that would skip the check
    assert "delete_selected" not in page(admin_client.get(rules_url("changelist")))


# --- poverty lines -------------------------------------------------------------------------------------

def test_poverty_lines_are_listed_by_region_and_year_and_searched(world, admin_client):
    poverty_line("31.75", 2026, 850_000)
    poverty_line("31.75", 2025, 820_000)
    poverty_line("31.74", 2026, 870_000)
    url = reverse("admin:graduation_povertyline_changelist")
    html = page(admin_client.get(url))
    assert "Rp850.000" in html and "Rp870.000" in html
    found = admin_client.get(url, {"q": "Jakarta Timur"}).context["cl"].result_list
    assert sorted((line.region_id, line.year) for line in found) == [("31.75", 2025), ("31.75", 2026)]
    response = admin_client.post(reverse("admin:graduation_povertyline_add"),
                                 {"region": "31.74", "year": 2025, "amount": 840_000, "source": "BPS DKI"})
    assert response.status_code == 302 and PovertyLine.objects.get(region_id="31.74", year=2025).amount == 840_000


# --- read-only records -----------------------------------------------------------------------------------

def test_assessments_are_read_only_in_the_admin(world, admin_client):
    assessment = make_assessment(world.household, world.facilitator)
    assert admin_client.get(reverse("admin:graduation_assessment_add")).status_code == 403
    response = admin_client.get(reverse("admin:graduation_assessment_change", args=[assessment.pk]))
    assert response.status_code == 200 and 'name="_save"' not in page(response)
    assert admin_client.post(reverse("admin:graduation_assessment_change", args=[assessment.pk]),
                             {"household_size": 9}).status_code == 403
    assert admin_client.post(reverse("admin:graduation_assessment_delete", args=[assessment.pk]),
                             {"post": "yes"}).status_code == 403
    assert Assessment.objects.get().household_size == 4
    assert "Rp1.500.000" in page(admin_client.get(reverse("admin:graduation_assessment_changelist")))


def test_screening_results_show_their_checks_in_words_and_are_read_only(world, admin_client):
    result = screened(world.household, BELUM, checks=income_short())
    html = page(admin_client.get(reverse("admin:graduation_screeningresult_changelist")))
    assert "Rp275.000 short" in html  # the deciding check of each row
    response = admin_client.get(reverse("admin:graduation_screeningresult_change", args=[result.pk]))
    html = page(response)
    assert "✗ Income per person Rp1.000.000 a month" in html
    assert "✓ Housing score 9 of 10 (high), at least medium." in html
    assert 'name="_save"' not in html
    assert admin_client.post(reverse("admin:graduation_screeningresult_delete", args=[result.pk]),
                             {"post": "yes"}).status_code == 403
    assert ScreeningResult.objects.filter(pk=result.pk).exists()
