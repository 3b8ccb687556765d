"""The scoping sweep: every URL pattern of the pages and the API, every role, objects out of scope.

Unlike the URL × role matrix (tests/test_url_matrix.py), which needs a row per URL, the sweep finds its own
way: for each URL pattern it asks the resolver for the pattern's arguments, learns which model each argument
names by requesting the URL once as the administrator with a value that exists nowhere and reading which
table the view looked the value up in, then fills the arguments with one object of that model hanging off a
household each persona may not see (another facilitator's, another city's). A new URL is swept without any
edit here; a new model needs one line in `_build_graph` (the test says which).

It fails when
- an out-of-scope object answers 2xx, or answers differently from an object that does not exist (a 403 or a
  redirect where a missing object gets 404 confirms the family exists);
- a request changes the database (a content fingerprint of every table but the audit log and sessions)
  when it came from an auditor, or touched an out-of-scope object;
- a list page shows a family the persona may not see (its ID KPM in the page).
Requests are GET and POST for pages, and also PUT, PATCH and DELETE for the API; POSTs send the fields of
the form the administrator is shown on the same URL, so a view that validated before checking the role would
write.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.test_url_matrix import SCOPE

SENTINEL = 1987654321  # an id no table of the test world reaches
API_WRITE_METHODS = ("post", "put", "patch", "delete")
# Rows a read may write: the audit log (revealing a NIK is audited) and sessions (signing in).
NOT_FINGERPRINTED = {"core_auditevent", "django_session", "core_loginattempt"}
# A user's own credentials are theirs to manage whatever their role (an auditor's token reads like the auditor).
OWN_ROWS = {"api_apitoken": "user_id"}
WORLD_TARGETS = ("household", "other_household", "household_b")  # every household with a facilitator


# --- the URL patterns --------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple  # the pattern's argument names, in order
    is_api: bool


def _routes() -> dict[str, Route]:
    """Every named URL pattern outside the Django admin; per name the variant with the fewest arguments
    (DRF's `.json` format suffixes and optional path parts add variants)."""
    found: dict[str, Route] = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # the Django admin has its own permission checks
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                names = tuple(name for name in pattern.pattern.regex.groupindex if name != "format")
                if "format" in pattern.pattern.regex.groupindex:
                    continue
                route = Route(pattern.name, names, (prefix + str(pattern.pattern)).lstrip("^").startswith("api/"))
                if pattern.name not in found or len(names) < len(found[pattern.name].kwargs):
                    found[pattern.name] = route

    walk(get_resolver().url_patterns)
    return found


ROUTES = _routes()


# --- the objects of a household ------------------------------------------------------------------

def _build_graph(world, household) -> dict:
    """One object of every scoped model hanging off `household` (or, for area-owned rows, off its facilitator
    and kelurahan): {model label: object}. Each is in scope exactly when the household is."""
    from api.tokens import token_create
    from beneficiaries.models import FamilyCardChange, HouseholdStatusChange, KKSCustody
    from casework.models import HomeVisit
    from compliance.models import CommitmentRecord, Facility, FacilityLink, HouseholdResult, SuspensionProposal
    from core.models import Job
    from graduation.models import Assessment, Proposal, ScreeningResult
    from livelihood.models import (Business, CreditProgram, CreditReferral, Kube, KubeMembership, MonthlyEntry,
                                   ReferralStep)
    from mediation.models import Case, CaseEvent, Referral
    from monitoring.models import BankEvent, Flag
    from oversight.models import FacilitatorMonth
    from p2k2.models import Attendance, Group, GroupMembership, Meeting, Module, ModuleSession
    from tests.matrix.monitoring_reports import _report

    facilitator, village, today = household.facilitator, household.kelurahan, timezone.localdate()
    city = village.parent.parent
    member = household.members.order_by("pk").first()
    objects = [household, member, facilitator]
    objects.append(HouseholdStatusChange.objects.create(household=household, status="active", effective_date=today,
                                                        changed_by=facilitator))
    objects.append(household.assignments.first())
    objects.append(KKSCustody.objects.create(household=household, holder="pengurus", since=today))
    objects.append(FamilyCardChange.objects.create(household=household, old_no_kk=household.no_kk,
                                                   new_no_kk=household.no_kk[:-1] + "9"))
    visit = HomeVisit.objects.create(household=household, facilitator=facilitator, purpose="data", met="pengurus",
                                     visited_at=timezone.now() - timedelta(hours=2))
    objects.append(visit)
    # P2K2
    session = ModuleSession.objects.order_by("pk").first() or ModuleSession.objects.create(
        module=Module.objects.create(number=99, title="Modul uji"), number=1, title="Sesi uji")
    group = Group.objects.create(name=f"Kelompok {household.id_kpm}", facilitator=facilitator, kelurahan=village,
                                 formed_on=today - timedelta(days=30), leader=household)
    membership = GroupMembership.objects.create(group=group, household=household, joined_on=today - timedelta(days=30))
    meeting = Meeting.objects.create(group=group, module_session=session, date=today, start_time=time(9, 0),
                                     place="Balai RW 01")
    objects += [group, membership, meeting, Attendance.objects.create(meeting=meeting, household=household)]
    # mediation
    case = Case.objects.create(household=household, member=member, category="SALDO_NOL", title="Saldo nol",
                               due_date=today + timedelta(days=14), opened_by=facilitator)
    referral = Referral.objects.create(case=case, kind="bank", partner_name="BRI", referred_on=today,
                                       created_by=facilitator)
    objects += [case, referral, CaseEvent.objects.create(case=case, referral=referral, kind="note", actor=facilitator)]
    # livelihood
    kube = Kube.objects.create(name=f"KUBE {household.id_kpm}", kelurahan=village, facilitator=facilitator,
                               chairperson=household, formed_on=date(2023, 6, 1))
    kube_membership = KubeMembership.objects.create(kube=kube, household=household, joined_on=date(2023, 6, 1))
    business = Business.objects.create(household=household, kind="warung", name="Warung", started_on=date(2024, 1, 15))
    entry = MonthlyEntry.objects.create(business=business, month=date(2024, 3, 1), revenue=1_000_000, expenses=400_000)
    program, _ = CreditProgram.objects.get_or_create(name="Jakpreneur", defaults={"min_months_running": 6})
    credit = CreditReferral.objects.create(business=business, program=program, status="referred",
                                           status_since=date(2024, 9, 1), referred_on=date(2024, 9, 1),
                                           months_running_at_referral=7)
    step = ReferralStep.objects.create(referral=credit, status="referred", on=date(2024, 9, 1))
    objects += [kube, kube_membership, business, entry, credit, step]
    # compliance
    facility = Facility.objects.create(name=f"SDN {household.id_kpm}", kind="school", kelurahan=village)
    objects += [facility,
                FacilityLink.objects.create(member=member, facility=facility, commitment="education"),
                CommitmentRecord.objects.create(member=member, facility=facility, period=20262, commitment="education"),
                HouseholdResult.objects.create(household=household, period=20262, status="compliant"),
                SuspensionProposal.objects.create(household=household, first_period=20262, last_period=20263)]
    # graduation
    assessment = Assessment.objects.create(
        household=household, number=1, assessed_on=date(2026, 3, 1), assessor=facilitator, household_size=4,
        income_work=3_000_000, work_stability="daily", floor="wood", walls="brick", roof="zinc", toilet="own",
        water="piped", jkn="all")
    proposal = Proposal.objects.create(
        household=household, kind=Proposal.Kind.MANDIRI, effective_date=date(2026, 10, 1), notes="Usaha berjalan.",
        classification="BELUM", rules_version=1, justification="Keluarga ingin mandiri.", proposed_by=facilitator)
    proposal.statement_file.save("pernyataan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    proposal.save(update_fields=["statement_file"])
    objects += [assessment, proposal, ScreeningResult.objects.create(household=household, as_of=today,
                                                                     classification="BELUM", rules_version=1)]
    # transaction monitoring
    event = BankEvent.objects.create(household=household, bank="BRI", ref=f"R{household.pk}", id_kpm=household.id_kpm,
                                     kks_number=household.kks_number, year=2026, stage=2, kind="SALUR",
                                     occurred_on=date(2026, 5, 4), amount=600_000, match="matched")
    objects += [event, Flag.objects.create(code="TIDAK_SALUR", household=household, event=event,
                                           id_kpm=household.id_kpm, city_code=city.code, facilitator=facilitator,
                                           year=2026, stage=2, expected=600_000, credited=0, detail={}),
                _report(world, household)]
    # oversight, jobs, API tokens (a facilitator's own)
    objects.append(FacilitatorMonth.objects.create(facilitator=facilitator, city=city, month=date(2026, 5, 1),
                                                   as_of=today, activity_class="active"))
    job = Job.objects.create(kind="household_import", created_by=facilitator, city_code=city.code)
    job.report_file.save("laporan.csv", ContentFile(b"x"))
    objects.append(job)
    objects.append(token_create(actor=facilitator, user=facilitator, name="sweep")[0])
    return {obj._meta.label: obj for obj in objects}


# --- learning which model a URL argument names ------------------------------------------------------

TABLES = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}


def _looked_up(queries, value) -> tuple | None:
    """(model, attribute) of the first lookup of `value` in the captured SQL."""
    pattern = re.compile(rf'"(\w+)"\."(\w+)"\s*(?:=|IN\s*\()\s*\'?{value}\b')
    for query in queries:
        match = pattern.search(query["sql"])
        if match and match.group(1) in TABLES:
            model = TABLES[match.group(1)]
            column = next(f for f in model._meta.fields if f.column == match.group(2))
            if column.is_relation and not column.primary_key:
                return column.related_model, column.target_field.attname
            return model, column.attname
    return None


def _fill(route, mapping, graph, sentinels=None):
    kwargs = {}
    for position, name in enumerate(route.kwargs):
        if name in mapping:
            model, attribute = mapping[name]
            obj = graph.get(model._meta.label)
            assert obj is not None, f"{route.name}: add a {model._meta.label} to _build_graph of tests/test_scope_sweep.py"
            kwargs[name] = getattr(obj, attribute)
        else:
            kwargs[name] = (sentinels or {}).get(name, SENTINEL + position)
    return reverse(route.name, kwargs=kwargs)


def _learn_arguments(client, admin, route, graph) -> dict:
    """{argument: (model, attribute)}, learned one argument at a time as the administrator (who sees every
    object), the others filled with objects already learned; requests are rolled back."""
    mapping: dict = {}
    for _ in route.kwargs:
        sentinels = {name: SENTINEL + position for position, name in enumerate(route.kwargs)}
        learned_this_round = False
        for method in ("get", "post"):
            client.force_login(admin)
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                _request(client, method, _fill(route, mapping, graph, sentinels), route, payload={})
                transaction.set_rollback(True)
            for name, value in sentinels.items():
                if name not in mapping and (found := _looked_up(queries.captured_queries, value)):
                    mapping[name] = found
                    learned_this_round = True
                    break
            if learned_this_round:
                break
        if not learned_this_round:
            break
    return mapping


# --- requests -----------------------------------------------------------------------------------

class _Forms(HTMLParser):
    """The POST forms of a page: [(action, fields)] with what a browser would send unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list = []
        self._fields = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._fields = {}
            self.forms.append((attrs.get("action") or "", self._fields))
        if self._fields is None:
            return
        fields, name = self._fields, attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs or (kind == "radio" and name not in fields):
                    fields[name] = attrs.get("value", "on")
            else:
                fields[name] = attrs.get("value") or {"date": timezone.localdate().isoformat(), "number": "1",
                                                      "time": "09:00"}.get(kind, "x")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if attrs.get("value") and (self._select not in fields or "selected" in attrs):
                fields[self._select] = attrs["value"]
        elif tag == "textarea" and name:
            fields[name] = "x"

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._fields = None


GENERIC_FORM = {"reason": "x", "notes": "x", "text": "x", "status": "closed"}


def _payload(client, admin, route, url) -> dict:
    """What a writer would send: for the API the object the administrator gets on the URL; for a page the form
    that posts to the URL, found on the URL's own page or, for a POST-only URL, on the page above it (a case's
    note form is on the case's page)."""
    client.force_login(admin)
    path = url
    for _ in range(3):
        with transaction.atomic():
            response = client.get(path, HTTP_ACCEPT="application/json" if route.is_api else "text/html")
            transaction.set_rollback(True)
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and "json" in content_type:
            data = response.json()
            return data if isinstance(data, dict) else {}
        if response.status_code == 200 and "html" in content_type:
            parser = _Forms()
            parser.feed(response.content.decode(errors="replace"))
            matching = [fields for action, fields in parser.forms if action in {url, ""} and path == url
                        or action == url]
            if matching:
                matching[0].pop("csrfmiddlewaretoken", None)
                return matching[0]
        if route.is_api or path.rstrip("/").count("/") <= 1:
            break
        path = path.rstrip("/").rsplit("/", 1)[0] + "/"
    return GENERIC_FORM


def _request(client, method, url, route, *, payload):
    if route.is_api:
        body = json.dumps(payload) if method != "get" else None
        return getattr(client, method)(url, body, content_type="application/json", HTTP_ACCEPT="application/json") \
            if body is not None else client.get(url, HTTP_ACCEPT="application/json")
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, payload)


