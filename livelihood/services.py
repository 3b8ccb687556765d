"""Every change to businesses, monthly entries, KUBE and credit referrals: atomic, validated, audited.

Callers pass objects they already scoped through org.access (livelihood.selectors); these functions check
the acting user's right to write and the rules. Errors name the field they are about.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from beneficiaries.models import Household
from core.audit import audit_record, diff
from core.models import AuditEvent
from core.templatetags.pkh import rupiah
from livelihood.models import Business, CreditProgram, CreditReferral, Kube, KubeMembership, MonthlyEntry, ReferralStep
from livelihood.selectors import month_start, months_running
from org import access
from org.models import Region, User

BUSINESS_EDITABLE = ("kind", "name", "description", "started_on", "stopped_on", "stop_reason")
KUBE_EDITABLE = ("name", "kelurahan", "facilitator", "chairperson", "formed_on", "note")


def _month_label(month: date) -> str:
    return date_format(month, "F Y")


def _day_label(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def _snapshot(obj, fields) -> dict:
    return {field: getattr(obj, field) for field in fields}


def _owner_ids(business: Business) -> dict:
    """The audit fields of a business: its household (if a family's) and its city."""
    if business.household_id:
        household = Household.objects.only("kelurahan_id").get(pk=business.household_id)
        return {"household_id": household.pk, "city_code": household.city_code}
    kube = Kube.objects.only("kelurahan_id").get(pk=business.kube_id)
    return {"household_id": None, "city_code": kube.city_code}


def _not_in_future(field: str, day: date | None, today: date) -> None:
    if day is not None and day > today:
        raise ValidationError({field: _("The date cannot be in the future.")})


# --- businesses -------------------------------------------------------------------------------

def _validate_business(business: Business, *, today: date) -> None:
    business.full_clean(exclude=["household", "kube", "created_by"], validate_constraints=False)
    if not business.name.strip():
        raise ValidationError({"name": _("Give the business a name.")})
    _not_in_future("started_on", business.started_on, today)
    if business.stopped_on is not None:
        _not_in_future("stopped_on", business.stopped_on, today)
        if business.stopped_on < business.started_on:
            raise ValidationError({"stopped_on": _("The business cannot stop before it started (%(start)s).")
                                   % {"start": _day_label(business.started_on)}})
    elif business.stop_reason:
        business.stop_reason = ""
    if business.pk is None:
        return
    months = business.entries.order_by("month").values_list("month", flat=True)
    first, last = months.first(), months.last()
    if first is not None and first < month_start(business.started_on):
        raise ValidationError({"started_on": _(
            "Monthly figures are recorded from %(month)s, before this start date. Correct the start date or those entries."
        ) % {"month": _month_label(first)}})
    if last is not None and business.stopped_on is not None and last > month_start(business.stopped_on):
        raise ValidationError({"stopped_on": _(
            "Monthly figures are recorded up to %(month)s, after this stop date. Correct the stop date or those entries."
        ) % {"month": _month_label(last)}})


@transaction.atomic
def business_create(*, actor: User, household: Household | None = None, kube: Kube | None = None, data: dict) -> Business:
    """Record a business of one household or of one KUBE (never both)."""
    access.require_write(actor)
    if (household is None) == (kube is None):
        raise ValidationError(_("A business belongs either to one household or to one KUBE."))
    business = Business(household=household, kube=kube, created_by=actor,
                        **{field: data[field] for field in BUSINESS_EDITABLE if field in data})
    business.name = (business.name or "").strip()
    _validate_business(business, today=timezone.localdate())
    business.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=business, **_owner_ids(business),
                 changes=diff({}, _snapshot(business, BUSINESS_EDITABLE)))
    return business


