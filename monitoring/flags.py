"""Reconciliation flags for people: who sees which (org.access), what a flag says in words, the household
panel's bank events, the day page's "flags waiting for you", and opening a mediation case from a flag.

A flag is recomputed after every import (its id changes), so the case opened from it is recognised by a
stable reference: `case_ref(flag)` = "<code>:<year>-<stage>" ("<code>" for a flag without a stage), with
source "monitoring", per household (mediation.services.case_open merges on household, source and ref).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Case as CaseWhen
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beneficiaries.models import Bank, Household
from core.templatetags.pkh import rupiah
from mediation.models import Case, Category, KKSReason
from monitoring.models import BankEvent, EventKind, Flag, FlagCode, Match
from org import access

CASE_SOURCE = "monitoring"
DAY_LIST_LIMIT = 10
PANEL_EVENT_LIMIT = 60
PANEL_STAGES = 4

# The mediation category (and KKS problem) of the case opened from a flag.
CASE_CATEGORY = {
    FlagCode.NOMINAL_TIDAK_SESUAI: (Category.KOMPONEN, ""),
    FlagCode.SALUR_KE_NONAKTIF: (Category.LAINNYA, ""),
    FlagCode.TIDAK_SALUR: (Category.SALDO_NOL, ""),
    FlagCode.SALUR_GANDA: (Category.LAINNYA, ""),
    FlagCode.DANA_MENGENDAP: (Category.KKS, KKSReason.UNKNOWN),
    FlagCode.TARIK_MENGELOMPOK: (Category.KKS, KKSReason.HELD_BY_OTHER),
    FlagCode.KKS_BUKAN_KELUARGA: (Category.KKS, KKSReason.HELD_BY_OTHER),
    FlagCode.TIDAK_DIKENAL: (Category.KKS, KKSReason.UNKNOWN),
}


# --- reading ------------------------------------------------------------------------------------

def visible_flags(user) -> QuerySet:
    """Flags of the households a user sees; flags of rows matching no household only for the city's roles."""
    return access.scoped_by_household_or_city(user, Flag.objects.all())


def visible_events(user) -> QuerySet:
    return access.scoped_by_household_or_city(user, BankEvent.objects.all())


def case_ref(flag) -> str:
    """The stable reference of the case opened from a flag (see the module docstring)."""
    return flag.code if flag.year is None else f"{flag.code}:{flag.year}-{flag.stage}"


def _case_ref_expression():
    """`case_ref` in SQL, to tell in the query which flags already have an open case."""
    return CaseWhen(
        When(year__isnull=True, then=F("code")),
        default=Concat(F("code"), Value(":"), Cast("year", CharField()), Value("-"), Cast("stage", CharField())),
        output_field=CharField(),
    )


def with_open_case(user, flags: QuerySet) -> QuerySet:
    """Annotate `has_case`: an open case of the flag's household was opened from it (and the user sees it)."""
    from mediation.selectors import visible_cases

    cases = visible_cases(user).filter(household=OuterRef("household"), source=CASE_SOURCE,
                                       source_ref=OuterRef("case_ref"), status__in=Case.OPEN_STATUSES)
    return flags.annotate(case_ref=_case_ref_expression()).annotate(has_case=Exists(cases))


@dataclass
class FlagFilters:
    code: str = ""
    stage: str = ""  # "2026-2", or "none" for registry findings without a stage
    kelurahan: str = ""
    facilitator: str = ""  # a facilitator's id, or "none" for families without one
    household: int | None = None
    waiting: bool = False  # only flags without an open case


def parse_stage(value: str) -> tuple[int, int] | None:
    try:
        year, number = (int(part) for part in value.split("-"))
    except (AttributeError, ValueError):
        return None
    return year, number


def flag_list(user, filters: FlagFilters, *, by_code: bool = True) -> QuerySet:
    """The flags a user sees, filtered, latest stage first. `by_code=False` ignores the code filter (the counts
    per code shown above the list)."""
    flags = with_open_case(user, visible_flags(user))
    if by_code and filters.code:
        flags = flags.filter(code=filters.code)
    if filters.stage == "none":
        flags = flags.filter(year__isnull=True)
    elif parse_stage(filters.stage):
        year, number = parse_stage(filters.stage)
        flags = flags.filter(year=year, stage=number)
    if filters.kelurahan:
        flags = flags.filter(household__kelurahan_id=filters.kelurahan)
    if filters.facilitator == "none":
        flags = flags.filter(household__isnull=False, household__facilitator__isnull=True)
    elif filters.facilitator:
        flags = flags.filter(household__facilitator_id=filters.facilitator)
    if filters.household:
        flags = flags.filter(household_id=filters.household)
    if filters.waiting:
        flags = flags.filter(household__isnull=False, has_case=False)
    return (flags.select_related("household__kelurahan", "household__facilitator")
            .order_by(F("year").desc(nulls_first=True), F("stage").desc(nulls_first=True), "code", "id_kpm", "id"))


