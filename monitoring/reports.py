"""The monthly transaction-monitoring report (*laporan bulanan monitoring transaksi*) of a regency/city:
the figures (a pure-ish computation over the registry and the bank's events), the immutable snapshot
that stores them (`MonthlyReport`, a new version at every build; `report_build`). The pages read the
snapshots through monitoring.report_selectors.

What belongs to "the month" M of a report (first day M1, last day ML; nothing dated after ML is read,
so building the same month again on the same data gives the same figures):

- **Households** are those of the city now, each in its current kelurahan, kecamatan and facilitator's
  caseload (households without a facilitator form the "not assigned" row, id null).
- **Status on a day** is read from the dated status history exactly as reconciliation reads it
  (`monitoring.reconcile`): the latest change dated on or before the day (none: not yet registered); a
  household without any recorded change has its current status if that is active or began by that day,
  and was active before. **Active households**: active on ML.
- **Bank events** in the figures are the city's rows that match a household of the registry (ID KPM and
  KKS number, `Match.MATCHED`); rows that do not match appear only as `TIDAK_DIKENAL` flags.
- **Stages of the month**: the disbursement stages (year, tahap) of the city's `SALUR` rows dated in M. A
  month without disbursement has none: nothing is credited or expected in it.
- **Households with an entitlement / total expected**: for each stage of the month, the households active on
  the stage's first day whose entitlement for it (components on that day × the stage's months ÷ 12,
  `beneficiaries.rules`) is more than 0, and the sum of those entitlements — the population that
  reconciliation checks for `TIDAK_SALUR`. A year without benefit rules expects nothing.
- **Households credited / total credited**: households with a `SALUR` dated in M, and the amount.
- **Households with a withdrawal**: households with a `TARIK` dated in M.
- **Withdrawn within N days** (N = the "money not withdrawn" threshold of the monitoring settings, 30 by
  default): the *cohort* is the households whose N-day window closed in M (their first `SALUR` dated from
  M1 − N to ML − N); of those, how many made a `TARIK` on or after that `SALUR` and at most N days after it;
  the share is the second over the first (null for an empty cohort).
- **Not yet withdrawn by age** (the stock on ML): a household whose latest `SALUR` on or before ML came
  after its latest `TARIK` (or that never withdrew) has money not withdrawn; its age is the days from the
  oldest such `SALUR` to ML, counted in the buckets of the monitoring settings (30, 60, 90 → `0-29`,
  `30-59`, `60-89`, `90+`). The households in the buckets from N days on are those flagged `DANA_MENGENDAP`.
- **Flags** come from `monitoring.reconcile.compute_flags(city, as_of=ML)`: `DANA_MENGENDAP` and
  `KKS_BUKAN_KELUARGA` as found on ML (the stock), `TARIK_MENGELOMPOK` and `TIDAK_DIKENAL` dated in M, the
  others (`NOMINAL_TIDAK_SESUAI`, `SALUR_KE_NONAKTIF`, `TIDAK_SALUR`, `SALUR_GANDA`) of the stages of the
  month. Each flag counts once in the city's totals and, when it concerns a household, in that household's
  kecamatan, kelurahan and facilitator's row (the flag's facilitator for a cluster); all are listed.

The report costs a fixed number of queries per city whatever its size (`build_content`).
"""

import hashlib
import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.components import MemberFacts
from beneficiaries.models import Household, HouseholdStatusChange, Member
from beneficiaries.rules import RuleBook
from core.audit import audit_record
from core.models import AuditEvent
from monitoring.models import BankEvent, EventKind, FlagCode, Match, MonitoringSettings, MonthlyReport
from org import access
from org.models import Region, User

KEYS = ("city", "month", "generated_at", "totals", "by_kecamatan", "by_kelurahan", "by_facilitator", "flags")
MEMBER_FIELDS = (*MemberFacts.__dataclass_fields__, "household_id")