@transaction.atomic
def business_update(*, actor: User, business: Business, data: dict) -> Business:
    access.require_write(actor)
    business = Business.objects.select_for_update().get(pk=business.pk)
    fields = [field for field in BUSINESS_EDITABLE if field in data]
    before = _snapshot(business, fields)
    for field in fields:
        setattr(business, field, data[field])
    business.name = (business.name or "").strip()
    _validate_business(business, today=timezone.localdate())
    changes = diff(before, _snapshot(business, fields))
    if not changes:
        return business
    business.save(update_fields=[*changes.keys(), "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=business, **_owner_ids(business), changes=changes)
    return business


@transaction.atomic
def business_stop(*, actor: User, business: Business, stopped_on: date, reason: str = "") -> Business:
    """Record that a business stopped running (its history and figures are kept)."""
    access.require_write(actor)
    current = Business.objects.select_for_update().get(pk=business.pk)
    if current.stopped_on is not None:
        raise ValidationError({"stopped_on": _("This business already stopped on %(day)s.")
                               % {"day": _day_label(current.stopped_on)}})
    if stopped_on is None:
        raise ValidationError({"stopped_on": _("Give the date the business stopped.")})
    return business_update(actor=actor, business=current, data={"stopped_on": stopped_on, "stop_reason": reason.strip()})


# --- monthly entries --------------------------------------------------------------------------

def _validate_entry(entry: MonthlyEntry, business: Business, *, today: date) -> None:
    month = entry.month
    if month < month_start(business.started_on):
        raise ValidationError({"month": _("%(month)s is before the business started (%(start)s).")
                               % {"month": _month_label(month), "start": _day_label(business.started_on)}})
    if business.stopped_on is not None and month > month_start(business.stopped_on):
        raise ValidationError({"month": _("%(month)s is after the business stopped (%(stop)s).")
                               % {"month": _month_label(month), "stop": _day_label(business.stopped_on)}})
    if month > month_start(today):
        raise ValidationError({"month": _("%(month)s has not begun yet.") % {"month": _month_label(month)}})
    for field in ("revenue", "expenses"):
        value = getattr(entry, field)
        if value is None:
            raise ValidationError({field: _("Give the amount in whole rupiah (0 if there was none).")})
        if value < 0:
            raise ValidationError({field: _("The amount cannot be negative.")})
    duplicate = MonthlyEntry.objects.filter(business=business, month=month).exclude(pk=entry.pk).exists()
    if duplicate:
        raise ValidationError({"month": _("%(month)s is already recorded for this business: edit that month instead.")
                               % {"month": _month_label(month)}})


def _save_entry(entry: MonthlyEntry, **kwargs) -> None:
    """Save, turning a lost race on the one-entry-per-month rule into the same message as the check."""
    try:
        with transaction.atomic():
            entry.save(**kwargs)
    except IntegrityError:
        raise ValidationError({"month": _("%(month)s is already recorded for this business: edit that month instead.")
                               % {"month": _month_label(entry.month)}}) from None


@transaction.atomic
def entry_record(*, actor: User, business: Business, month: date, revenue: int, expenses: int, note: str = "") -> MonthlyEntry:
    """Record one month of a business's budget; one entry per business per month."""
    access.require_write(actor)
    business = Business.objects.select_for_update().get(pk=business.pk)
    entry = MonthlyEntry(business=business, month=month_start(month), revenue=revenue, expenses=expenses,
                         note=(note or "").strip(), recorded_by=actor)
    _validate_entry(entry, business, today=timezone.localdate())
    _save_entry(entry)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=entry, **_owner_ids(business),
                 changes=diff({}, _snapshot(entry, ("month", "revenue", "expenses", "note"))))
    return entry


@transaction.atomic
def entry_update(*, actor: User, entry: MonthlyEntry, data: dict) -> MonthlyEntry:
    access.require_write(actor)
    business = Business.objects.select_for_update().get(pk=entry.business_id)
    entry = MonthlyEntry.objects.get(pk=entry.pk)
    fields = [field for field in ("month", "revenue", "expenses", "note") if field in data]
    before = _snapshot(entry, fields)
    for field in fields:
        setattr(entry, field, data[field])
    entry.month = month_start(entry.month)
    entry.note = (entry.note or "").strip()
    _validate_entry(entry, business, today=timezone.localdate())
    changes = diff(before, _snapshot(entry, fields))
    if not changes:
        return entry
    _save_entry(entry, update_fields=[*changes.keys(), "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=entry, **_owner_ids(business), changes=changes)
    return entry


# --- credit referrals -------------------------------------------------------------------------

class BelowMinimumMonths(ValidationError):
    """The business runs for fewer months than the program asks; the user must confirm the referral."""


def referral_eligibility(business: Business, program: CreditProgram, *, on: date) -> tuple[int, bool]:
    """(months running on the date, whether that meets the program's minimum)."""
    months = months_running(business.started_on, business.stopped_on, on)
    return months, months >= program.min_months_running


@transaction.atomic
def referral_create(*, actor: User, business: Business, program: CreditProgram, referred_on: date, note: str = "",
                    confirm_below_minimum: bool = False) -> CreditReferral:
    """Refer a business to an entrepreneurship/credit program. A business younger than the program's minimum
    is referred only with an explicit confirmation (BelowMinimumMonths otherwise)."""
    access.require_write(actor)
    business = Business.objects.select_for_update().get(pk=business.pk)
    today = timezone.localdate()
    if program is None:
        raise ValidationError({"program": _("Choose a program.")})
    if not program.active:
        raise ValidationError({"program": _("%(program)s is not open for new referrals.") % {"program": program.name}})
    if referred_on is None:
        raise ValidationError({"referred_on": _("Give the date of the referral.")})
    _not_in_future("referred_on", referred_on, today)
    if referred_on < business.started_on:
        raise ValidationError({"referred_on": _("The business had not started yet on that date (it started %(start)s).")
                               % {"start": _day_label(business.started_on)}})
    if business.stopped_on is not None and business.stopped_on <= referred_on:
        raise ValidationError({"referred_on": _("The business had stopped by that date (%(stop)s): a stopped business cannot be referred.")
                               % {"stop": _day_label(business.stopped_on)}})
    open_referral = business.referrals.filter(program=program, status__in=CreditReferral.OPEN_STATUSES).first()
    if open_referral is not None:
        raise ValidationError({"program": _("This business already has an open referral to %(program)s (%(status)s since %(day)s).")
                               % {"program": program.name, "status": open_referral.get_status_display(),
                                  "day": _day_label(open_referral.status_since)}})
    months, eligible = referral_eligibility(business, program, on=referred_on)
    if not eligible and not confirm_below_minimum:
        raise BelowMinimumMonths({"confirm_below_minimum": _(
            "This business has been running for %(months)s month(s); %(program)s asks for at least %(minimum)s. "
            "Confirm to refer it anyway."
        ) % {"months": months, "program": program.name, "minimum": program.min_months_running}})
    referral = CreditReferral.objects.create(
        business=business, program=program, status=CreditReferral.Status.REFERRED, status_since=referred_on,
        referred_on=referred_on, below_minimum_confirmed=not eligible, months_running_at_referral=months,
        note=(note or "").strip(), created_by=actor,
    )
    ReferralStep.objects.create(referral=referral, status=referral.status, on=referred_on, reason=referral.note,
                                recorded_by=actor)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=referral, **_owner_ids(business),
                 changes={"program": [None, program.name], "status": [None, referral.status],
                          "referred_on": [None, referred_on.isoformat()], "months_running": [None, months]},
                 message=_("Referred below the program's minimum months.") if not eligible else "")
    return referral


NEXT_STATUSES = {
    CreditReferral.Status.REFERRED: (CreditReferral.Status.TRAINED, CreditReferral.Status.APPROVED, CreditReferral.Status.DECLINED),
    CreditReferral.Status.TRAINED: (CreditReferral.Status.APPROVED, CreditReferral.Status.DECLINED),
    CreditReferral.Status.APPROVED: (),
    CreditReferral.Status.DECLINED: (),
}


def next_statuses(referral: CreditReferral) -> tuple:
    """The statuses a referral may move to (a program that trains first approves only after training)."""
    allowed = NEXT_STATUSES[referral.status]
    if referral.program.requires_training and referral.status != CreditReferral.Status.TRAINED:
        allowed = tuple(status for status in allowed if status != CreditReferral.Status.APPROVED)
    return allowed


@transaction.atomic
def referral_status_change(*, actor: User, referral: CreditReferral, status: str, on: date,
                           loan_amount: int | None = None, reason: str = "") -> CreditReferral:
    """Move a referral on: trained, loan approved (an amount within the program's maximum) or declined (a reason)."""
    access.require_write(actor)
    referral = CreditReferral.objects.select_for_update().select_related("program", "business").get(pk=referral.pk)
    program = referral.program
    reason = (reason or "").strip()
    if not referral.is_open:
        raise ValidationError({"status": _("This referral is closed (%(status)s on %(day)s).")
                               % {"status": referral.get_status_display(), "day": _day_label(referral.status_since)}})
    if status not in CreditReferral.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == referral.status:
        raise ValidationError({"status": _("The referral already has this status.")})
    if status not in next_statuses(referral):
        if status == CreditReferral.Status.APPROVED and program.requires_training:
            raise ValidationError({"status": _("%(program)s trains the family before the loan decision: record the training first.")
                                   % {"program": program.name}})
        raise ValidationError({"status": _("A referral cannot go back to “%(status)s”.")
                               % {"status": CreditReferral.Status(status).label}})
    if on is None:
        raise ValidationError({"on": _("Give the date.")})
    _not_in_future("on", on, timezone.localdate())
    if on < referral.status_since:
        raise ValidationError({"on": _("The date cannot be before the previous step (%(day)s).")
                               % {"day": _day_label(referral.status_since)}})
    if status == CreditReferral.Status.APPROVED:
        if not loan_amount:
            raise ValidationError({"loan_amount": _("Give the amount of the approved loan.")})
        if program.max_loan_amount is not None and loan_amount > program.max_loan_amount:
            raise ValidationError({"loan_amount": _("%(program)s lends at most %(maximum)s.")
                                   % {"program": program.name, "maximum": rupiah(program.max_loan_amount)}})
    else:
        loan_amount = None
    if status == CreditReferral.Status.DECLINED and not reason:
        raise ValidationError({"reason": _("Give the reason the referral was declined.")})
    before = _snapshot(referral, ("status", "status_since", "loan_amount", "decline_reason"))
    referral.status = status
    referral.status_since = on
    referral.loan_amount = loan_amount if status == CreditReferral.Status.APPROVED else referral.loan_amount
    referral.decline_reason = reason if status == CreditReferral.Status.DECLINED else referral.decline_reason
    changes = diff(before, _snapshot(referral, before.keys()))
    referral.save(update_fields=[*changes.keys(), "updated_at"])
    ReferralStep.objects.create(referral=referral, status=status, on=on, loan_amount=loan_amount, reason=reason,
                                recorded_by=actor)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=referral, **_owner_ids(referral.business),
                 changes=changes, message=reason)
    return referral


# --- KUBE ---------------------------------------------------------------------------------------

def _validate_kube_owner(actor: User, kelurahan: Region | None, facilitator: User | None) -> None:
    if kelurahan is None or not access.visible_kelurahan(actor).filter(pk=kelurahan.pk).exists():
        raise ValidationError({"kelurahan": _("Choose a kelurahan you work in.")})
    if actor.is_facilitator and facilitator != actor:
        raise ValidationError({"facilitator": _("A facilitator can only create a KUBE for themselves.")})
    if facilitator is not None:
        if not access.visible_facilitators(actor).filter(pk=facilitator.pk).exists():
            raise ValidationError({"facilitator": _("Choose a facilitator of your city.")})
        if not facilitator.cities.filter(code=kelurahan.code[:5]).exists():
            raise ValidationError({"facilitator": _("This facilitator does not work in the city of %(kelurahan)s.")
                                   % {"kelurahan": kelurahan.name}})


@transaction.atomic
def kube_create(*, actor: User, name: str, kelurahan: Region, facilitator: User | None, formed_on: date,
                note: str = "") -> Kube:
    """Form a KUBE in a kelurahan; members and the chairperson are added next."""
    access.require_write(actor)
    if actor.is_facilitator:
        facilitator = actor
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the KUBE a name.")})
    _validate_kube_owner(actor, kelurahan, facilitator)
    if formed_on is None:
        raise ValidationError({"formed_on": _("Give the date the KUBE was formed.")})
    _not_in_future("formed_on", formed_on, timezone.localdate())
    kube = Kube.objects.create(name=name, kelurahan=kelurahan, facilitator=facilitator, formed_on=formed_on,
                               note=(note or "").strip())
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=kube, city_code=kube.city_code,
                 changes=diff({}, _snapshot(kube, KUBE_EDITABLE)))
    return kube


