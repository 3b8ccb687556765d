"""The monthly facilitator activity table: every FacilitatorMonth field of a city-month, computed from the
records with set-based queries grouped by facilitator (a fixed number of queries, whatever the number of
facilitators or records), and stored in place of that city-month's rows.

Every count uses the querysets of oversight.figures, so a figure's count is the number of rows its
drill-down lists. The fields that are not counts:
- work_hours: {"visits": [[n] * 24] * 7, "sessions": [[n] * 24] * 7}, visits (local time) and held P2K2
  meetings (start time) by ISO weekday (row 0 = Monday … 6 = Sunday) and hour (0–23);
- last_activity_on: the latest day up to `as_of` with a visit, a held P2K2 meeting or a case step (a
  mediation CaseEvent by the facilitator), in any month; days_since_activity = `as_of` − that day (None
  when there was never any);
- idle_days: working days (Monday–Friday) of the month up to `as_of` without any of those activities;
- sessions_expected: one P2K2 meeting a month per group of the facilitator in the city that is open during
  the month and has at least one member during it (P2K2 meets monthly: see p2k2.models; P2K2Settings holds
  no frequency, the catalogue sessions are taken one a month);
- median_days_to_resolve: the median of (finished − opened) in days of the cases resolved or closed in the
  period;
- activity_class: see `classify`.
"""

import statistics
from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.selectors import current_norm
from casework.models import HomeVisit
from graduation.models import Proposal
from mediation.models import CaseEvent
from org.models import User
from oversight import figures
from oversight.models import ActivityClass, ActivitySettings, FacilitatorMonth
from p2k2.models import Group, GroupMembership, Meeting


def classify(row: FacilitatorMonth, settings: ActivitySettings, *, days_counted: int, days_in_month: int,
             activities: int) -> str:
    """The activity class of a month (the thresholds of ActivitySettings, prorated for a partial month by
    days counted ÷ days in the month):
    - inactive: no activity for at least `inactive_idle_days` days up to `as_of` (or never any), or at most
      `inactive_max_activities` × share visits + sessions held + case steps in the month;
    - active: not inactive, at least `active_min_visits` × share visits, and at least
      `active_min_visited_share_90` % of the caseload visited in the last 90 days (an empty caseload passes);
    - low: the rest."""
    share = days_counted / days_in_month
    idle = row.days_since_activity is None or row.days_since_activity >= settings.inactive_idle_days
    if idle or activities <= settings.inactive_max_activities * share:
        return ActivityClass.INACTIVE
    visited_share = row.visited_90d_share
    if (row.visits >= settings.active_min_visits * share
            and (visited_share is None or visited_share * 100 >= settings.active_min_visited_share_90)):
        return ActivityClass.ACTIVE
    return ActivityClass.LOW


def _grid() -> list[list[int]]:
    return [[0] * 24 for _ in range(7)]


def _counts(queryset, conditions: dict[str, Q], owners=None) -> dict[int, dict[str, int]]:
    """{owner: {name: count}} in one grouped query."""
    if owners is not None:
        queryset = queryset.filter(owner__in=owners)
    rows = queryset.order_by().values("owner").annotate(
        **{name: Count("pk", filter=condition) if condition else Count("pk") for name, condition in conditions.items()})
    return {row.pop("owner"): row for row in rows if row["owner"] is not None}


