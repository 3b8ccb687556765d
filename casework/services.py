"""Logging home visits: checked, flagged, audited; a form sent twice makes one visit."""

import math
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Household
from beneficiaries.services import household_update
from casework.models import CaseworkSettings, HomeVisit
from core.audit import audit_record
from core.models import AuditEvent
from org import access

# Phones' clocks drift: a visit "a few minutes in the future" is a clock, not a lie.
CLOCK_SKEW = timedelta(minutes=5)
EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def visit_problems(household: Household, data: dict, *, now: datetime, rules: CaseworkSettings) -> dict:
    """{field: message} for a visit that cannot be saved as given (the form shows them all at once)."""
    errors = {}
    purpose = data.get("purpose")
    # A family that left the program is only visited to see how it does after graduation.
    if household.status == Household.Status.EXITED:
        errors["household"] = _("This family left the program: visits can no longer be recorded for it.")
    elif household.status == Household.Status.GRADUATED and purpose and purpose != HomeVisit.Purpose.POST_GRADUATION:
        errors["purpose"] = _("This family has graduated: only a follow-up after graduation can be recorded.")
    elif purpose == HomeVisit.Purpose.POST_GRADUATION and household.status != Household.Status.GRADUATED:
        errors["purpose"] = _("A follow-up after graduation is only for a family that has graduated.")
    visited_at = data.get("visited_at")
    if visited_at is None:
        pass
    elif visited_at > now + CLOCK_SKEW:
        errors["visited_at"] = _("The visit cannot be in the future.")
    elif now - visited_at > timedelta(days=rules.backdate_reason_days) and not data.get("backdate_reason", "").strip():
        errors["backdate_reason"] = _("This visit is more than %(days)s days ago: say why it is entered only now.") % {
            "days": rules.backdate_reason_days}
    follow_up = data.get("next_follow_up")
    if follow_up and visited_at and follow_up < timezone.localtime(visited_at).date():
        errors["next_follow_up"] = _("The next follow-up cannot be before the visit.")
    if data.get("met") in {HomeVisit.Met.NEIGHBOUR} and not data.get("met_name", "").strip():
        errors["met_name"] = _("Name the person you met.")
    has_position = data.get("latitude") is not None and data.get("longitude") is not None
    if data.get("geo_status") == HomeVisit.Geo.OK and not has_position:
        errors["geo_status"] = _("The position is missing; try again or save without it.")
    if data.get("set_home_position"):
        if household.status in (Household.Status.GRADUATED, Household.Status.EXITED):
            errors["set_home_position"] = _("This family left the program: its home position can no longer be changed.")
        elif household.has_home_position:
            errors["set_home_position"] = _("The family's home position is already recorded.")
        elif not has_position:
            errors["set_home_position"] = _("There is no position to save as the home position.")
        elif data.get("accuracy_m") is None or data["accuracy_m"] > rules.home_position_accuracy_metres:
            errors["set_home_position"] = _(
                "The position is not accurate enough (%(accuracy)s m; at most %(limit)s m) to be the home position."
            ) % {"accuracy": round(data.get("accuracy_m") or 0), "limit": rules.home_position_accuracy_metres}
    return errors


@transaction.atomic
def visit_log(*, actor, household: Household, data: dict, submission_key: str = "") -> HomeVisit:
    """Record a visit. `data` holds the form's fields; the server adds its own time and the checks."""
    access.require_write(actor)
    if submission_key:
        earlier = HomeVisit.objects.filter(facilitator=actor, submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    rules = CaseworkSettings.current()
    household = Household.objects.select_for_update().get(pk=household.pk)
    now = timezone.now()
    errors = visit_problems(household, data, now=now, rules=rules)
    if errors:
        raise ValidationError(errors)

    has_position = data.get("latitude") is not None and data.get("longitude") is not None
    visit = HomeVisit(
        household=household,
        facilitator=actor,
        visited_at=data["visited_at"],
        received_at=now,
        purpose=data["purpose"],
        met=data["met"],
        met_name=data.get("met_name", "").strip(),
        notes=data.get("notes", "").strip(),
        outcome=data.get("outcome", "").strip(),
        next_follow_up=data.get("next_follow_up"),
        backdate_reason=data.get("backdate_reason", "").strip(),
        geo_status=HomeVisit.Geo.OK if has_position else (data.get("geo_status") or HomeVisit.Geo.NOT_SENT),
        geo_error="" if has_position else data.get("geo_error", "")[:255],
        latitude=Decimal(str(data["latitude"])).quantize(Decimal("0.000001")) if has_position else None,
        longitude=Decimal(str(data["longitude"])).quantize(Decimal("0.000001")) if has_position else None,
        accuracy_m=data.get("accuracy_m") if has_position else None,
        set_home_position=bool(data.get("set_home_position")),
        submission_key=submission_key,
    )
    if has_position and household.has_home_position:
        visit.distance_m = round(distance_m(household.home_latitude, household.home_longitude, visit.latitude, visit.longitude), 1)
    visit.flag_far = visit.distance_m is not None and visit.distance_m > rules.far_visit_metres
    visit.flag_no_geotag = not has_position
    visit.flag_late = now - visit.visited_at > timedelta(hours=rules.late_entry_hours)
    visit.full_clean(exclude=["household", "facilitator"], validate_constraints=False)
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        # The same form arrived twice at the same moment: the first one stands.
        return HomeVisit.objects.get(facilitator=actor, submission_key=submission_key)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=visit, household_id=household.pk,
                 city_code=household.city_code, changes={
                     "visited_at": [None, visit.visited_at], "purpose": [None, visit.purpose],
                     "geo_status": [None, visit.geo_status], "distance_m": [None, visit.distance_m],
                 })
    if visit.set_home_position:
        household_update(actor=actor, household=household,
                         data={"home_latitude": visit.latitude, "home_longitude": visit.longitude})
    return visit
