"""The change history page and its export: who sees which events, the filters, the pages, the links."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.audit import audit_record
from core.models import AuditEvent
from org import access

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def event(actor, *, household=None, city="", action=AuditEvent.Action.UPDATE, obj=None, **fields):
    if household is not None:
        fields.setdefault("household_id", household.pk)
        city = city or household.city_code
        obj = obj if obj is not None else household
    return audit_record(actor=actor, action=action, obj=obj, city_code=city, **fields)


@pytest.fixture
def trail(world):
    """Events of city A, of city B, and events without a city by staff of either city."""
    return {
        "a": event(world.facilitator, household=world.household, changes={"address": ["Jl. Lama 1", "Jl. Baru 2"]},
                   message="moved along the street"),
        "a_other": event(world.other_facilitator, household=world.other_household, changes={"decile": [3, 4]}),
        "b": event(world.facilitator_b, household=world.household_b, changes={"address": ["Jl. B 1", "Jl. B 2"]}),
        "login_a": event(world.facilitator, action=AuditEvent.Action.LOGIN, obj=world.facilitator),
        "login_b": event(world.facilitator_b, action=AuditEvent.Action.LOGIN, obj=world.facilitator_b),
        "failed_a": audit_record(actor=None, action=AuditEvent.Action.LOGIN_FAILED, object_type="org.user",
                                 object_repr=world.facilitator.username),
        "failed_b": audit_record(actor=None, action=AuditEvent.Action.LOGIN_FAILED, object_type="org.user",
                                 object_repr=world.facilitator_b.username),
        "failed_unknown": audit_record(actor=None, action=AuditEvent.Action.LOGIN_FAILED, object_type="org.user",
                                       object_repr="nobody"),
    }


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


# --- the scope: org.access.visible_audit_events ------------------------------------------------------

def test_coordinators_and_auditors_see_their_citys_events_and_their_staffs_sign_ins(world, trail):
    city_a = {trail[k].pk for k in ("a", "a_other", "login_a", "failed_a")}
    for user in (world.coordinator, world.auditor):
        assert ids(access.visible_audit_events(user)) == city_a
    city_b = {trail[k].pk for k in ("b", "login_b", "failed_b")}
    assert ids(access.visible_audit_events(world.coordinator_b)) == city_b


def test_admins_see_every_event_and_facilitators_none(world, trail):
    assert ids(access.visible_audit_events(world.admin)) == {e.pk for e in trail.values()}
    assert not access.visible_audit_events(world.facilitator).exists()


def test_a_coordinator_does_not_see_events_of_another_city_even_by_their_own_staff(world, trail):
    # A facilitator of city A acting on a family of city B (after a move): the event belongs to city B.
    moved = event(world.facilitator, household=world.household_b)
    assert moved.pk not in ids(access.visible_audit_events(world.coordinator))
    assert moved.pk in ids(access.visible_audit_events(world.coordinator_b))


# --- the page -----------------------------------------------------------------------------------

def test_the_coordinator_reads_their_citys_history_with_changes_request_and_address(world, trail, client):
    client.force_login(world.coordinator)
    response = client.get(reverse("history"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Change history" in text
    assert "Jl. Lama 1" in text and "Jl. Baru 2" in text  # before → after
    assert "address:" in text  # the field's verbose name
    assert "moved along the street" in text
    assert "Jl. B 1" not in text  # city B
    assert world.facilitator_b.username not in text
    assert "nobody" not in text


def test_facilitators_are_refused_and_anonymous_users_sent_to_sign_in(world, trail, client):
    client.force_login(world.facilitator)
    assert client.get(reverse("history")).status_code == 403
    assert client.get(reverse("history_export")).status_code == 403
    client.logout()
    assert reverse("login") in client.get(reverse("history"))["Location"]


def test_the_auditor_reads_but_the_pages_accept_no_writes(world, trail, client):
    client.force_login(world.auditor)
    assert client.get(reverse("history")).status_code == 200
    assert client.post(reverse("history")).status_code == 405
    assert client.post(reverse("history_export")).status_code == 405


def test_the_admin_sees_every_city(world, trail, client):
    client.force_login(world.admin)
    text = client.get(reverse("history")).content.decode()
    assert "Jl. Lama 1" in text and "Jl. B 1" in text and "nobody" in text


def test_changes_show_field_names_and_choice_labels(world, client):
    event(world.coordinator, household=world.household,
          changes={"status": ["active", "graduated"], "no_kk": ["3175000000000001", "3175000000000002"]})
    client.force_login(world.coordinator)
    text = client.get(reverse("history")).content.decode()
    assert "No. KK:" in text
    assert "Active" in text and "Graduated" in text


# --- filters ------------------------------------------------------------------------------------

def shown(client, **params):
    response = client.get(reverse("history"), params)
    assert response.status_code == 200, response.status_code
    return {row.event.pk for row in response.context["rows"]}, response


def test_the_household_filter_shows_that_familys_history_with_a_heading(world, trail, client):
    visit = event(world.facilitator, household=world.household, action=AuditEvent.Action.CREATE,
                  obj=world.household.members.first())
    client.force_login(world.coordinator)
    rows, response = shown(client, household=world.household.pk)
    assert rows == {trail["a"].pk, visit.pk}
    assert f"History of household {world.household.id_kpm}" in response.content.decode()


def test_a_household_out_of_scope_answers_404(world, trail, client):
    client.force_login(world.coordinator)
    assert client.get(reverse("history"), {"household": world.household_b.pk}).status_code == 404
    assert client.get(reverse("history"), {"household": 99999999}).status_code == 404


def test_the_history_of_a_deleted_household_stays_readable(world, client):
    household = world.unassigned
    event(world.coordinator, household=household, action=AuditEvent.Action.DELETE)
    pk, id_kpm = household.pk, household.id_kpm
    household.delete()
    client.force_login(world.coordinator)
    rows, response = shown(client, household=pk)
    assert len(rows) == 1
    assert f"History of household {id_kpm}" in response.content.decode()


def test_the_facilitator_filter_shows_their_actions_and_events_on_their_families(world, trail, client):
    by_coordinator_on_family = event(world.coordinator, household=world.household)
    client.force_login(world.coordinator)
    rows, response = shown(client, facilitator=world.facilitator.pk)
    assert rows == {trail["a"].pk, trail["login_a"].pk, by_coordinator_on_family.pk}
    assert "History of facilitator" in response.content.decode()
    assert client.get(reverse("history"), {"facilitator": world.facilitator_b.pk}).status_code == 404


def test_filters_by_user_action_kind_city_and_dates(world, trail, client):
    client.force_login(world.admin)
    assert shown(client, user=world.other_facilitator.pk)[0] == {trail["a_other"].pk}
    assert shown(client, action="login_failed")[0] == {trail[k].pk for k in ("failed_a", "failed_b", "failed_unknown")}
    assert shown(client, object_type="org.user", action="login")[0] == {trail["login_a"].pk, trail["login_b"].pk}
    rows, response = shown(client, kota="31.74")
    assert rows == {trail["b"].pk}
    assert "History of Kota Administrasi Jakarta Selatan" in response.content.decode()
    old = AuditEvent(actor=world.admin, actor_username="admin", action="update", city_code="31.75",
                     at=datetime(2025, 1, 10, 23, 30, tzinfo=JAKARTA))
    old.save()
    assert shown(client, **{"from": "2025-01-10", "to": "2025-01-10"})[0] == {old.pk}
    assert shown(client, **{"from": "2025-01-11", "to": "2025-01-11"})[0] == set()
    today = datetime.now(JAKARTA).date().isoformat()
    assert old.pk not in shown(client, **{"from": today})[0]


def test_a_city_out_of_scope_answers_404_and_a_bad_date_is_ignored(world, trail, client):
    client.force_login(world.coordinator)
    assert client.get(reverse("history"), {"kota": "31.74"}).status_code == 404
    rows, response = shown(client, **{"from": "not-a-date"})
    assert trail["a"].pk in rows
    assert response.context["form"].errors


def test_the_user_filter_needs_a_visible_event_of_that_user(world, trail, client):
    client.force_login(world.coordinator)
    assert client.get(reverse("history"), {"user": world.facilitator_b.pk}).status_code == 404


# --- pages without counting ------------------------------------------------------------------------

def test_pages_go_older_and_newer_without_counting(world, client, django_assert_max_num_queries):
    start = datetime(2026, 1, 1, 8, tzinfo=JAKARTA)
    for minute in range(120):
        AuditEvent(actor=world.coordinator, actor_username="korkot_a", action="update", city_code="31.75",
                   object_type="org.user", object_repr=f"e{minute:03d}", at=start + timedelta(minutes=minute)).save()
    client.force_login(world.coordinator)
    first = client.get(reverse("history"))
    page = first.context["page"]
    assert [e.object_repr for e in page.events][:2] == ["e119", "e118"] and len(page.events) == 50
    assert page.older and not page.newer and page.first
    second = client.get(reverse("history"), {"before": page.older}).context["page"]
    assert second.events[0].object_repr == "e069" and second.newer and second.older
    third = client.get(reverse("history"), {"before": second.older}).context["page"]
    assert [e.object_repr for e in third.events] == [f"e{m:03d}" for m in range(19, -1, -1)]
    assert not third.older
    back = client.get(reverse("history"), {"after": third.newer}).context["page"]
    assert back.events[0].object_repr == "e069" and back.events[-1].object_repr == "e020"
    back_to_top = client.get(reverse("history"), {"after": second.newer}).context["page"]
    assert back_to_top.events[0].object_repr == "e119" and back_to_top.first and not back_to_top.newer


def _page_queries(client, django_assert_max_num_queries, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("history")).status_code == 200
    return len(queries)


def test_the_page_makes_the_same_number_of_queries_for_few_or_many_events(world, client,
                                                                         django_assert_max_num_queries):
    from casework.services import visit_log

    client.force_login(world.coordinator)

    def add(n):
        for _ in range(n):
            visit_log(actor=world.facilitator, household=world.household,
                      data={"visited_at": datetime.now(JAKARTA) - timedelta(minutes=5), "purpose": "data", "met": "pengurus"})
            event(world.coordinator, household=world.other_household)

    add(2)
    few = _page_queries(client, django_assert_max_num_queries, 2)
    add(20)
    many = _page_queries(client, django_assert_max_num_queries, 22)
    assert few == many


# --- links ----------------------------------------------------------------------------------------

def test_records_link_only_when_they_exist_and_the_user_may_open_them(world, client):
    member = world.household.members.first()
    on_household = event(world.facilitator, household=world.household)
    on_member = event(world.facilitator, household=world.household, obj=member)
    gone = audit_record(actor=world.coordinator, action="delete", object_type="beneficiaries.household",
                        object_id="98765", object_repr="KPM-GONE", household_id=98765, city_code="31.75")
    client.force_login(world.coordinator)
    rows = {row.event.pk: row for row in client.get(reverse("history")).context["rows"]}
    assert rows[on_household.pk].object_url == reverse("household_detail", args=[world.household.pk])
    assert rows[on_member.pk].object_url == ""  # members have no page of their own
    assert rows[on_member.pk].household_url == reverse("household_detail", args=[world.household.pk])
    assert rows[gone.pk].object_url == "" and rows[gone.pk].household_url == ""


def test_the_household_page_links_to_its_history_for_supervisors_only(world, client):
    url = reverse("household_detail", args=[world.household.pk])
    history_link = f'{reverse("history")}?household={world.household.pk}'
    for user, expected in ((world.coordinator, True), (world.auditor, True), (world.admin, True),
                           (world.facilitator, False)):
        client.force_login(user)
        assert (history_link in client.get(url).content.decode()) is expected, user.username


# --- the export -----------------------------------------------------------------------------------

def test_the_export_holds_the_filtered_events_and_is_itself_audited(world, trail, client):
    client.force_login(world.coordinator)
    response = client.get(reverse("history_export"), {"household": world.household.pk, "kota": "31.75"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Time", "User", "Action")
    assert len(rows) == 2
    assert rows[1][1] == world.facilitator.username
    assert "address: Jl. Lama 1 → Jl. Baru 2" in rows[1][8]
    export = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).get()
    assert export.actor == world.coordinator and export.object_type == "oversight.history"
    assert export.city_code == "31.75"
    assert export.changes["filters"] == {"kota": "31.75", "household": world.household.pk}
    assert export.changes["rows"] == 1
    # ...so the household's own history shows who downloaded it.
    assert export.household_id == world.household.pk


def test_the_export_is_scoped_like_the_page(world, trail, client):
    client.force_login(world.coordinator)
    rows = list(load_workbook(io.BytesIO(client.get(reverse("history_export")).content)).active.iter_rows(values_only=True))
    users = {row[1] for row in rows[1:]}
    assert world.facilitator_b.username not in users
    assert client.get(reverse("history_export"), {"household": world.household_b.pk}).status_code == 404


def test_malformed_ids_answer_404(world, trail, client):
    client.force_login(world.coordinator)
    for params in ({"household": "abc"}, {"user": "-3"}, {"facilitator": "x"}, {"kota": "99.99"}):
        assert client.get(reverse("history"), params).status_code == 404, params