def code_counts(user, filters: FlagFilters) -> dict[str, int]:
    """How many flags of each code match the other filters (one query)."""
    rows = flag_list(user, filters, by_code=False).order_by().values("code").annotate(n=Count("pk"))
    counts = dict.fromkeys(FlagCode.values, 0)
    counts.update({row["code"]: row["n"] for row in rows})
    return counts


def stage_choices(user) -> list[tuple[str, str]]:
    """The stages of the flags a user sees, latest first (one query)."""
    stages = (visible_flags(user).filter(year__isnull=False).order_by("-year", "-stage")
              .values_list("year", "stage").distinct())
    return [(f"{year}-{number}", stage_label(year, number)) for year, number in stages]


def stage_label(year, number) -> str:
    if year is None:
        return _("Registry finding")
    return _("%(year)s stage %(stage)s") % {"year": year, "stage": number}


@dataclass
class FlagView:
    """A flag ready for a page: its label, its detail in words, and its case."""

    flag: Flag
    label: str
    sentences: list
    stage: str
    case: Case | None  # the open case opened from this flag
    can_open_case: bool
    related_cases: list  # other open cases of the family in the same category (e.g. a KKS case opened by hand)


def flag_views(user, flags) -> list[FlagView]:
    """A page of flags with their sentences and the case opened from each (one query for the cases)."""
    from mediation.selectors import open_cases_for

    flags = list(flags)
    household_ids = {f.household_id for f in flags if f.household_id}
    cases = open_cases_for(user, household_ids) if household_ids else {}
    writer = access.can_write(user)
    views = []
    for flag in flags:
        ref, category = case_ref(flag), CASE_CATEGORY[flag.code][0]
        open_cases = cases.get(flag.household_id, [])
        case = next((c for c in open_cases if c.source == CASE_SOURCE and c.source_ref == ref), None)
        related = [c for c in open_cases if c is not case and c.category == category] if case is None else []
        views.append(FlagView(flag=flag, label=FlagCode(flag.code).label, sentences=flag_sentences(flag.code, flag.detail),
                              stage=stage_label(flag.year, flag.stage), case=case,
                              can_open_case=writer and case is None and flag.household_id is not None,
                              related_cases=related))
    return views


def flag_for_page(user, pk, *, for_write: bool = False) -> Flag:
    flags = visible_flags(user).select_related("household__kelurahan", "household__facilitator", "facilitator")
    return access.get_scoped_or_404(user, flags, pk, for_write=for_write)


def flag_events(user, flag: Flag) -> list[BankEvent]:
    """The bank rows behind a flag: the household's rows of that stage, or the flag's own row."""
    events = visible_events(user)
    if flag.household_id and flag.year is not None:
        events = events.filter(Q(household_id=flag.household_id, year=flag.year, stage=flag.stage) | Q(pk=flag.event_id))
    elif flag.event_id:
        events = events.filter(pk=flag.event_id)
    else:
        return []
    return list(events.order_by("occurred_on", "occurred_time", "id"))


# --- the flag in words ----------------------------------------------------------------------------

