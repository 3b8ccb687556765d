"""Every change to the registry: atomic, validated, audited. Callers pass already-scoped objects
(from org.access); these functions check the acting user's right to make the change."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from beneficiaries import assignment
from beneficiaries.models import (
    FamilyCardChange,
    Household,
    HouseholdStatusChange,
    KKSCustody,
    Member,
)
from core.audit import audit_record, audit_record_many, diff
from core.models import AuditEvent
from org import access
from org.models import User

HOUSEHOLD_EDITABLE = ("no_kk", "address", "home_latitude", "home_longitude", "bank", "kks_number", "decile")
MEMBER_EDITABLE = (
    "nik", "name", "sex", "birth_date", "relationship", "pregnant", "expected_delivery_date", "pregnancy_order",
    "school", "severe_disability", "exit_reason", "exit_date",
)


class StaleVersion(ValidationError):
    """Someone else changed the record after the form was opened."""


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _bump_version(household: Household) -> None:
    Household.objects.filter(pk=household.pk).update(version=F("version") + 1, updated_at=timezone.now())
    household.refresh_from_db(fields=["version", "updated_at"])


# Graduated and exited families stay visible to their facilitator, read-only: a coordinator who must correct
# one reactivates it first (household_set_status, with the dated history).
LEFT_PROGRAM = (Household.Status.GRADUATED, Household.Status.EXITED)


def require_in_program(household: Household) -> None:
    if household.status in LEFT_PROGRAM:
        raise ValidationError(
            _("This family left the program (%(status)s since %(date)s): its data is read-only.") % {
                "status": household.get_status_display().lower(),
                "date": date_format(household.status_since, "DATE_FORMAT")}
        )


def _check_version(household: Household, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != household.version:
        raise StaleVersion(
            _("This household was changed by someone else since you opened the form (now version %(version)s). "
              "Reload the page and make your change again.") % {"version": household.version}
        )


# --- assignments ------------------------------------------------------------------------------

@transaction.atomic
def households_assign(*, actor: User, household_ids, facilitator: User | None, reason: str = "", on: date | None = None) -> int:
    """Assign (or, with facilitator=None, unassign) households; closes the previous assignment.

    Returns how many households changed hands. Households already with that facilitator are skipped.
    """
    access.require_caseload_management(actor)
    household_ids = set(household_ids)
    if facilitator is not None and not access.visible_facilitators(actor).filter(pk=facilitator.pk).exists():
        raise ValidationError({"facilitator": _("You cannot assign households to this facilitator.")})
    households = list(
        access.visible_households(actor).filter(pk__in=household_ids)
        .select_related("facilitator").select_for_update(of=("self",)).order_by("pk")
    )
    if len(households) != len(household_ids):
        raise ValidationError({"households": _("Some selected households are not in your area.")})
    if facilitator is not None:
        cities = set(facilitator.cities.values_list("code", flat=True))
        outside = [h.id_kpm for h in households if cities and h.city_code not in cities]
        if outside:
            raise ValidationError({"households": _("Households outside the facilitator's city: %(list)s")
                                   % {"list": ", ".join(outside[:10])}})
    events = []
    moved = assignment.move_households(
        households, facilitator=facilitator, actor=actor, on=on or timezone.localdate(), reason=reason, events=events
    )
    audit_record_many(events)
    return moved


# --- households -------------------------------------------------------------------------------

@transaction.atomic
def household_update(*, actor: User, household: Household, data: dict, expected_version: int | None = None) -> Household:
    access.require_write(actor)
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_in_program(household)
    _check_version(household, expected_version)
    fields = [f for f in HOUSEHOLD_EDITABLE if f in data]
    before = _snapshot(household, fields)
    for field in fields:
        setattr(household, field, data[field])
    household.full_clean(exclude=["kelurahan", "facilitator"])
    changes = diff(before, _snapshot(household, fields))
    if not changes:
        return household
    household.save(update_fields=[*changes.keys(), "updated_at"])
    if "no_kk" in changes:
        FamilyCardChange.objects.create(household=household, old_no_kk=before["no_kk"], new_no_kk=household.no_kk, changed_by=actor)
    _bump_version(household)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, household_id=household.pk,
                 city_code=household.city_code, changes=changes)
    return household


@transaction.atomic
def household_set_status(*, actor: User, household: Household, status: str, effective_date: date, reason: str) -> Household:
    """Suspend, reactivate or end a household's participation, keeping the dated history."""
    access.require_caseload_management(actor)
    if status not in Household.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the status change.")})
    if effective_date > timezone.localdate():
        raise ValidationError({"effective_date": _("The date cannot be in the future.")})
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status == status:
        raise ValidationError({"status": _("The household already has this status.")})
    before = household.status
    household.status = status
    household.status_since = effective_date
    household.save(update_fields=["status", "status_since", "updated_at"])
    HouseholdStatusChange.objects.create(
        household=household, status=status, effective_date=effective_date, reason=reason, changed_by=actor
    )
    _bump_version(household)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, household_id=household.pk,
                 city_code=household.city_code, changes={"status": [before, status]}, message=reason)
    return household