def _fingerprint(user_id: int = 0) -> tuple:
    """The content of every table but the audit log, sessions and the acting user's own credentials (PostgreSQL:
    an md5 per table; elsewhere row counts and the largest id and update time)."""
    tables = sorted(t for t in TABLES if t not in NOT_FINGERPRINTED)

    def where(table):
        return f" WHERE {OWN_ROWS[table]} <> {int(user_id)}" if table in OWN_ROWS else ""

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(" UNION ALL ".join(
                f"SELECT '{t}', md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x{where(t)}"
                for t in tables))
        else:
            parts = []
            for t in tables:
                model = TABLES[t]
                updated = "max(updated_at)" if any(f.column == "updated_at" for f in model._meta.fields) else "0"
                parts.append(f"SELECT '{t}', count(*), max(\"{model._meta.pk.column}\"), {updated} FROM \"{t}\""
                             f"{where(t)}")
            cursor.execute(" UNION ALL ".join(parts))
        # Sorted by table: a UNION ALL has no order, and with statistics PostgreSQL may run it as a Parallel
        # Append, whose rows come in any order (compared row by row, every table would seem to have changed).
        return tuple(sorted(cursor.fetchall()))


def _changed(before, after) -> list[str]:
    return [row[0] for row, other in zip(before, after, strict=True) if row != other]


