"""The proposal → approval workflow: a facilitator proposes a graduation or another exit, the family's
statement for an independent-prosperous graduation, the coordinator's decision, the read-only rule for
families that left the program, and who may see and do what."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beneficiaries import services as registry
from beneficiaries.models import Household, HouseholdStatusChange
from core.models import AuditEvent
from graduation import proposals
from graduation.classifier import ALAMIAH, BELUM, KANDIDAT_MANDIRI
from graduation.models import Assessment, PovertyLine, Proposal, ScreeningResult
from tests.conftest import make_family
from tests.factories import FacilitatorFactory, HouseholdFactory, MemberFactory, region

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

@pytest.fixture(autouse=True)
def _english_pages(settings):
    """These tests read messages in English (the source language), on the pages too."""
    settings.LANGUAGE_CODE = "en"


# An assessment that passes every independent-prosperous criterion with a poverty line of Rp850.000.
STRONG = dict(
    household_size=4, income_work=4_000_000, income_business=2_000_000, work_stability="permanent",
    savings_amount=6_000_000, monthly_spending=3_000_000, has_motorcycle=True, has_refrigerator=True,
    has_television=True, has_smartphone=True, floor="tile", walls="brick", roof="tile", toilet="own", water="piped",
    school_age_children=2, children_in_school=2, jkn="all", wants_to_graduate=True,
)


def today() -> date:
    return timezone.localdate()


def page(response) -> str:
    return response.content.decode()


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def assessment_of(household, assessor, **fields) -> Assessment:
    number = household.assessments.count() + 1
    return Assessment.objects.create(household=household, assessor=assessor, number=number,
                                     assessed_on=today() - timedelta(days=10), **{**STRONG, **fields})


def candidate(world) -> Assessment:
    """Make world.household an independent-prosperous candidate: a strong assessment and a poverty line."""
    PovertyLine.objects.create(region=region("31.75"), year=today().year, amount=850_000)
    return assessment_of(world.household, world.facilitator)


def no_components_family(facilitator, kelurahan="31.75.01.1001"):
    """Two adults under 60, no child: no component left, so the classifier says natural graduation."""
    household = HouseholdFactory(facilitator=facilitator, kelurahan=region(kelurahan))
    MemberFactory(household=household, name="Ibu Sari", sex="P", birth_date=date(1980, 3, 1), is_pengurus=True)
    MemberFactory(household=household, name="Pak Budi", sex="L", birth_date=date(1978, 1, 1),
                  relationship="KEPALA KELUARGA")
    return household


def propose(actor, household, kind=Proposal.Kind.ALAMIAH, **fields) -> Proposal:
    data = {"effective_date": today() - timedelta(days=1), "notes": "Anak bungsu lulus SMA, tidak ada komponen.",
            **fields}
    return proposals.proposal_create(actor=actor, household=household, kind=kind, **data)


def upload(content=PDF, name="pernyataan.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- the whole workflow, by role ------------------------------------------------------------------

def test_facilitator_proposes_a_natural_graduation_and_the_coordinator_approves_it(world, client_for):
    household = no_components_family(world.facilitator)
    ScreeningResult.objects.create(household=household, as_of=today(), classification=ALAMIAH, rules_version=1)
    client = client_for(world.facilitator)
    form_page = client.get(reverse("graduation_proposal_create", args=[household.pk]))
    assert form_page.status_code == 200
    effective = today() - timedelta(days=3)
    response = client.post(reverse("graduation_proposal_create", args=[household.pk]), {
        "kind": "alamiah", "effective_date": effective.isoformat(), "assessment": "",
        "notes": "Semua anak sudah dewasa dan bekerja.", "justification": ""})
    proposal = Proposal.objects.get(household=household)
    assert response.status_code == 302 and response["Location"] == reverse("graduation_proposal_detail", args=[proposal.pk])
    # The classifier's result on the effective date is kept with the proposal.
    assert proposal.status == "pending" and proposal.classification == ALAMIAH and proposal.justification == ""
    assert proposal.proposed_by == world.facilitator and proposal.effective_date == effective
    assert {c["key"] for c in proposal.checks} >= {"no_components", "decile_above_cutoff"}

    coordinator = client_for(world.coordinator)
    html = page(coordinator.get(reverse("graduation_proposal_list")))
    assert reverse("graduation_proposal_detail", args=[proposal.pk]) in html
    detail = coordinator.get(reverse("graduation_proposal_detail", args=[proposal.pk]))
    assert detail.status_code == 200 and reverse("graduation_proposal_decide", args=[proposal.pk]) in page(detail)
    response = coordinator.post(reverse("graduation_proposal_decide", args=[proposal.pk]),
                                {"decision": "approve", "reason": "Sesuai hasil verifikasi."})
    assert response.status_code == 302
    household.refresh_from_db()
    proposal.refresh_from_db()
    assert household.status == Household.Status.GRADUATED and household.status_since == effective
    assert proposal.status == "approved" and proposal.decided_by == world.coordinator
    change = HouseholdStatusChange.objects.get(household=household)
    assert change.effective_date == effective and "Natural graduation" in change.reason
    assert change.changed_by == world.coordinator
    # A family that left is no candidate any more.
    assert not ScreeningResult.objects.filter(household=household).exists()
    events = AuditEvent.objects.filter(object_type="graduation.proposal", object_id=str(proposal.pk))
    assert [e.action for e in events.order_by("at", "id")] == ["create", "update"]
    assert events.filter(changes__status=["pending", "approved"], actor=world.coordinator).exists()
    # The proposal page tells the story, and offers no decision any more.
    coordinator.post(reverse("set_language"), {"language": "en"})
    html = page(coordinator.get(reverse("graduation_proposal_detail", args=[proposal.pk])))
    assert "Proposed: Natural graduation" in html and "Sesuai hasil verifikasi." in html
    assert "The family graduated on" in html and reverse("graduation_proposal_decide", args=[proposal.pk]) not in html


def test_another_exit_makes_the_family_exited_and_is_not_compared_with_the_classifier(world):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MOVED,
                       notes="Keluarga pindah ke Bekasi sejak bulan lalu.")
    assert proposal.classification == BELUM and proposal.justification == "" and not proposal.is_graduation
    proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=True)
    world.household.refresh_from_db()
    assert world.household.status == Household.Status.EXITED
    assert "Moved out of the area" in HouseholdStatusChange.objects.get(household=world.household).reason


def test_a_graduation_type_that_differs_from_the_classifier_needs_a_justification(world, client_for):
    client = client_for(world.facilitator)
    url = reverse("graduation_proposal_create", args=[world.household.pk])
    data = {"kind": "alamiah", "effective_date": today().isoformat(), "assessment": "",
            "notes": "Keluarga merasa sudah cukup.", "justification": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and not Proposal.objects.exists()
    errors = response.context["form"].errors["justification"]
    assert "Not yet" in errors[0] and "explain why" in errors[0]
    with pytest.raises(ValidationError) as excinfo:
        propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=assessment_of(
            world.household, world.facilitator, income_work=500_000, income_business=0))
    assert "justification" in errors_of(excinfo)

    response = client.post(url, {**data, "justification": "Data DTSEN terbaru: desil 7, belum dimutakhirkan."})
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and proposal.justification.startswith("Data DTSEN terbaru")
    # The coordinator sees it first, in a warning.
    html = page(client_for(world.coordinator).get(reverse("graduation_proposal_detail", args=[proposal.pk])))
    assert 'class="alert alert-danger"' in html and "Data DTSEN terbaru: desil 7" in html
    assert html.index("Data DTSEN terbaru") < html.index("id=\"evidence-title\"")


def test_a_justification_is_not_kept_when_the_type_agrees_with_the_classifier(world):
    household = no_components_family(world.facilitator)
    proposal = propose(world.facilitator, household, justification="Tidak perlu.")
    assert proposal.classification == ALAMIAH and proposal.justification == ""


def test_an_independent_prosperous_candidate_needs_no_justification(world):
    assessment = candidate(world)
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=assessment,
                       notes="Usaha warung berjalan 2 tahun, keluarga ingin mandiri.")
    assert proposal.classification == KANDIDAT_MANDIRI and proposal.assessment == assessment
    assert proposal.rules_version == proposals.classify_now(world.household, today=today()).rules_version


def test_the_coordinator_rejects_with_a_reason_and_the_family_stays_in_the_program(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.NON_COMPLIANCE, notes="Tidak hadir P2K2.")
    client = client_for(world.coordinator)
    response = client.post(reverse("graduation_proposal_decide", args=[proposal.pk]), {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["decision_form"].errors
    with pytest.raises(ValidationError) as excinfo:
        proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=False, reason="  ")
    assert "reason" in errors_of(excinfo)
    response = client.post(reverse("graduation_proposal_decide", args=[proposal.pk]),
                           {"decision": "reject", "reason": "Belum ada verifikasi 3 bulan berturut-turut."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    world.household.refresh_from_db()
    assert proposal.status == "rejected" and proposal.decision_reason.startswith("Belum ada verifikasi")
    assert world.household.status == Household.Status.ACTIVE
    # The facilitator reads the reason on the household page and may propose again.
    html = page(client_for(world.facilitator).get(reverse("household_detail", args=[world.household.pk])))
    assert "Belum ada verifikasi" in html
    assert reverse("graduation_proposal_create", args=[world.household.pk]) in html
    with pytest.raises(ValidationError) as excinfo:
        proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=True)
    assert "no longer waiting" in errors_of(excinfo)["decision"][0]


# --- the family's statement (independent-prosperous graduation) -----------------------------------

def test_mandiri_needs_an_assessment(world, client_for):
    response = client_for(world.facilitator).post(reverse("graduation_proposal_create", args=[world.household.pk]), {
        "kind": "mandiri", "effective_date": today().isoformat(), "assessment": "", "notes": "Usaha berjalan.",
        "justification": "x"})
    assert response.status_code == 200 and "assessment" in response.context["form"].errors
    with pytest.raises(ValidationError) as excinfo:
        propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, justification="x")
    assert "assessment" in errors_of(excinfo)


def test_the_latest_assessment_is_preselected(world, client_for):
    assessment_of(world.household, world.facilitator)
    latest = assessment_of(world.household, world.facilitator)
    other = assessment_of(world.other_household, world.other_facilitator)
    form = client_for(world.facilitator).get(
        reverse("graduation_proposal_create", args=[world.household.pk])).context["form"]
    assert form["assessment"].value() == str(latest.pk)
    assert str(other.pk) not in dict(form.fields["assessment"].choices)
    with pytest.raises(ValidationError) as excinfo:
        propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=other, justification="x")
    assert "assessment" in errors_of(excinfo)


def test_a_mandiri_proposal_cannot_be_approved_without_the_statement(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=candidate(world))
    with pytest.raises(ValidationError) as excinfo:
        proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=True)
    assert "statement is missing" in errors_of(excinfo)["decision"][0]
    response = client_for(world.coordinator).post(reverse("graduation_proposal_decide", args=[proposal.pk]),
                                                  {"decision": "approve", "reason": ""})
    assert response.status_code == 400 and "statement is missing" in str(response.context["decision_form"].errors)
    world.household.refresh_from_db()
    assert world.household.status == Household.Status.ACTIVE

    proposals.statement_upload(actor=world.facilitator, proposal=proposal, upload=upload())
    proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=True)
    world.household.refresh_from_db()
    assert world.household.status == Household.Status.GRADUATED
    assert "Independent-prosperous graduation" in HouseholdStatusChange.objects.get(household=world.household).reason


def test_a_recorded_confirmation_is_enough_to_approve(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=candidate(world))
    client = client_for(world.facilitator)
    url = reverse("graduation_statement_confirm", args=[proposal.pk])
    response = client.post(url, {"confirmation_note": " "})
    assert response.status_code == 400 and "confirmation_note" in response.context["confirm_form"].errors
    response = client.post(url, {"confirmation_note": "Ibu Sari menandatangani di rumah pada kunjungan 20/11; "
                                                      "disaksikan Ketua RT 05. Kertas asli di kantor."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.confirmation == "recorded" and proposals.statement_ready(proposal)
    proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=True)
    world.household.refresh_from_db()
    assert world.household.status == Household.Status.GRADUATED


def test_the_statement_upload_checks_type_content_and_size(world, client_for, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=candidate(world))
    client = client_for(world.facilitator)
    url = reverse("graduation_statement_upload", args=[proposal.pk])

    def post(file):
        response = client.post(url, {"statement_file": file})
        errors = response.context["upload_form"].errors.get("statement_file", []) if response.status_code == 400 else []
        return response.status_code, " ".join(errors)

    assert post(upload(b"MZ\x90\x00", "pernyataan.exe", "application/octet-stream")) == (400, "Upload a PDF, JPG or PNG file.")
    status, error = post(upload(b"hello, not a pdf", "pernyataan.pdf"))
    assert status == 400 and "not a PDF file" in error
    status, error = post(upload(PDF, "pernyataan.pdf", "text/html"))
    assert status == 400 and "does not match" in error
    monkeypatch.setattr(proposals, "STATEMENT_MAX_BYTES", 20)
    status, error = post(upload(PDF))
    assert status == 400 and "larger than" in error
    monkeypatch.undo()
    proposal.refresh_from_db()
    assert not proposal.statement_file and proposal.confirmation == ""

    assert post(upload(PNG, "foto.PNG", "image/png"))[0] == 302
    proposal.refresh_from_db()
    first = proposal.statement_file.name
    assert proposal.confirmation == "upload" and first.endswith(".png") and world.household.id_kpm in first
    # A new upload replaces the earlier file (removed once the change is committed).
    with django_capture_on_commit_callbacks(execute=True):
        assert post(upload())[0] == 302
    proposal.refresh_from_db()
    assert proposal.statement_file.name.endswith(".pdf") and not proposal.statement_file.storage.exists(first)
    # Once uploaded, a recorded confirmation is not needed.
    with pytest.raises(ValidationError) as excinfo:
        proposals.statement_confirm(actor=world.facilitator, proposal=proposal, note="Sudah dikonfirmasi.")
    assert "already uploaded" in errors_of(excinfo)["confirmation_note"][0]


def test_only_an_independent_prosperous_graduation_takes_a_statement(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.DECEASED, notes="Pengurus meninggal.")
    with pytest.raises(ValidationError):
        proposals.statement_upload(actor=world.facilitator, proposal=proposal, upload=upload())
    response = client_for(world.facilitator).get(reverse("graduation_statement_print", args=[proposal.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("graduation_proposal_detail", args=[proposal.pk])


def test_the_printable_statement_is_prefilled_and_its_view_recorded(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=candidate(world),
                       effective_date=date(2026, 11, 20))
    pengurus = world.household.members.get(is_pengurus=True)
    response = client_for(world.facilitator).get(reverse("graduation_statement_print", args=[proposal.pk]))
    html = page(response)
    assert response.status_code == 200
    assert "SURAT PERNYATAAN" in html and "GRADUASI SEJAHTERA MANDIRI" in html
    assert pengurus.name in html and pengurus.nik in html and world.household.id_kpm in html
    assert world.household.address in html and "Pisangan Baru" in html
    assert "20 November 2026" in html and "atas kesadaran dan kemauan sendiri" in html.lower()
    assert "Pendamping Sosial PKH" in html and "Saksi" in html and "Meterai" in html
    for member in world.household.members.all():
        assert member.name in html
    assert 'href="/static/css/print.css"' in html
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_IDENTITY)
    assert event.actor == world.facilitator and event.household_id == world.household.pk
    # The print CSS belongs to this page only.
    detail = page(client_for(world.facilitator).get(reverse("graduation_proposal_detail", args=[proposal.pk])))
    assert "print.css" not in detail


def test_the_uploaded_statement_is_served_to_who_sees_the_proposal_and_recorded(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=candidate(world))
    proposals.statement_upload(actor=world.facilitator, proposal=proposal, upload=upload())
    url = reverse("graduation_statement_file", args=[proposal.pk])
    response = client_for(world.auditor).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_IDENTITY, actor=world.auditor).count() == 1
    assert client_for(world.other_facilitator).get(url).status_code == 404
    assert client_for(world.coordinator_b).get(url).status_code == 404


# --- one pending proposal, withdrawal, dates, families out of the program --------------------------

def test_one_pending_proposal_per_household(world, client_for):
    first = propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="Pindah.")
    with pytest.raises(ValidationError) as excinfo:
        propose(world.coordinator, world.household, Proposal.Kind.DECEASED, notes="Meninggal.")
    assert "already waiting for approval" in errors_of(excinfo)["household"][0]
    response = client_for(world.facilitator).get(reverse("graduation_proposal_create", args=[world.household.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("graduation_proposal_detail", args=[first.pk])
    proposals.proposal_decide(actor=world.coordinator, proposal=first, approve=False, reason="Belum pindah.")
    second = propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="Sudah pindah sekarang.")
    assert second.status == "pending"


def test_only_the_proposer_withdraws_and_only_while_pending(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="Pindah.")
    url = reverse("graduation_proposal_withdraw", args=[proposal.pk])
    response = client_for(world.coordinator).post(url, {"reason": ""}, follow=True)
    assert "Only the person who made the proposal" in page(response) or "Hanya" in page(response)
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    client_for(world.facilitator).post(url, {"reason": "Keliru, belum pindah."})
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn" and proposal.decision_reason == "Keliru, belum pindah."
    with pytest.raises(ValidationError):
        proposals.proposal_withdraw(actor=world.facilitator, proposal=proposal)
    with pytest.raises(ValidationError):
        proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=True)


def test_the_effective_date_cannot_be_in_the_future(world, client_for):
    tomorrow = today() + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        propose(world.facilitator, world.household, Proposal.Kind.MOVED, effective_date=tomorrow)
    assert "future" in errors_of(excinfo)["effective_date"][0]
    response = client_for(world.facilitator).post(reverse("graduation_proposal_create", args=[world.household.pk]), {
        "kind": "moved", "effective_date": tomorrow.isoformat(), "notes": "Pindah."})
    assert "effective_date" in response.context["form"].errors
    with pytest.raises(ValidationError) as excinfo:
        propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="   ")
    assert "notes" in errors_of(excinfo)


@pytest.mark.parametrize("status", [Household.Status.GRADUATED, Household.Status.EXITED])
def test_a_family_out_of_the_program_cannot_be_proposed(world, client_for, status):
    household = make_family(facilitator=world.facilitator, status=status)
    with pytest.raises(ValidationError) as excinfo:
        propose(world.facilitator, household, Proposal.Kind.MOVED)
    assert "left the program" in errors_of(excinfo)["household"][0]
    client = client_for(world.facilitator)
    response = client.get(reverse("graduation_proposal_create", args=[household.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("household_detail", args=[household.pk])
    assert reverse("graduation_proposal_create", args=[household.pk]) not in page(
        client.get(reverse("household_detail", args=[household.pk])))


def test_a_suspended_family_can_be_proposed(world):
    suspended = make_family(facilitator=world.facilitator, status=Household.Status.SUSPENDED)
    assert propose(world.facilitator, suspended, Proposal.Kind.NON_COMPLIANCE, notes="Tidak patuh.").pk


def test_a_graduated_family_stays_visible_to_its_facilitator_read_only(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="Pindah.")
    proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=True)
    household = Household.objects.get(pk=world.household.pk)
    member = household.members.exclude(is_pengurus=True).first()
    for attempt in (
        lambda: registry.household_update(actor=world.facilitator, household=household, data={"address": "Jl. Baru"}),
        lambda: registry.member_update(actor=world.facilitator, member=member, data={"name": "Nama Baru"}),
        lambda: registry.member_create(actor=world.facilitator, household=household, data={}),
        lambda: registry.pengurus_change(actor=world.facilitator, household=household, member=member),
        lambda: registry.kks_custody_record(actor=world.facilitator, household=household, holder="pengurus",
                                            since=today()),
    ):
        with pytest.raises(ValidationError) as excinfo:
            attempt()
        assert "left the program" in excinfo.value.messages[0] and "read-only" in excinfo.value.messages[0]
    household.refresh_from_db()
    assert household.address == "Jl. Contoh No. 1"

    client = client_for(world.facilitator)
    response = client.get(reverse("household_detail", args=[household.pk]))
    html = page(response)
    assert response.status_code == 200
    assert reverse("household_edit", args=[household.pk]) not in html
    assert reverse("member_create", args=[household.pk]) not in html
    assert reverse("member_edit", args=[household.pk, member.pk]) not in html
    assert reverse("kks_custody_create", args=[household.pk]) not in html
    response = client.post(reverse("household_edit", args=[household.pk]), {
        "no_kk": household.no_kk, "address": "Jl. Baru", "bank": "BRI", "kks_number": household.kks_number,
        "expected_version": household.version})
    assert response.status_code == 200 and "read-only" in str(response.context["form"].non_field_errors())
    # The coordinator may still reactivate it (and then correct it).
    registry.household_set_status(actor=world.coordinator, household=household, status=Household.Status.ACTIVE,
                                  effective_date=today(), reason="Keliru, keluarga tidak pindah.")
    registry.household_update(actor=world.facilitator, household=household, data={"address": "Jl. Baru"})


# --- who may see and do what ------------------------------------------------------------------------

def test_auditors_read_proposals_and_get_403_on_every_write(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=candidate(world))
    client = client_for(world.auditor)
    assert client.get(reverse("graduation_proposal_list")).status_code == 200
    detail = client.get(reverse("graduation_proposal_detail", args=[proposal.pk]))
    assert detail.status_code == 200
    html = page(detail)
    for name in ("graduation_proposal_decide", "graduation_proposal_withdraw", "graduation_statement_upload",
                 "graduation_statement_print"):
        assert reverse(name, args=[proposal.pk]) not in html
    for name, data in (("graduation_proposal_decide", {"decision": "approve"}), ("graduation_proposal_withdraw", {}),
                       ("graduation_statement_upload", {"statement_file": upload()}),
                       ("graduation_statement_confirm", {"confirmation_note": "x"})):
        assert client.post(reverse(name, args=[proposal.pk]), data).status_code == 403, name
    assert client.get(reverse("graduation_statement_print", args=[proposal.pk])).status_code == 403
    assert client.post(reverse("graduation_proposal_create", args=[world.household.pk]),
                       {"kind": "moved"}).status_code == 403
    with pytest.raises(PermissionDenied):
        proposals.proposal_decide(actor=world.auditor, proposal=proposal, approve=False, reason="x")
    proposal.refresh_from_db()
    assert proposal.status == "pending" and proposal.confirmation == ""


def test_a_facilitator_cannot_decide(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="Pindah.")
    response = client_for(world.facilitator).post(reverse("graduation_proposal_decide", args=[proposal.pk]),
                                                  {"decision": "approve"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        proposals.proposal_decide(actor=world.facilitator, proposal=proposal, approve=True)


def test_another_facilitator_and_another_city_get_404(world, client_for):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=candidate(world))
    for persona in (world.other_facilitator, world.coordinator_b, world.auditor_b, world.facilitator_b):
        client = client_for(persona)
        for name in ("graduation_proposal_detail", "graduation_statement_print"):
            assert client.get(reverse(name, args=[proposal.pk])).status_code == 404, (persona, name)
        for name in ("graduation_proposal_decide", "graduation_proposal_withdraw", "graduation_statement_confirm"):
            assert client.post(reverse(name, args=[proposal.pk]), {"decision": "approve"}).status_code == 404
        assert client.get(reverse("graduation_proposal_create", args=[world.household.pk])).status_code == 404
        assert str(proposal.pk) not in [str(p.pk) for p in client.get(
            reverse("graduation_proposal_list") + "?status=all").context["page_obj"].object_list]
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_a_coordinator_proposes_for_a_family_of_their_city(world):
    proposal = propose(world.coordinator, world.unassigned, Proposal.Kind.INELIGIBLE, notes="Duplikat KK.")
    assert proposal.proposed_by == world.coordinator
    with pytest.raises(ValidationError):
        proposals.proposal_withdraw(actor=world.facilitator, proposal=proposal)


# --- the list and the coordinator's home ------------------------------------------------------------

def test_the_list_shows_waiting_proposals_by_default_and_filters(world, client_for):
    waiting = propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="Pindah.")
    mine_decided = propose(world.other_facilitator, world.other_household, Proposal.Kind.DECEASED, notes="Meninggal.")
    proposals.proposal_decide(actor=world.coordinator, proposal=mine_decided, approve=False, reason="Masih hidup.")
    other_waiting = propose(world.coordinator, world.unassigned, Proposal.Kind.INELIGIBLE, notes="Duplikat.")
    url = reverse("graduation_proposal_list")

    def shown(client, query=""):
        return {p.pk for p in client.get(url + query).context["page_obj"].object_list}

    coordinator = client_for(world.coordinator)
    assert shown(coordinator) == {waiting.pk, other_waiting.pk}
    assert shown(coordinator, "?status=all") == {waiting.pk, mine_decided.pk, other_waiting.pk}
    assert shown(coordinator, "?status=rejected") == {mine_decided.pk}
    assert shown(coordinator, "?status=all&kind=ineligible") == {other_waiting.pk}
    assert shown(coordinator, "?status=all&kelurahan=31.75.01.1001") == {waiting.pk}
    assert shown(coordinator, f"?status=all&facilitator={world.other_facilitator.pk}") == {mine_decided.pk}
    # Facilitators see the proposals of their own families only.
    assert shown(client_for(world.facilitator), "?status=all") == {waiting.pk}
    assert shown(client_for(world.other_facilitator), "?status=all") == {mine_decided.pk}
    assert shown(client_for(world.coordinator_b), "?status=all") == set()


def test_the_list_query_count_does_not_grow_with_proposals(world, client_for):
    client = client_for(world.coordinator)
    url = reverse("graduation_proposal_list") + "?status=all"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="Pindah.")
    small = queries()
    for _ in range(6):
        facilitator = FacilitatorFactory(cities=[region("31.75")])
        propose(world.coordinator, make_family(facilitator=facilitator), Proposal.Kind.MOVED, notes="Pindah.")
    assert queries() == small


def _waiting(response):
    """The waiting-proposals card's figures on the city overview."""
    return next(card["pending"] for template, card in response.context["cards"] if template == "graduation/_city_card.html")


