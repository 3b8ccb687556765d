"""Moving households between facilitators, shared by the assignment service and the registry import."""

from datetime import date

from django.db.models import F
from django.utils import timezone

from beneficiaries.models import Assignment, Household
from core.audit import build_event
from core.models import AuditEvent


def move_households(households, *, facilitator, actor, on: date, reason: str, events: list) -> int:
    """Close the open assignments of these households and open one for `facilitator` (None: unassign).

    Appends one audit event per household to `events` (the caller writes them) and returns how
    many households changed hands; households already with that facilitator are left alone.
    """
    target = facilitator.pk if facilitator is not None else None
    moving = [h for h in households if h.facilitator_id != target]
    if not moving:
        return 0
    ids = [h.pk for h in moving]
    Assignment.objects.filter(household_id__in=ids, end_date__isnull=True).update(end_date=on)
    if facilitator is not None:
        Assignment.objects.bulk_create(
            [Assignment(household_id=pk, facilitator=facilitator, start_date=on, reason=reason, assigned_by=actor) for pk in ids],
            batch_size=1000,
        )
    Household.objects.filter(pk__in=ids).update(facilitator=facilitator, version=F("version") + 1, updated_at=timezone.now())
    for household in moving:
        before = household.facilitator.username if household.facilitator_id else None
        events.append(build_event(
            actor=actor, action=AuditEvent.Action.ASSIGN, obj=household, household_id=household.pk,
            city_code=household.kelurahan_id[:5],
            changes={"facilitator": [before, facilitator.username if facilitator else None]}, message=reason,
        ))
        household.facilitator = facilitator
    return len(moving)