@transaction.atomic
def kube_update(*, actor: User, kube: Kube, data: dict) -> Kube:
    access.require_write(actor)
    kube = Kube.objects.select_for_update().get(pk=kube.pk)
    fields = [field for field in KUBE_EDITABLE if field in data]
    if actor.is_facilitator and "facilitator" in fields:
        fields.remove("facilitator")  # only a coordinator hands a KUBE to another facilitator
    before = _snapshot(kube, fields)
    for field in fields:
        setattr(kube, field, data[field])
    kube.name = (kube.name or "").strip()
    kube.note = (kube.note or "").strip()
    if not kube.name:
        raise ValidationError({"name": _("Give the KUBE a name.")})
    if "kelurahan" in fields or "facilitator" in fields:
        _validate_kube_owner(actor, kube.kelurahan, kube.facilitator)
    current = kube.memberships.filter(left_on__isnull=True)
    if "kelurahan" in fields:
        elsewhere = current.exclude(household__kelurahan=kube.kelurahan).count()
        if elsewhere:
            raise ValidationError({"kelurahan": _("%(count)s current member(s) live outside this kelurahan.")
                                   % {"count": elsewhere}})
    if kube.chairperson_id is not None and not current.filter(household_id=kube.chairperson_id).exists():
        raise ValidationError({"chairperson": _("The chairperson must be a current member of the KUBE.")})
    if kube.formed_on is None:
        raise ValidationError({"formed_on": _("Give the date the KUBE was formed.")})
    _not_in_future("formed_on", kube.formed_on, timezone.localdate())
    changes = diff(before, _snapshot(kube, fields))
    if not changes:
        return kube
    kube.save(update_fields=[*changes.keys(), "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=kube, city_code=kube.city_code, changes=changes)
    return kube


@transaction.atomic
def kube_member_add(*, actor: User, kube: Kube, household: Household, joined_on: date,
                    make_chairperson: bool = False) -> KubeMembership:
    """A family joins a KUBE of its kelurahan (optionally as its chairperson)."""
    access.require_write(actor)
    kube = Kube.objects.select_for_update().select_related("kelurahan").get(pk=kube.pk)
    if household is None or not access.visible_households(actor).filter(pk=household.pk).exists():
        raise ValidationError({"household": _("Choose a family of your caseload.")})
    if household.kelurahan_id != kube.kelurahan_id:
        raise ValidationError({"household": _("Only families of %(kelurahan)s can join this KUBE.")
                               % {"kelurahan": kube.kelurahan.name}})
    if kube.memberships.filter(household=household, left_on__isnull=True).exists():
        raise ValidationError({"household": _("This family is already a member of the KUBE.")})
    if joined_on is None:
        raise ValidationError({"joined_on": _("Give the date the family joined.")})
    _not_in_future("joined_on", joined_on, timezone.localdate())
    if joined_on < kube.formed_on:
        raise ValidationError({"joined_on": _("The KUBE was formed only on %(day)s.") % {"day": _day_label(kube.formed_on)}})
    membership = KubeMembership.objects.create(kube=kube, household=household, joined_on=joined_on)
    changes = {"kube": [None, kube.name], "joined_on": [None, joined_on.isoformat()]}
    if make_chairperson and kube.chairperson_id != household.pk:
        changes["chairperson"] = [str(kube.chairperson) if kube.chairperson_id else None, str(household)]
        kube.chairperson = household
        kube.save(update_fields=["chairperson", "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=membership, household_id=household.pk,
                 city_code=kube.city_code, changes=changes)
    return membership


@transaction.atomic
def kube_member_leave(*, actor: User, membership: KubeMembership, left_on: date) -> KubeMembership:
    """Record that a family left a KUBE (the membership stays in the history)."""
    access.require_write(actor)
    membership = KubeMembership.objects.select_for_update().select_related("kube", "household").get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError({"left_on": _("This family already left on %(day)s.") % {"day": _day_label(membership.left_on)}})
    if left_on is None:
        raise ValidationError({"left_on": _("Give the date the family left.")})
    _not_in_future("left_on", left_on, timezone.localdate())
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": _("The family joined only on %(day)s.") % {"day": _day_label(membership.joined_on)}})
    if membership.kube.chairperson_id == membership.household_id:
        raise ValidationError({"chairperson": _("This family chairs the KUBE: choose another chairperson before it leaves.")})
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=membership, household_id=membership.household_id,
                 city_code=membership.kube.city_code, changes={"left_on": [None, left_on.isoformat()]})
    return membership