def compute_city_month(city_code: str, month: date, *, as_of: date | None = None,
                       facilitator_ids=None) -> list[FacilitatorMonth]:
    """The unsaved rows of a city-month for the city's facilitators (and any other facilitator with records
    attributed to them in the city), or only `facilitator_ids`. A fixed number of queries."""
    p = figures.period(city_code, month, as_of=as_of)
    settings = p.settings
    norm = current_norm(p.as_of).maximum
    only = list(facilitator_ids) if facilitator_ids is not None else None

    ids = set(User.objects.filter(role=User.Role.FACILITATOR, cities__code=city_code).values_list("pk", flat=True))
    if only is not None:
        ids = set(only)

    caseload = _counts(figures.caseload(p), figures.caseload_conditions(p), only)

    visit_conditions = figures.visit_conditions(p)
    visits = figures.visits(p)
    if only is not None:
        visits = visits.filter(owner__in=only)
    visit_rows = {row.pop("owner"): row for row in visits.order_by().values("owner").annotate(
        households=Count("household", distinct=True),
        **{name: Count("pk", filter=condition) if condition else Count("pk")
           for name, condition in visit_conditions.items()})}
    shared = figures.shared_coordinate_visits(p)
    if only is not None:
        shared = shared.filter(owner__in=only)
    shared_rows = {row["owner"]: row for row in shared.order_by().values("owner").annotate(
        n=Count("pk"), households=Count("household", distinct=True))}

    work = defaultdict(lambda: {"visits": _grid(), "sessions": _grid()})
    active_days = defaultdict(set)
    activities = defaultdict(int)
    for owner, day, hour, n in (visits.annotate(day=TruncDate("visited_at")).order_by()
                                .values_list("owner", "day", "hour").annotate(n=Count("pk"))):
        work[owner]["visits"][day.isoweekday() - 1][hour] += n
        active_days[owner].add(day)
        activities[owner] += n

    sessions = figures.sessions(p)
    if only is not None:
        sessions = sessions.filter(owner__in=only)
    session_rows = defaultdict(lambda: {"held": 0, "off_hours": 0, "present": 0, "recorded": 0})
    for owner, day, hour, n, present, recorded in (
            sessions.order_by().values_list("owner", "date", "hour").annotate(
                n=Count("pk", distinct=True),
                present=Count("attendance", filter=Q(attendance__status="present")),
                recorded=Count("attendance"))):
        row = session_rows[owner]
        row["held"] += n
        row["present"] += present
        row["recorded"] += recorded
        if figures.is_off_hours(settings, day.isoweekday(), hour):
            row["off_hours"] += n
        work[owner]["sessions"][day.isoweekday() - 1][hour] += n
        active_days[owner].add(day)
        activities[owner] += n

    steps = CaseEvent.objects.filter(case__household__kelurahan__code__startswith=p.village_prefix,
                                     at__gte=p.start, at__lt=p.end, actor__isnull=False)
    if only is not None:
        steps = steps.filter(actor_id__in=only)
    for actor, day, n in (steps.annotate(day=TruncDate("at")).order_by().values_list("actor_id", "day")
                          .annotate(n=Count("pk"))):
        active_days[actor].add(day)
        activities[actor] += n

    case_conditions = figures.case_conditions(p)
    cases = figures.cases(p).filter(case_conditions["cases_opened"] | case_conditions["cases_resolved"]
                                    | case_conditions["cases_overdue"])
    case_counts = _counts(cases, case_conditions, only)
    durations = defaultdict(list)
    for owner, opened, finished in (cases.filter(case_conditions["cases_resolved"]).order_by()
                                    .values_list("owner", "opened_at", "finished_at")):
        if owner is not None and (only is None or owner in only):
            durations[owner].append((finished - opened).total_seconds() / 86400)

    proposal_conditions = figures.proposal_conditions(p)
    kinds = {}
    for name, condition in proposal_conditions.items():
        for kind in Proposal.GRADUATIONS:
            kinds[f"{name}_{kind}"] = condition & Q(kind=kind)
    proposal_counts = _counts(figures.proposals(p).filter(
        proposal_conditions["proposals"] | proposal_conditions["approvals"]), kinds, only)

    flag_counts = _counts(figures.flags(p), {"flags": None, "with_case": Q(has_case=True)}, only)

    # The latest activity up to as_of, in any month (three grouped reads, limited to the facilitators counted).
    everyone = ids | set(caseload) | set(visit_rows) | set(session_rows) | set(case_counts) | set(proposal_counts) \
        | set(flag_counts)
    if only is not None:
        everyone &= set(only)
    # Only facilitator accounts get a row (a coordinator may have proposed or stepped through a case).
    everyone = sorted(User.objects.filter(pk__in=everyone, role=User.Role.FACILITATOR).values_list("pk", flat=True))
    last = defaultdict(lambda: None)

    def later(owner, day):
        if day is not None and (last[owner] is None or day > last[owner]):
            last[owner] = day

    for owner, at in (HomeVisit.objects.filter(facilitator_id__in=everyone, visited_at__lt=p.end).order_by()
                      .values("facilitator_id").annotate(last=Max("visited_at")).values_list("facilitator_id", "last")):
        later(owner, timezone.localtime(at).date())
    for owner, day in (Meeting.objects.filter(group__facilitator_id__in=everyone, status=Meeting.Status.HELD,
                                              date__lte=p.as_of).order_by().values("group__facilitator_id")
                       .annotate(last=Max("date")).values_list("group__facilitator_id", "last")):
        later(owner, day)
    for owner, at in (CaseEvent.objects.filter(actor_id__in=everyone, at__lt=p.end).order_by().values("actor_id")
                      .annotate(last=Max("at")).values_list("actor_id", "last")):
        later(owner, timezone.localtime(at).date())

    members = GroupMembership.objects.filter(group=OuterRef("pk"), joined_on__lte=p.as_of).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=p.month))
    expected = dict(Group.objects.filter(facilitator_id__in=everyone, kelurahan__code__startswith=p.village_prefix,
                                         formed_on__lte=p.as_of)
                    .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=p.month)).filter(Exists(members))
                    .order_by().values("facilitator_id").annotate(n=Count("pk")).values_list("facilitator_id", "n"))

    workdays = [p.month + timedelta(days=i) for i in range(p.days_counted)]
    workdays = [day for day in workdays if day.isoweekday() <= 5]
    now = timezone.now()
    rows = []
    for owner in everyone:
        c = caseload.get(owner, {})
        v = visit_rows.get(owner, {})
        s = session_rows.get(owner) or {"held": 0, "off_hours": 0, "present": 0, "recorded": 0}
        k = case_counts.get(owner, {})
        g = proposal_counts.get(owner, {})
        f = flag_counts.get(owner, {})
        size = c.get("caseload", 0)
        row = FacilitatorMonth(
            facilitator_id=owner, city_id=city_code, month=p.month, as_of=p.as_of, computed_at=now,
            caseload=size, norm_maximum=norm,
            households_visited=v.get("households", 0), visits=v.get("visits", 0),
            visited_30d=size - c.get("not_visited_30d", 0), visited_90d=size - c.get("not_visited_90d", 0),
            never_visited=c.get("never_visited", 0),
            visits_geotagged=v.get("visits", 0) - v.get("visits_no_geotag", 0),
            visits_far=v.get("visits_far", 0), visits_late=v.get("visits_late", 0),
            repeated_coordinate_visits=shared_rows.get(owner, {}).get("n", 0),
            repeated_coordinate_households=shared_rows.get(owner, {}).get("households", 0),
            visits_off_hours=v.get("visits_off_hours", 0), sessions_off_hours=s["off_hours"],
            work_hours=work[owner] if owner in work else {"visits": _grid(), "sessions": _grid()},
            last_activity_on=last[owner],
            days_since_activity=(p.as_of - last[owner]).days if last[owner] else None,
            idle_days=sum(1 for day in workdays if day not in active_days[owner]),
            sessions_expected=expected.get(owner, 0), sessions_held=s["held"],
            attendance_present=s["present"], attendance_recorded=s["recorded"],
            cases_opened=k.get("cases_opened", 0), cases_resolved=k.get("cases_resolved", 0),
            cases_overdue=k.get("cases_overdue", 0),
            median_days_to_resolve=round(statistics.median(durations[owner]), 1) if durations[owner] else None,
            proposed_alamiah=g.get("proposals_alamiah", 0), proposed_mandiri=g.get("proposals_mandiri", 0),
            approved_alamiah=g.get("approvals_alamiah", 0), approved_mandiri=g.get("approvals_mandiri", 0),
            flags=f.get("flags", 0), flags_with_case=f.get("with_case", 0), kks_outside=c.get("kks_outside", 0),
        )
        row.activity_class = classify(row, settings, days_counted=p.days_counted, days_in_month=p.days_in_month,
                                      activities=activities[owner])
        rows.append(row)
    return rows


def store_city_month(city_code: str, month: date, *, as_of: date | None = None, job=None, progress=None) -> int:
    """Compute a city-month and replace its stored rows (one transaction). Returns the number of rows.
    `progress(done, total, stage)` (core.jobs.Progress) hears of the two steps."""
    month = month.replace(day=1)
    if progress:
        progress(0, 2, _("Counting the records"))
    rows = compute_city_month(city_code, month, as_of=as_of)
    for row in rows:
        row.job = job
    if progress:
        progress(1, 2, _("Storing the table"))
    with transaction.atomic():
        FacilitatorMonth.objects.filter(city_id=city_code, month=month).delete()
        FacilitatorMonth.objects.bulk_create(rows, batch_size=500)
    if progress:
        progress(2, 2, _("Stored"))
    return len(rows)