@transaction.atomic
def kks_custody_record(*, actor: User, household: Household, holder: str, since: date, holder_name: str = "", note: str = "") -> KKSCustody:
    """Record who holds the KKS card now. A holder outside the family is a red flag for supervisors."""
    access.require_write(actor)
    if holder not in Household.KKSHolder.values:
        raise ValidationError({"holder": _("Unknown card holder.")})
    if since > timezone.localdate():
        raise ValidationError({"since": _("The date cannot be in the future.")})
    if holder not in Household.FAMILY_HOLDERS and not holder_name.strip():
        raise ValidationError({"holder_name": _("Name the person who holds the card.")})
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_in_program(household)
    record = KKSCustody.objects.create(
        household=household, holder=holder, holder_name=holder_name.strip(), since=since, note=note, recorded_by=actor
    )
    before = household.kks_holder
    household.kks_holder = holder
    household.save(update_fields=["kks_holder", "updated_at"])
    _bump_version(household)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, household_id=household.pk,
                 city_code=household.city_code, changes={"kks_holder": [before, holder]},
                 message=f"{holder_name} {note}".strip())
    return record


def identity_view_record(*, actor: User, household: Household) -> None:
    """Log that a user looked at a household's full NIK and No. KK numbers."""
    audit_record(actor=actor, action=AuditEvent.Action.VIEW_IDENTITY, obj=household, household_id=household.pk,
                 city_code=household.city_code)


# --- members ----------------------------------------------------------------------------------

def _validate_member(member: Member) -> None:
    from beneficiaries.validation import member_problems

    errors = member_problems(member)
    if errors:
        raise ValidationError(errors)
    duplicate = (
        Member.objects.filter(nik=member.nik, exit_reason="").exclude(pk=member.pk).select_related("household").first()
        if not member.exit_reason else None
    )
    if duplicate is not None:
        raise ValidationError({"nik": _("This NIK already belongs to a member of another household (%(id_kpm)s).")
                               % {"id_kpm": duplicate.household.id_kpm}})


@transaction.atomic
def member_create(*, actor: User, household: Household, data: dict) -> Member:
    access.require_write(actor)
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_in_program(household)
    member = Member(household=household, **{f: data[f] for f in MEMBER_EDITABLE if f in data})
    member.full_clean(exclude=["household"], validate_constraints=False)
    _validate_member(member)
    member.save()
    _bump_version(household)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=member, household_id=household.pk,
                 city_code=household.city_code, changes=diff({}, _snapshot(member, MEMBER_EDITABLE)))
    return member


@transaction.atomic
def member_update(*, actor: User, member: Member, data: dict, expected_version: int | None = None) -> Member:
    access.require_write(actor)
    household = Household.objects.select_for_update().get(pk=member.household_id)
    require_in_program(household)
    _check_version(household, expected_version)
    member = Member.objects.get(pk=member.pk)
    fields = [f for f in MEMBER_EDITABLE if f in data]
    before = _snapshot(member, fields)
    for field in fields:
        setattr(member, field, data[field])
    member.full_clean(exclude=["household"], validate_constraints=False)
    _validate_member(member)
    changes = diff(before, _snapshot(member, fields))
    if not changes:
        return member
    member.save(update_fields=[*changes.keys(), "updated_at"])
    _bump_version(household)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=member, household_id=household.pk,
                 city_code=household.city_code, changes=changes)
    return member


@transaction.atomic
def pengurus_change(*, actor: User, household: Household, member: Member) -> None:
    """Make another member the family recipient (the one who holds the card and receives the money)."""
    access.require_write(actor)
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_in_program(household)
    if member.household_id != household.pk or member.exit_reason:
        raise ValidationError({"member": _("Choose a current member of this household.")})
    previous = household.members.filter(is_pengurus=True).first()
    if previous and previous.pk == member.pk:
        return
    household.members.filter(is_pengurus=True).update(is_pengurus=False)
    Member.objects.filter(pk=member.pk).update(is_pengurus=True)
    _bump_version(household)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, household_id=household.pk,
                 city_code=household.city_code, changes={"pengurus": [str(previous) if previous else None, str(member)]})