# --- months ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Month:
    first: date  # the first day
    last: date  # the last day

    @classmethod
    def of(cls, day: date) -> "Month":
        first = day.replace(day=1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return cls(first, following - timedelta(days=1))

    @classmethod
    def parse(cls, text: str) -> "Month":
        """`2026-10` (or a date in that month, `2026-10-01`)."""
        value = str(text).strip()
        try:
            year, month = value.split("-")[:2]
            return cls.of(date(int(year), int(month), 1))
        except (ValueError, TypeError):
            raise ValidationError({"month": _("Give the month as YYYY-MM, e.g. 2026-10.")}) from None

    def previous(self) -> "Month":
        return Month.of(self.first - timedelta(days=1))

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"


# --- the figures ----------------------------------------------------------------------------------

def bucket_keys(buckets: list[int]) -> list[str]:
    """Labels of the age buckets of money not withdrawn: [30, 60, 90] → 0-29, 30-59, 60-89, 90+."""
    keys, low = [], 0
    for high in buckets:
        keys.append(f"{low}-{high - 1}")
        low = high
    keys.append(f"{low}+")
    return keys


def bucket_of(age: int, buckets: list[int]) -> int:
    """The index of the bucket an age in days falls in."""
    for index, high in enumerate(buckets):
        if age < high:
            return index
    return len(buckets)


class Figures:
    """The figures of one row (the city, a kecamatan, a kelurahan, a facilitator), added household by household."""

    __slots__ = ("active", "entitled", "credited", "total_credited", "total_expected", "withdrawn", "cohort",
                 "within", "not_withdrawn", "flags")

    def __init__(self, buckets: int):
        self.active = self.entitled = self.credited = self.total_credited = self.total_expected = 0
        self.withdrawn = self.cohort = self.within = 0
        self.not_withdrawn = [0] * (buckets + 1)
        self.flags: dict[str, int] = defaultdict(int)

    def as_json(self, bucket_names: list[str]) -> dict:
        share = round(self.within / self.cohort, 4) if self.cohort else None
        return {
            "active_households": self.active,
            "entitled_households": self.entitled,
            "credited_households": self.credited,
            "total_credited": self.total_credited,
            "total_expected": self.total_expected,
            "withdrawn_households": self.withdrawn,
            "withdrawal_cohort": self.cohort,
            "withdrawn_within_window": self.within,
            "withdrawn_within_window_share": share,
            "not_withdrawn": dict(zip(bucket_names, self.not_withdrawn)),
            "flags": {code: self.flags.get(code, 0) for code in FlagCode.values},
        }


@dataclass(frozen=True)
class HouseholdRow:
    pk: int
    id_kpm: str
    kelurahan: str
    facilitator: int | None
    status: str
    status_since: date


class StatusHistory:
    """The dated status history of a city's households (one query), read as `monitoring.reconcile` reads it:
    the status on a day is that of the latest change dated on or before it (none: not yet registered); a
    household without any recorded change has its current status if that is active or began by that day,
    and was active before."""

    def __init__(self, households):
        rows = defaultdict(list)
        for household_id, effective, recorded, pk, status in (
                HouseholdStatusChange.objects.filter(household__in=households).order_by()
                .values_list("household_id", "effective_date", "recorded_at", "id", "status")):
            rows[household_id].append((effective, recorded, pk, status))
        self.history = {}
        for household_id, changes in rows.items():
            changes.sort()
            self.history[household_id] = ([c[0] for c in changes], [c[3] for c in changes])

    def status_on(self, row: HouseholdRow, day: date) -> str | None:
        found = self.history.get(row.pk)
        if found is None:
            return row.status if row.status == Household.Status.ACTIVE or day >= row.status_since \
                else Household.Status.ACTIVE
        dates, statuses = found
        index = bisect_right(dates, day)
        return statuses[index - 1] if index else None

    def active_on(self, row: HouseholdRow, day: date) -> bool:
        return self.status_on(row, day) == Household.Status.ACTIVE


def city_households(city_code: str):
    return Household.objects.filter(kelurahan__code__startswith=f"{city_code}.")


def _entitlements(city_code: str, households: dict[int, HouseholdRow], history: StatusHistory,
                  stages: list[tuple[int, int]], rulebook: RuleBook) -> dict[int, int]:
    """For each household active on the first day of a stage of the month, its entitlement for that stage,
    summed over the stages (components on the stage's first day, as reconciliation computes them; a tahap
    the rule book does not know counts 0, and so does a year without benefit rules). One query (the members
    of the city's households), none when the month has no stage."""
    known = []
    for year, number in stages:
        stage = next((s for s in rulebook.stages_of(year) if s.number == number), None)
        if stage is not None and not rulebook.rules_for(stage.first_day).missing:
            known.append(stage)
    if not known:
        return {}
    entitled = {pk: [s for s in known if history.active_on(row, s.first_day)] for pk, row in households.items()}
    members = defaultdict(list)
    for *facts, household_id in (Member.objects.filter(household__kelurahan__code__startswith=f"{city_code}.").order_by()
                                 .values_list(*MEMBER_FIELDS).iterator(chunk_size=10_000)):
        if entitled.get(household_id):
            members[household_id].append(MemberFacts(*facts))
    return {pk: sum(rulebook.stage_entitlement(facts, stage)[0] for stage in entitled[pk])
            for pk, facts in members.items()}


MONTH_DATED = (FlagCode.TARIK_MENGELOMPOK, FlagCode.TIDAK_DIKENAL)
STOCK = (FlagCode.DANA_MENGENDAP, FlagCode.KKS_BUKAN_KELUARGA)


def flag_of_the_month(flag, month: Month, stages) -> bool:
    """Money not withdrawn and cards held outside the family: every finding on the last day; clustered
    withdrawals and rows not in the registry: those dated in the month; the other flags: those of the
    stages of the month."""
    if flag.code in STOCK:
        return True
    if flag.code in MONTH_DATED:
        return flag.occurred_on is not None and month.first <= flag.occurred_on <= month.last
    return (flag.year, flag.stage) in stages


def _flags(city_code: str, month: Month, stages: list[tuple[int, int]], rulebook: RuleBook,
           settings: MonitoringSettings) -> list:
    from monitoring.reconcile import compute_flags

    stages = set(stages)
    return [flag for flag in compute_flags(city_code, as_of=month.last, stages=None, rulebook=rulebook,
                                           settings=settings)
            if flag_of_the_month(flag, month, stages)]


def _flag_json(flag, household: HouseholdRow | None, facilitator: int | None, usernames: dict[int, str]) -> dict:
    return {
        "id_kpm": flag.id_kpm or (household.id_kpm if household else ""),
        "code": flag.code,
        "facilitator": usernames.get(facilitator, "") if facilitator else "",
        "facilitator_id": facilitator,
        "kelurahan": household.kelurahan if household else "",
        "year": flag.year,
        "stage": flag.stage,
        "occurred_on": flag.occurred_on.isoformat() if flag.occurred_on else None,
        "expected": flag.expected,
        "credited": flag.credited,
        "detail": _plain(flag.detail or {}),
    }


def _plain(value):
    """JSON-safe (dates as ISO text) and stable, so that the checksum depends on the figures only."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _flag_sort_key(flag: dict):
    return (flag["code"], flag["id_kpm"], flag["year"] or 0, flag["stage"] or 0, flag["occurred_on"] or "",
            canonical_json(flag["detail"]))


def _checkpoint(step: str) -> None:
    """Called between the steps of a build: households, events, flags, entitlements, totals, stored (a test
    makes it raise to interrupt a build midway, as a lost worker would)."""


def build_content(city_code: str, month: Month, *, settings: MonitoringSettings | None = None,
                  progress: Callable[[int, int, str], None] | None = None) -> tuple[dict, dict]:
    """The report of a city for a month (the JSON of `KEYS`, `generated_at` now) and the parameters it was
    built with. A fixed number of queries whatever the size of the city, plus those of `compute_flags`."""
    settings = settings or MonitoringSettings.current()
    buckets = settings.buckets()
    bucket_names = bucket_keys(buckets)
    window = settings.dormant_days
    steps = 5

    def step(number: int, key: str, label: str) -> None:
        _checkpoint(key)
        if progress:
            progress(number, steps, label)

    step(0, "households", _("Reading the households"))
    city = Region.objects.get(code=city_code, level=Region.Level.REGENCY)
    households_qs = city_households(city_code)
    households = {row[0]: HouseholdRow(*row) for row in households_qs.order_by().values_list(
        "pk", "id_kpm", "kelurahan_id", "facilitator_id", "status", "status_since")}
    regions = {code: (name, parent) for code, name, parent in Region.objects.filter(
        code__startswith=f"{city_code}.", level__in=(Region.Level.DISTRICT, Region.Level.VILLAGE)).values_list(
        "code", "name", "parent_id")}
    facilitators = {pk: (username, f"{first} {last}".strip()) for pk, username, first, last in User.objects.filter(
        pk__in={h.facilitator for h in households.values() if h.facilitator}).values_list(
        "pk", "username", "first_name", "last_name")}
    history = StatusHistory(households_qs.values("pk"))
    active = {pk for pk, row in households.items() if history.active_on(row, month.last)}

    step(1, "events", _("Reading the bank's events"))
    events = BankEvent.objects.filter(city_code=city_code).order_by()
    matched = events.filter(match=Match.MATCHED, household__isnull=False)
    credited: dict[int, int] = defaultdict(int)
    stages: set[tuple[int, int]] = set()
    for household_id, match, year, stage, amount in (
            events.filter(kind=EventKind.SALUR, occurred_on__range=(month.first, month.last))
            .values_list("household_id", "match", "year", "stage").annotate(amount=Sum("amount"))):
        stages.add((year, stage))
        if match == Match.MATCHED and household_id in households:
            credited[household_id] += amount
    stages = sorted(stages)
    withdrawn = set(matched.filter(kind=EventKind.TARIK, occurred_on__range=(month.first, month.last))
                    .values_list("household_id", flat=True).distinct())
    # The cohort whose window closed in the month, and their withdrawals within it.
    cohort = dict(matched.filter(kind=EventKind.SALUR, occurred_on__range=(
        month.first - timedelta(days=window), month.last - timedelta(days=window)))
        .values("household_id").annotate(first=Min("occurred_on")).values_list("household_id", "first"))
    tarik_dates: dict[int, list[date]] = defaultdict(list)
    for household_id, day in (matched.filter(kind=EventKind.TARIK, occurred_on__range=(
            month.first - timedelta(days=window), month.last)).values_list("household_id", "occurred_on").distinct()):
        tarik_dates[household_id].append(day)
    within = {pk for pk, first in cohort.items()
              if any(first <= day <= first + timedelta(days=window) for day in tarik_dates.get(pk, ()))}
    oldest_not_withdrawn = _oldest_not_withdrawn(city_code, month.last)

    step(2, "flags", _("Reconciling (flags)"))
    rulebook = RuleBook()
    flag_rows = _flags(city_code, month, stages, rulebook, settings)

    step(3, "entitlements", _("Computing the entitlements"))
    expected = _entitlements(city_code, households, history, stages, rulebook)

    step(4, "totals", _("Adding up"))
    totals = Figures(len(buckets))
    by_kecamatan: dict[str, Figures] = {}
    by_kelurahan: dict[str, Figures] = {}
    by_facilitator: dict[int | None, Figures] = {}

    def kecamatan_of(kelurahan: str) -> str:
        return regions.get(kelurahan, ("", ""))[1] or kelurahan[:8]

    for pk, row in households.items():
        rows = (totals, by_kecamatan.setdefault(kecamatan_of(row.kelurahan), Figures(len(buckets))),
                by_kelurahan.setdefault(row.kelurahan, Figures(len(buckets))),
                by_facilitator.setdefault(row.facilitator, Figures(len(buckets))))
        amount = expected.get(pk, 0)
        oldest = oldest_not_withdrawn.get(pk)
        bucket = bucket_of((month.last - oldest).days, buckets) if oldest else None
        for figures in rows:
            figures.active += pk in active
            if amount > 0:
                figures.entitled += 1
                figures.total_expected += amount
            if pk in credited:
                figures.credited += 1
                figures.total_credited += credited[pk]
            if pk in withdrawn:
                figures.withdrawn += 1
            if pk in cohort:
                figures.cohort += 1
                figures.within += pk in within
            if bucket is not None:
                figures.not_withdrawn[bucket] += 1
    usernames = {pk: username for pk, (username, _name) in facilitators.items()}
    flags = []
    for flag in flag_rows:
        household = households.get(flag.household_id) if flag.household_id else None
        targets = [totals]
        if household is not None:
            targets += [by_kecamatan[kecamatan_of(household.kelurahan)], by_kelurahan[household.kelurahan]]
        facilitator = flag.facilitator_id or (household.facilitator if household else None)
        if facilitator and facilitator not in facilitators:  # reconciliation names the household's: never here
            facilitators[facilitator] = ("", "")
        if facilitator or household is not None:  # a row of no household is the city's only
            targets.append(by_facilitator.setdefault(facilitator, Figures(len(buckets))))
        for figures in targets:
            figures.flags[flag.code] += 1
        flags.append(_flag_json(flag, household, facilitator, usernames))
    flags.sort(key=_flag_sort_key)

    def area(code: str) -> dict:
        return {"code": code, "name": regions.get(code, ("", None))[0]}

    content = {
        "city": city_code,
        "month": month.key,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "totals": {"code": city_code, "name": city.name, **totals.as_json(bucket_names)},
        "by_kecamatan": [{**area(code), **figures.as_json(bucket_names)}
                         for code, figures in sorted(by_kecamatan.items())],
        "by_kelurahan": [{**area(code), "kecamatan": kecamatan_of(code),
                          **figures.as_json(bucket_names)} for code, figures in sorted(by_kelurahan.items())],
        "by_facilitator": [
            {"id": pk, "username": facilitators[pk][0] if pk else "", "name": facilitators[pk][1] if pk else "",
             **figures.as_json(bucket_names)}
            for pk, figures in sorted(by_facilitator.items(), key=lambda item: (
                item[0] is None, (facilitators[item[0]][1] or facilitators[item[0]][0]).lower() if item[0] else "",
                item[0] or 0))],
        "flags": flags,
    }
    params = {
        "city": city_code,
        "month": month.key,
        "as_of": month.last.isoformat(),
        "stages": [{"year": year, "stage": stage} for year, stage in stages],
        "withdrawal_window_days": window,
        "age_buckets": buckets,
    }
    return content, params


def _oldest_not_withdrawn(city_code: str, last: date) -> dict[int, date]:
    """Per household of the city with money not withdrawn on `last`: the date of the oldest `SALUR` after
    its latest `TARIK` (both on or before `last`). One query: a grouped join, portable SQL."""
    table = connection.ops.quote_name(BankEvent._meta.db_table)
    sql = f"""
        SELECT s.household_id, MIN(s.occurred_on)
        FROM {table} s
        LEFT JOIN (
            SELECT household_id, MAX(occurred_on) AS last_tarik FROM {table}
            WHERE city_code = %s AND kind = %s AND match = %s AND household_id IS NOT NULL AND occurred_on <= %s
            GROUP BY household_id
        ) t ON t.household_id = s.household_id
        WHERE s.city_code = %s AND s.kind = %s AND s.match = %s AND s.household_id IS NOT NULL
          AND s.occurred_on <= %s AND (t.last_tarik IS NULL OR s.occurred_on > t.last_tarik)
        GROUP BY s.household_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [city_code, EventKind.TARIK, Match.MATCHED, last,
                             city_code, EventKind.SALUR, Match.MATCHED, last])
        rows = cursor.fetchall()
    return {pk: day if isinstance(day, date) else date.fromisoformat(str(day)) for pk, day in rows}