def test_the_coordinators_home_shows_the_waiting_proposals(world, client_for):
    client = client_for(world.coordinator)
    html = page(client.get(reverse("city_overview")))
    assert "data-graduation-pending" in html
    assert _waiting(client.get(reverse("city_overview"))) == proposals.PendingSummary(0, None)
    old = propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="Pindah.")
    Proposal.objects.filter(pk=old.pk).update(proposed_at=timezone.now() - timedelta(days=9))
    propose(world.coordinator, world.unassigned, Proposal.Kind.INELIGIBLE, notes="Duplikat.")
    propose(world.facilitator_b, world.household_b, Proposal.Kind.MOVED, notes="Pindah.")  # another city
    response = client.get(reverse("city_overview"))
    assert _waiting(response) == proposals.PendingSummary(2, 9)
    assert reverse("graduation_proposal_list") + "?status=pending" in page(response)
    assert _waiting(client_for(world.coordinator_b).get(reverse("city_overview"))).count == 1


# --- the household panel ----------------------------------------------------------------------------

@pytest.fixture
def only_workflow_panel():
    """The household page with only this panel: query counts measure ours."""
    from core import extensions

    saved = list(extensions.HOUSEHOLD_PANELS)
    extensions.HOUSEHOLD_PANELS[:] = [p for p in saved if p.key == "graduation_workflow"]
    yield
    extensions.HOUSEHOLD_PANELS[:] = saved