class Sweep:
    """Requests as the personas, each with its own signed-in client, and the database fingerprint around each
    write (kept between consecutive writes: nothing else runs in between)."""

    def __init__(self, world, route):
        self.world, self.route = world, route
        self.clients = {persona: Client() for persona in SCOPE}
        for persona, client in self.clients.items():
            client.force_login(world.personas()[persona])
        self.last = None  # (user id, fingerprint) after the last request, when known

    def send(self, persona, method, url, payload, *, check=True):
        client, user_id = self.clients[persona], self.world.personas()[persona].pk
        if self.last is not None and self.last[0] != user_id:
            self.last = None
        before = (self.last and self.last[1] or _fingerprint(user_id)) if check and method != "get" else None
        response = _request(client, method, url, self.route, payload=payload)
        after = _fingerprint(user_id) if before is not None else None
        self.last = (user_id, after) if after is not None else None
        changed = _changed(before, after) if before is not None else []
        cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
        if cookie is not None and not cookie.value:  # signed out (the logout URL): sign in again
            client.force_login(self.world.personas()[persona])
            self.last = None
        return response, changed


def _methods(route):
    return ("get", *API_WRITE_METHODS) if route.is_api else ("get", "post")


def _leaks(response, households) -> list[str]:
    if response.status_code != 200 or response.streaming or "text" not in response.get("Content-Type", "") and \
            "json" not in response.get("Content-Type", ""):
        return []
    content = response.content.decode(errors="replace")
    return [h.id_kpm for h in households if h.id_kpm in content]