# --- the snapshot ---------------------------------------------------------------------------------

def canonical_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_checksum(content: dict) -> str:
    """SHA-256 of the canonical JSON of the figures: everything but `generated_at`."""
    figures = {key: value for key, value in content.items() if key != "generated_at"}
    return hashlib.sha256(canonical_json(figures).encode("utf-8")).hexdigest()


def row_counts(content: dict) -> dict:
    return {
        "by_kecamatan": len(content["by_kecamatan"]),
        "by_kelurahan": len(content["by_kelurahan"]),
        "by_facilitator": len(content["by_facilitator"]),
        "flags": len(content["flags"]),
        "households": sum(row["active_households"] for row in content["by_kelurahan"]),
    }


def report_build(*, actor, city_code: str, month: Month, job=None, trigger: str = "", run: str = "",
                 progress: Callable[[int, int, str], None] | None = None) -> MonthlyReport:
    """Build and store the next version of a city's report for a month, in one transaction (an interrupted
    build leaves nothing). `actor` None is the system (the monthly schedule, the shell); a person must be a
    coordinator or administrator of the city. `run` identifies one run of the monthly schedule: a run
    delivered again after its worker was lost finds the city already built and builds it no second time."""
    if actor is not None:
        access.require_caseload_management(actor)
        if not access.visible_cities(actor).filter(code=city_code).exists():
            raise PermissionDenied
    with transaction.atomic():
        # Builds of one city wait for each other, so that two never take the same version number (and for a
        # flag refresh of the city); FOR NO KEY UPDATE leaves rows that merely reference the city unblocked.
        city = Region.objects.select_for_update(no_key=True).filter(code=city_code, level=Region.Level.REGENCY).first()
        if city is None:
            raise ValidationError({"city": _("Unknown regency/city %(code)s.") % {"code": city_code}})
        if run:
            done = MonthlyReport.objects.filter(city=city, month=month.first, params__run=run).first()
            if done is not None:
                return done
        content, params = build_content(city_code, month, progress=progress)
        params.update({"trigger": trigger, "run": run})
        version = (MonthlyReport.objects.filter(city=city, month=month.first).aggregate(v=Max("version"))["v"] or 0) + 1
        report = MonthlyReport(
            city=city, month=month.first, version=version, params=params, row_counts=row_counts(content),
            checksum=content_checksum(content), content=content,
            generated_at=datetime.fromisoformat(content["generated_at"]),
            generated_by=actor if getattr(actor, "pk", None) else None, job=job,
        )
        report.save()
        _checkpoint("stored")
        audit_record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=report, city_code=city_code,
            changes={"month": month.key, "version": version, "checksum": report.checksum, **report.row_counts},
            message=f"Monthly transaction-monitoring report {city_code} {month.key} version {version}",
        )
    return report


def cities_with_households() -> list[str]:
    """The regency/city codes that have households."""
    return sorted(Household.objects.order_by().annotate(city=Substr("kelurahan_id", 1, 5))
                  .values_list("city", flat=True).distinct())
