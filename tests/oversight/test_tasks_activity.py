"""The activity audit's Celery tasks: the schedule, and an on-demand refresh run by a real worker (Redis) when
available, eagerly otherwise."""

import time

import pytest

from core.jobs import JobAlreadyActive
from core.models import Job
from oversight import tasks
from oversight.models import FacilitatorMonth
from tests.oversight.activity_world import MONTH, planted_city


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not done after {seconds} s")


def test_the_audit_is_scheduled_monthly_at_three_and_hourly_for_the_current_month(settings):
    monthly = settings.CELERY_BEAT_SCHEDULE["oversight-monthly-activity"]
    assert monthly["task"] == "oversight.tasks.monthly_activity_task"
    assert (monthly["schedule"].day_of_month, monthly["schedule"].hour, monthly["schedule"].minute) == ({1}, {3}, {0})
    hourly = settings.CELERY_BEAT_SCHEDULE["oversight-current-activity"]
    assert hourly["task"] == "oversight.tasks.current_activity_task" and len(hourly["schedule"].hour) == 24


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refresh_runs_as_a_job_and_stores_the_month(world, celery_worker):
    planted_city()
    job = tasks.start_refresh(actor=world.coordinator, city_code="31.75", month=MONTH)
    done = wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]).first())
    assert done.status == Job.Status.SUCCEEDED, done.message
    assert done.result == {"facilitators": 7} and done.progress_done == done.progress_total == 2
    assert FacilitatorMonth.objects.filter(city_id="31.75", month=MONTH, job=done).count() == 7


@pytest.mark.django_db
def test_one_refresh_per_city_month_at_a_time(world, django_capture_on_commit_callbacks):
    first = tasks.start_refresh(actor=world.coordinator, city_code="31.75", month=MONTH)
    with pytest.raises(JobAlreadyActive) as raised:
        tasks.start_refresh(actor=world.coordinator, city_code="31.75", month=MONTH)
    assert raised.value.job == first


@pytest.mark.django_db
def test_the_monthly_task_stores_the_previous_month_of_every_city(world):
    planted_city()
    summary = tasks.monthly_activity_task()
    assert summary == {"31.74": 1, "31.75": 7}
    assert FacilitatorMonth.objects.filter(month=MONTH).count() == 8
