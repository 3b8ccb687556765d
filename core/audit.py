"""Writing the audit trail. Every service that changes data calls one of these."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from core import request_context
from core.models import AuditEvent


def _plain(value):
    """A JSON-safe, human-readable form of a field value."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def diff(before: Mapping, after: Mapping) -> dict:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        field: [_plain(before.get(field)), _plain(after.get(field))]
        for field in after
        if _plain(before.get(field)) != _plain(after.get(field))
    }


def build_event(
    *, actor, action: str, obj=None, object_type: str = "", object_id="", object_repr: str = "",
    household_id: int | None = None, city_code: str = "", changes: Mapping | None = None, message: str = "",
) -> AuditEvent:
    info = request_context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    return AuditEvent(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=str(object_repr)[:200],
        household_id=household_id,
        city_code=city_code,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        message=message,
        request_id=info.request_id if info else "",
        ip_address=info.ip_address if info else None,
    )


def audit_record(**kwargs) -> AuditEvent:
    event = build_event(**kwargs)
    event.save()
    return event


def audit_record_many(events: Iterable[AuditEvent], batch_size: int = 2000) -> None:
    AuditEvent.objects.bulk_create(list(events), batch_size=batch_size)


# Relations followed to find the family (or the city) a record belongs to, in this order.
OWNER_PATHS = ("household", "member", "business", "case", "meeting", "referral", "kube", "group")


def audit_owner(obj, _depth: int = 0) -> dict:
    """`household_id` and `city_code` of any record, for its audit event: a household's own; else those of the
    household, member, business, case, meeting, KUBE or group it hangs off; else the city of its kelurahan.
    (Used where a generic writer, such as the Django admin, does not know the record's kind.)"""
    nothing = {"household_id": None, "city_code": ""}
    if obj is None or _depth > 3:
        return nothing
    if obj._meta.label_lower == "beneficiaries.household":
        return {"household_id": obj.pk, "city_code": (obj.kelurahan_id or "")[:5]}
    for name in OWNER_PATHS:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_one and getattr(obj, field.attname, None):
            owner = audit_owner(getattr(obj, name), _depth + 1)
            if owner["household_id"] or owner["city_code"]:
                return owner
    return {"household_id": None, "city_code": (getattr(obj, "kelurahan_id", None) or "")[:5]}