def _day(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return date_format(value, "j M Y")  # as the pages show dates


def _moment(value: str) -> str:
    moment = datetime.fromisoformat(value)
    return f"{date_format(moment.date(), 'j M Y')} {moment:%H:%M}"


def _components_text(components) -> str:
    return ", ".join(
        _("%(component)s (%(member)s) %(amount)s a year") % {
            "component": _component_label(c["code"]), "member": c.get("member") or "?", "amount": rupiah(c["amount"])}
        for c in components
    ) or _("none")


def _component_label(code: str) -> str:
    from beneficiaries.models import Component

    return str(Component(code).label) if code in Component.values else code


def _status_label(status: str) -> str:
    if status in Household.Status.values:
        return str(Household.Status(status).label).lower()
    return _("not yet registered")


def _bank_label(bank: str) -> str:
    return str(Bank(bank).label) if bank in Bank.values else bank


def _kind_label(kind: str) -> str:
    return str(EventKind(kind).label) if kind in EventKind.values else kind


def bucket_label(bucket: int, buckets: list) -> str:
    """"30–59 days", "90 days or more", "under 30 days"."""
    buckets = sorted(buckets or [])
    if not bucket:
        return _("under %(days)s days") % {"days": buckets[0] if buckets else 30}
    later = [b for b in buckets if b > bucket]
    if later:
        return _("%(low)s–%(high)s days") % {"low": bucket, "high": later[0] - 1}
    return _("%(days)s days or more") % {"days": bucket}


def _expected_sentences(detail: dict) -> list[str]:
    text = [_("Expected from the components on %(day)s: %(components)s; %(annual)s a year × %(months)s months ÷ 12.")
            % {"day": _day(detail.get("stage_first_day")), "components": _components_text(detail.get("components", [])),
               "annual": rupiah(detail.get("annual", 0)), "months": detail.get("months", 3)}]
    if detail.get("dropped_by_cap"):
        text.append(_("Not counted (at most 4 components): %(components)s.")
                    % {"components": _components_text(detail["dropped_by_cap"])})
    return text


def flag_sentences(code: str, detail: dict) -> list[str]:
    """What a flag means for this family, in the user's language (codes stay on the page next to it)."""
    d = detail or {}
    if code == FlagCode.NOMINAL_TIDAK_SESUAI:
        difference = d.get("difference", 0)
        return [(_("Credited %(credited)s, expected %(expected)s: %(difference)s too much.") if difference > 0 else
                 _("Credited %(credited)s, expected %(expected)s: %(difference)s short.")) % {
            "credited": rupiah(d.get("credited")), "expected": rupiah(d.get("expected")),
            "difference": rupiah(abs(difference))}] + _expected_sentences(d)
    if code == FlagCode.SALUR_KE_NONAKTIF:
        since = d.get("status_since")
        return [(_("%(amount)s credited on %(day)s while the family was %(status)s (since %(since)s).") if since else
                 _("%(amount)s credited on %(day)s while the family was %(status)s.")) % {
            "amount": rupiah(d.get("amount")), "day": _day(d.get("date")), "status": _status_label(d.get("status", "")),
            "since": _day(since)}]
    if code == FlagCode.TIDAK_SALUR:
        return [ngettext(
            "Nothing credited in this stage, although %(bank)s credited %(count)s family of the city; expected %(expected)s.",
            "Nothing credited in this stage, although %(bank)s credited %(count)s families of the city; expected %(expected)s.",
            d.get("credits_of_bank", 0)) % {"bank": _bank_label(d.get("bank", "")), "count": d.get("credits_of_bank", 0),
                                             "expected": rupiah(d.get("expected"))}] + _expected_sentences(d)
    if code == FlagCode.SALUR_GANDA:
        text = []
        if d.get("salur"):
            text.append(_("Credited %(count)s times in this stage: %(credits)s.") % {
                "count": len(d["salur"]),
                "credits": ", ".join(f"{rupiah(s['amount'])} ({_day(s['date'])})" for s in d["salur"])})
        if d.get("others"):
            text.append(_("The KKS card %(card)s was also credited in this stage for ID KPM %(others)s.") % {
                "card": d.get("kks", ""), "others": ", ".join(d["others"])})
        return text
    if code == FlagCode.DANA_MENGENDAP:
        return [_("%(amount)s credited on %(day)s to the card %(card)s has not been withdrawn: %(age)s days "
                  "(%(bucket)s).") % {"amount": rupiah(d.get("amount")), "day": _day(d.get("date")),
                                      "card": d.get("kks", ""), "age": d.get("age_days", 0),
                                      "bucket": bucket_label(d.get("bucket", 0), d.get("buckets", []))}]
    if code == FlagCode.TARIK_MENGELOMPOK:
        others = d.get("others", [])
        return [
            _("Withdrawn at %(place)s on %(moment)s.") % {
                "place": d.get("location", ""), "moment": _moment(f"{d['date']}T{d.get('time', '00:00')}")
                if d.get("date") else ""},
            ngettext(
                "%(count)s family of the same facilitator withdrew at the same place between %(start)s and %(end)s "
                "(at most %(minutes)s minutes apart): ID KPM %(others)s. Check who holds their cards.",
                "%(count)s families of the same facilitator withdrew at the same place between %(start)s and %(end)s "
                "(at most %(minutes)s minutes apart): ID KPM %(others)s. Check who holds their cards.",
                d.get("households", 0)) % {
                "count": d.get("households", 0), "start": _moment(d["start"]) if d.get("start") else "",
                "end": _moment(d["end"]) if d.get("end") else "", "minutes": d.get("window_minutes", ""),
                "others": ", ".join(others)},
        ]
    if code == FlagCode.KKS_BUKAN_KELUARGA:
        holder = d.get("holder", "")
        label = str(Household.KKSHolder(holder).label) if holder in Household.KKSHolder.values else holder
        label = label[:1].lower() + label[1:]  # inside a sentence: "held by the facilitator"
        who = f"{label} ({d['holder_name']})" if d.get("holder_name") else label
        text = [(_("The registry says the KKS card is held by %(who)s since %(since)s.") if d.get("since") else
                 _("The registry says the KKS card is held by %(who)s.")) % {"who": who, "since": _day(d.get("since"))}]
        if d.get("note"):
            text.append(d["note"])
        return text
    if code == FlagCode.TIDAK_DIKENAL:
        row = _("%(bank)s row %(ref)s: %(kind)s of %(amount)s on %(day)s") % {
            "bank": d.get("bank", ""), "ref": d.get("ref", ""), "kind": _kind_label(d.get("kind", "")).lower(),
            "amount": rupiah(d.get("amount")), "day": _day(d.get("date"))}
        if d.get("match") == Match.KKS_MISMATCH:
            return [_("%(row)s, to the KKS card %(card)s, which is not the family's card (%(registry)s).") % {
                "row": row, "card": d.get("kks", ""), "registry": d.get("registry_kks") or _("none recorded")}]
        return [_("%(row)s, for an ID KPM that is not in the registry (card %(card)s). Check it with the bank.") % {
            "row": row, "card": d.get("kks", "")}]
    return []


# --- the household panel and the day --------------------------------------------------------------

@dataclass
class StageEvents:
    year: int
    stage: int
    label: str
    credits: list
    withdrawals: list
    flags: list  # FlagView


def household_monitoring(user, household) -> dict:
    """The household's bank rows of its latest stages and its flags (3 queries, plus the user's cities)."""
    events = list(visible_events(user).filter(household=household)
                  .order_by("-year", "-stage", "occurred_on", "occurred_time", "id")[:PANEL_EVENT_LIMIT])
    flags = flag_views(user, visible_flags(user).filter(household=household)
                       .order_by(F("year").desc(nulls_first=True), F("stage").desc(nulls_first=True), "code", "id"))
    stages: dict[tuple, StageEvents] = {}
    for event in events:
        key = (event.year, event.stage)
        if key not in stages:
            if len(stages) == PANEL_STAGES:
                break
            stages[key] = StageEvents(event.year, event.stage, stage_label(*key), [], [], [])
        (stages[key].credits if event.kind == EventKind.SALUR else stages[key].withdrawals).append(event)
    registry_flags, older_flags = [], []
    for view in flags:
        key = (view.flag.year, view.flag.stage)
        if view.flag.year is None:
            registry_flags.append(view)
        elif key in stages:
            stages[key].flags.append(view)
        else:
            older_flags.append(view)
    return {"stages": list(stages.values()), "registry_flags": registry_flags, "older_flags": older_flags,
            "flag_count": len(flags)}


def day_flags(user, *, limit: int = DAY_LIST_LIMIT) -> dict:
    """Flags of the user's families without an open case yet: counts per code and the latest few (2 queries
    plus the open cases of those few)."""
    waiting = flag_list(user, FlagFilters(waiting=True))
    counts = {row["code"]: row["n"] for row in waiting.order_by().values("code").annotate(n=Count("pk"))}
    items = flag_views(user, waiting[:limit]) if counts else []
    total = sum(counts.values())
    return {"counts": [(code, FlagCode(code).label, counts[code]) for code in FlagCode.values if counts.get(code)],
            "items": items, "total": total, "more": max(total - len(items), 0)}


# --- opening a case -------------------------------------------------------------------------------

def case_title(flag: Flag) -> str:
    label = FlagCode(flag.code).label
    if flag.year is None:
        return str(label)
    return _("%(flag)s (%(stage)s)") % {"flag": label, "stage": stage_label(flag.year, flag.stage)}


def flag_case_open(*, actor, flag: Flag) -> tuple[Case, bool]:
    """Open the mediation case of a flag for its family, or return the one already open for it.
    Returns (case, created). Audited by mediation.services.case_open."""
    from mediation.selectors import open_cases_for
    from mediation.services import case_open

    access.require_write(actor)
    if flag.household_id is None:
        raise ValidationError({"household": _("This bank row matches no family in the registry, so no case can be "
                                              "opened for it. Check the ID KPM with the bank.")})
    ref = case_ref(flag)
    existing = next((c for c in open_cases_for(actor, [flag.household_id]).get(flag.household_id, [])
                     if c.source == CASE_SOURCE and c.source_ref == ref), None)
    if existing is not None:
        return existing, False
    category, kks_reason = CASE_CATEGORY[flag.code]
    description = "\n".join([
        _("Opened from the transaction-monitoring flag %(code)s (%(stage)s).") % {
            "code": flag.code, "stage": stage_label(flag.year, flag.stage)},
        *flag_sentences(flag.code, flag.detail),
    ])
    case = case_open(actor=actor, household=flag.household, category=category, title=case_title(flag),
                     description=description, source=CASE_SOURCE, source_ref=ref, kks_reason=kks_reason)
    return case, True
