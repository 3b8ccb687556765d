"""The change history: who changed or looked at what, filtered, for coordinators, auditors and administrators.

Reads the append-only audit trail (core.models.AuditEvent) through org.access.visible_audit_events only.
The table grows by millions of rows, so the list never counts them: pages are cut by a cursor on
(time, id) — "older" / "newer" — which the indexes on `at`, `household_id`, `city_code` and
(object_type, object_id) serve whatever the filters.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import Assignment
from core.models import AuditEvent
from core.templatetags.pkh import mask_id
from org import access

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 100_000
# Identity numbers stay masked here as on the household page, where showing them in full is itself audited.
IDENTITY_FIELDS = frozenset({"nik", "no_kk", "kks_number", "old_no_kk", "new_no_kk"})
PROJECT_APPS = ("org", "beneficiaries", "casework", "p2k2", "mediation", "livelihood", "compliance", "graduation",
                "monitoring", "oversight", "core")


def require_history_access(user) -> None:
    """Coordinators, auditors and administrators read the history; everyone else is refused (403)."""
    if not access.can_view_city(user):
        raise PermissionDenied


# --- filters ------------------------------------------------------------------------------------

def object_type_choices() -> list[tuple[str, str]]:
    """The kinds of records of the project, by their name (the history filter's choices)."""
    choices = [(model._meta.label_lower, str(model._meta.verbose_name).capitalize())
               for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]
    return sorted(choices, key=lambda choice: choice[1].lower())


class HistoryFilterForm(forms.Form):
    """The filters of the history page and its export. `household` and `user` come from links (hidden)."""

    kota = forms.ChoiceField(label=gettext_lazy("City"), required=False)
    facilitator = forms.ChoiceField(label=gettext_lazy("Facilitator (their actions and their families)"),
                                    required=False)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    object_type = forms.ChoiceField(label=gettext_lazy("Kind of record"), required=False)
    household = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    user = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data=None, *, user, cities, facilitators):
        super().__init__(data)
        # "from" is a Python keyword: the date fields are added by name.
        self.fields["from"] = forms.DateField(label=gettext_lazy("From"), required=False,
                                              widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["to"] = forms.DateField(label=gettext_lazy("To"), required=False,
                                            widget=forms.DateInput(attrs={"type": "date"}))
        everything = ("", _("All"))
        self.fields["kota"].choices = [everything] + [(city.code, city.name) for city in cities]
        self.fields["facilitator"].choices = [everything] + [
            (str(f.pk), f"{f.get_full_name() or f.username} ({f.username})") for f in facilitators]
        self.fields["action"].choices = [everything] + list(AuditEvent.Action.choices)
        self.fields["object_type"].choices = [everything] + object_type_choices()

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", _("The end date is before the start date."))
        return data


@dataclass
class Filters:
    """What the history shows, resolved and checked against the user's scope."""

    city: object = None  # Region
    household_id: int | None = None
    household: object = None  # the Household when it still exists and the user sees it
    household_label: str = ""
    facilitator: object = None  # User
    actor_id: int | None = None
    actor_label: str = ""
    action: str = ""
    object_type: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_details(self) -> dict:
        """The filters as plain values (written to the audit trail with an export)."""
        details = {
            "kota": self.city.code if self.city else "", "household": self.household_id,
            "facilitator": self.facilitator.username if self.facilitator else "", "user": self.actor_label,
            "action": self.action, "object_type": self.object_type,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in details.items() if value}

    def query(self) -> dict:
        """The filters as query-string values (links to the export and between pages)."""
        values = {
            "kota": self.city.code if self.city else "", "household": self.household_id or "",
            "facilitator": self.facilitator.pk if self.facilitator else "", "user": self.actor_id or "",
            "action": self.action, "object_type": self.object_type,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in values.items() if value}


def _one_of(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _id_or_404(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if number < 1:
        raise Http404
    return number


def resolve_filters(user, cleaned: dict) -> Filters:
    """Check each filter against the user's scope: a city, household or facilitator the user does not see
    answers 404 (as if it did not exist)."""
    filters = Filters(action=cleaned.get("action") or "", object_type=cleaned.get("object_type") or "",
                      date_from=cleaned.get("from"), date_to=cleaned.get("to"))
    if cleaned.get("kota"):
        filters.city = access.get_city_or_404(user, cleaned["kota"])
    if cleaned.get("facilitator"):
        filters.facilitator = _one_of(access.visible_facilitators(user), cleaned["facilitator"])
    events = access.visible_audit_events(user)
    if cleaned.get("household"):
        pk = _id_or_404(cleaned["household"])
        filters.household_id = pk
        filters.household = access.visible_households(user).filter(pk=pk).select_related("kelurahan").first()
        if filters.household is not None:
            filters.household_label = filters.household.id_kpm
        else:
            # A household deleted since: its history stays readable where its events are in scope.
            # Out of scope or never existing both answer 404.
            last = (events.filter(household_id=pk, object_type="beneficiaries.household")
                    .values_list("object_repr", flat=True).first()
                    or events.filter(household_id=pk).values_list("household_id", flat=True).first())
            if last is None:
                raise Http404
            filters.household_label = last if isinstance(last, str) and last else f"#{pk}"
    if cleaned.get("user"):
        filters.actor_id = _id_or_404(cleaned["user"])
        name = events.filter(actor_id=filters.actor_id).values_list("actor_username", flat=True).first()
        if name is None:
            raise Http404
        filters.actor_label = name
    return filters


def history_events(user, filters: Filters) -> QuerySet:
    """The events the user may read that match the filters, newest first."""
    events = access.visible_audit_events(user)
    if filters.city is not None:
        events = events.filter(city_code=filters.city.code)
    if filters.household_id:
        events = events.filter(household_id=filters.household_id)
    if filters.facilitator is not None:
        # Their families: every household ever assigned to them (the events of a family they have since
        # handed over stay part of their record), read through org.access like every household row.
        families = access.scoped(user, Assignment.objects.filter(facilitator=filters.facilitator)).values("household_id")
        events = events.filter(Q(actor_id=filters.facilitator.pk) | Q(household_id__in=families))
    if filters.actor_id:
        events = events.filter(actor_id=filters.actor_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    zone = timezone.get_current_timezone()
    if filters.date_from:
        events = events.filter(at__gte=datetime.combine(filters.date_from, time.min, tzinfo=zone))
    if filters.date_to:
        events = events.filter(at__lt=datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=zone))
    return events.order_by("-at", "-id")


def heading(filters: Filters) -> str:
    """What the page shows, in words."""
    if filters.household_id:
        title = _("History of household %(id_kpm)s") % {"id_kpm": filters.household_label}
    elif filters.facilitator is not None:
        title = _("History of facilitator %(name)s") % {
            "name": filters.facilitator.get_full_name() or filters.facilitator.username}
    elif filters.actor_id:
        title = _("History of the actions of %(username)s") % {"username": filters.actor_label}
    elif filters.city is not None:
        title = _("History of %(city)s") % {"city": filters.city.name}
    else:
        title = _("Change history")
    if filters.city is not None and (filters.household_id or filters.facilitator or filters.actor_id):
        title = _("%(title)s in %(city)s") % {"title": title, "city": filters.city.name}
    return title


# --- pages: a cursor on (time, id), no COUNT(*) -----------------------------------------------------

def encode_cursor(event: AuditEvent) -> str:
    return f"{int(event.at.timestamp() * 1_000_000)}_{event.pk}"


def decode_cursor(text: str) -> tuple[datetime, int] | None:
    try:
        micros, pk = (int(part) for part in (text or "").split("_", 1))
        return datetime.fromtimestamp(micros / 1_000_000, tz=dt_timezone.utc), pk
    except (ValueError, OverflowError, OSError):
        return None


@dataclass
class Page:
    events: list
    older: str = ""  # cursor of the next (older) page, "" when this is the last
    newer: str = ""  # cursor of the previous (newer) page, "" when this is the first
    first: bool = True


def history_page(events: QuerySet, *, before: str = "", after: str = "", size: int = PAGE_SIZE) -> Page:
    """One page of events: the newest, those older than `before`, or those newer than `after`.
    One query of size + 1 rows, whatever the number of events."""
    older_than, newer_than = decode_cursor(before), decode_cursor(after)
    if newer_than is not None:
        at, pk = newer_than
        rows = list(events.filter(Q(at__gt=at) | Q(at=at, pk__gt=pk)).order_by("at", "id")[:size + 1])
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return Page(events=rows, older=encode_cursor(rows[-1]) if rows else before,
                    newer=encode_cursor(rows[0]) if rows and more_newer else "", first=not more_newer)
    if older_than is not None:
        at, pk = older_than
        events = events.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
    rows = list(events[:size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return Page(events=rows, older=encode_cursor(rows[-1]) if rows and more_older else "",
                newer=encode_cursor(rows[0]) if rows and older_than is not None else "", first=older_than is None)


# --- rows as a reader sees them ---------------------------------------------------------------------

def _model(object_type: str):
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _show(value, model_field, name: str = "") -> str:
    if value is None or value == "":
        return "—"
    if name in IDENTITY_FIELDS:
        return mask_id(str(value))
    if model_field is not None and getattr(model_field, "choices", None):
        labels = {str(key): label for key, label in model_field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


@dataclass
class Change:
    label: str
    before: str
    after: str
    paired: bool  # before → after (a change), or a single value (an import's or export's figures)


def changes_of(event: AuditEvent) -> list[Change]:
    """The event's changes as "field: before → after", with the field's name where the model has it."""
    model = _model(event.object_type)
    rows = []
    for name, value in (event.changes or {}).items():
        model_field = _field(model, name)
        label = str(model_field.verbose_name) if model_field is not None else name.replace("_", " ")
        if isinstance(value, list) and len(value) == 2:
            rows.append(Change(label, _show(value[0], model_field, name), _show(value[1], model_field, name), True))
        else:
            rows.append(Change(label, "", _show(value, model_field, name), False))
    return rows


def _link_targets() -> dict:
    """object type → (URL name, the selector of the rows a user may open)."""
    from casework.selectors import visible_visits
    from compliance.selectors import visible_proposals as visible_suspensions
    from graduation.assessments import visible_assessments
    from graduation.proposals import visible_proposals
    from livelihood.selectors import visible_businesses, visible_kube
    from mediation.selectors import visible_cases
    from p2k2.selectors import visible_groups, visible_meetings

    return {
        "beneficiaries.household": ("household_detail", access.visible_households),
        "casework.homevisit": ("visit_detail", visible_visits),
        "p2k2.group": ("p2k2_group_detail", visible_groups),
        "p2k2.meeting": ("p2k2_meeting_detail", visible_meetings),
        "mediation.case": ("case_detail", visible_cases),
        "livelihood.business": ("livelihood_business_detail", visible_businesses),
        "livelihood.kube": ("livelihood_kube_detail", visible_kube),
        "graduation.assessment": ("graduation_assessment_detail", visible_assessments),
        "graduation.proposal": ("graduation_proposal_detail", visible_proposals),
        "compliance.suspensionproposal": ("proposal_detail", visible_suspensions),
        "core.job": ("job_detail", access.visible_jobs),
    }


@dataclass
class Row:
    event: AuditEvent
    changes: list = field(default_factory=list)
    object_url: str = ""
    household_url: str = ""
    household_label: str = ""


def rows_for(user, events: list[AuditEvent]) -> list[Row]:
    """The page's rows with links to the records that still exist and that the user may open: one query
    per kind of record on the page (at most a dozen), none per row."""
    targets = _link_targets()
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_type in targets and event.object_id.isdigit():
            wanted.setdefault(event.object_type, set()).add(int(event.object_id))
    household_ids = {event.household_id for event in events if event.household_id}
    households = dict(access.visible_households(user).filter(pk__in=household_ids).values_list("pk", "id_kpm")) \
        if household_ids else {}
    openable: dict[str, set[int]] = {}
    for object_type, ids in wanted.items():
        if object_type == "beneficiaries.household":
            openable[object_type] = set(households) & ids
            continue
        _name, selector = targets[object_type]
        openable[object_type] = set(selector(user).filter(pk__in=ids).values_list("pk", flat=True))
    rows = []
    for event in events:
        row = Row(event=event, changes=changes_of(event))
        if event.object_id.isdigit() and int(event.object_id) in openable.get(event.object_type, ()):
            row.object_url = reverse(targets[event.object_type][0], args=[int(event.object_id)])
        if event.household_id in households:
            row.household_url = reverse("household_detail", args=[event.household_id])
            row.household_label = households[event.household_id]
        elif event.household_id:
            row.household_label = f"#{event.household_id}"
        rows.append(row)
    return rows


def changes_text(event: AuditEvent) -> str:
    """The changes on one line each, for the export."""
    lines = []
    for change in changes_of(event):
        lines.append(f"{change.label}: {change.before} → {change.after}" if change.paired
                     else f"{change.label}: {change.after}")
    return "\n".join(lines)