# --- the test -----------------------------------------------------------------------------------

@pytest.fixture
def graphs(world):
    for model in apps.get_models():  # settings rows made on first use (casework, P2K2, ...): made now
        if callable(getattr(model, "current", None)):
            model.current()
    return {target: _build_graph(world, getattr(world, target)) for target in WORLD_TARGETS}


def _out_of_scope(persona):
    return [target for target in WORLD_TARGETS if target not in SCOPE[persona]]


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_no_role_reaches_beyond_its_scope(world, graphs, client, name, settings):
    settings.LOGIN_LOCKOUT_FAILURES = 10_000  # the login URL is swept too
    route = ROUTES[name]
    mapping = _learn_arguments(client, world.admin, route, graphs["household_b"]) if route.kwargs else {}
    unmapped = [kwarg for kwarg in route.kwargs if kwarg not in mapping]
    # One form (or object) to send everywhere: the values that name an object are in the URL, not the form.
    payload = _payload(client, world.admin, route, _fill(route, mapping, graphs["household_b"]))
    sweep, failures = Sweep(world, route), []

    for persona in sorted(set(SCOPE) - {"admin"}):  # an administrator sees and changes everything
        is_auditor = persona.startswith("auditor")
        hidden = [getattr(world, t) for t in _out_of_scope(persona)] + (
            [world.unassigned] if persona in {"facilitator", "other_facilitator"} else [])
        for method in _methods(route):
            if route.kwargs and mapping:
                missing = None
                for target in WORLD_TARGETS:
                    out_of_scope = target not in SCOPE[persona]
                    if not out_of_scope and not (is_auditor and method != "get"):
                        continue
                    url = _fill(route, mapping, graphs[target])
                    response, changed = sweep.send(persona, method, url, payload)
                    status = response.status_code
                    if out_of_scope and status != 404 and missing is None:
                        # What a missing object answers: an out-of-scope one must answer the same.
                        missing = sweep.send(persona, method, _fill(route, {}, {}), {}, check=False)[0].status_code
                    if out_of_scope and status != 404 and (200 <= status < 300 or status != missing):
                        failures.append(f"{persona} {method.upper()} {url} ({target}'s object): {status}, "
                                        f"a missing object answers {missing}")
                    if changed:
                        failures.append(f"{persona} {method.upper()} {url} ({target}'s object) wrote {changed}")
            else:
                if method != "get" and not is_auditor and not unmapped:
                    continue  # a writer may write here; what it may see is checked by the GET
                url = _fill(route, mapping, graphs["household"])
                response, changed = sweep.send(persona, method, url, payload)
                if changed and (is_auditor or unmapped):
                    failures.append(f"{persona} {method.upper()} {url} wrote {changed}")
                if method == "get" and (leaked := _leaks(response, hidden)):
                    failures.append(f"{persona} GET {url} shows households out of scope: {leaked}")
                if method == "get" and persona.startswith(("coordinator", "auditor")) and not route.kwargs:
                    other_city = "31.74" if persona in {"coordinator", "auditor"} else "31.75"
                    response, _ = sweep.send(persona, "get", f"{url}?kota={other_city}", {})
                    if leaked := _leaks(response, hidden):
                        failures.append(f"{persona} GET {url}?kota={other_city} shows households out of scope: "
                                        f"{leaked}")
    assert not failures, f"{name} (arguments learned: { {k: m[0].__name__ for k, m in mapping.items()} }):\n" + \
        "\n".join(failures)


def test_the_sweep_learns_the_model_behind_each_argument(world, graphs, client):
    """The learning step itself: a household page, a member of it, an object of another app, a facilitator."""
    expected = {"member_edit": {"pk": "Household", "member_pk": "Member"}, "case_detail": {"pk": "Case"},
                "referral_outcome": {"pk": "Referral"}, "livelihood_referral_update": {"pk": "CreditReferral"},
                "oversight_facilitator": {"pk": "User"}, "p2k2_membership_remove": {"pk": "GroupMembership"}}
    for name, arguments in expected.items():
        mapping = _learn_arguments(client, world.admin, ROUTES[name], graphs["household_b"])
        assert {k: m[0].__name__ for k, m in mapping.items()} == arguments, name


def test_the_fingerprint_sees_an_update_without_a_new_row(world):
    before = _fingerprint()
    world.household.address = "Jl. Lain No. 2"
    world.household.save(update_fields=["address"])
    assert "beneficiaries_household" in _changed(before, _fingerprint())