def test_the_panel_shows_the_pending_proposal_and_the_actions(world, client_for, only_workflow_panel):
    proposal = propose(world.facilitator, world.household, Proposal.Kind.MANDIRI, assessment=candidate(world))
    html = page(client_for(world.facilitator).get(reverse("household_detail", args=[world.household.pk])))
    assert reverse("graduation_proposal_detail", args=[proposal.pk]) in html
    assert reverse("graduation_statement_print", args=[proposal.pk]) in html
    assert reverse("graduation_proposal_create", args=[world.household.pk]) not in html  # one pending at a time
    auditor_html = page(client_for(world.auditor).get(reverse("household_detail", args=[world.household.pk])))
    assert reverse("graduation_proposal_detail", args=[proposal.pk]) in auditor_html
    assert reverse("graduation_statement_print", args=[proposal.pk]) not in auditor_html


def test_the_panel_runs_a_fixed_number_of_queries(world, client_for):
    def queries(household):
        with CaptureQueriesContext(connection) as captured:
            context = proposals.workflow_panel(world.facilitator, household, today())
            list(context["proposals"])
        return len(captured)

    assert queries(world.household) == 1  # the proposals
    for reason in ("Belum pindah.", "Masih di sini.", "Salah data."):
        proposal = propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="Pindah.")
        proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=False, reason=reason)
    propose(world.facilitator, world.household, Proposal.Kind.MOVED, notes="Pindah.")
    assert queries(world.household) == 1
    graduated = make_family(facilitator=world.facilitator, status=Household.Status.GRADUATED)
    assert queries(graduated) == 2  # the proposals, the latest follow-up visit
