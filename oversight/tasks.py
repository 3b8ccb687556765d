"""Celery tasks of the facilitator activity audit (oversight.compute): the monthly table of the previous
month for every city (the 1st at 03:00 Asia/Jakarta, after the 02:00 screening and reports), the current
month refreshed every hour, and a coordinator's refresh of one city-month on demand (a core.jobs Job with
progress, one active per city-month)."""

import logging
from datetime import date

from celery import shared_task
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.jobs import job_start, register_kind, run_job
from core.models import Job
from livelihood.selectors import add_months, month_start
from org.models import Region
from oversight.compute import store_city_month

logger = logging.getLogger(__name__)

ACTIVITY_REFRESH = "oversight_activity"
register_kind(ACTIVITY_REFRESH, gettext_lazy("Facilitator activity audit"), {
    "facilitators": gettext_lazy("Facilitators counted"),
})


def start_refresh(*, actor, city_code: str, month: date) -> Job:
    """Queue the recomputation of a city-month's activity table. Raises core.jobs.JobAlreadyActive when
    one is already queued or running for that city-month."""
    month = month_start(month)
    return job_start(actor=actor, kind=ACTIVITY_REFRESH, task=activity_refresh_task, city_code=city_code,
                     params={"city": city_code, "month": month.isoformat()}, lock_key=f"{city_code}:{month:%Y-%m}")


def _refresh_work(job, progress):
    city, month = job.params["city"], date.fromisoformat(job.params["month"])
    count = store_city_month(city, month, job=job, progress=progress)
    job.progress_done = job.progress_total = 2
    name = Region.objects.filter(code=city).values_list("name", flat=True).first() or city
    message = _("The activity audit of %(city)s for %(month)s is up to date for %(count)s facilitators.") % {
        "city": name, "month": formats.date_format(month, "F Y"), "count": count}
    return {"facilitators": count}, message, None


@shared_task(acks_late=True)
def activity_refresh_task(job_id: int):
    run_job(job_id, _refresh_work)


def audit_cities() -> list[str]:
    """The regency/city codes with households (graduation.screening's list)."""
    from graduation.screening import cities_with_households

    return cities_with_households()


def _store_every_city(month: date) -> dict:
    summary, failed = {}, []
    for city in audit_cities():
        try:
            summary[city] = store_city_month(city, month)
        except Exception:
            logger.exception("activity audit of %s for %s failed", city, month)
            failed.append(city)
    if failed:  # the other cities are stored; the task still shows as failed in the worker's log
        raise RuntimeError(f"activity audit failed for {', '.join(failed)}")
    return summary


@shared_task(acks_late=True)
def monthly_activity_task():
    """On the 1st of every month: the previous month, complete, for every city."""
    return _store_every_city(add_months(month_start(timezone.localdate()), -1))


@shared_task(acks_late=True)
def current_activity_task():
    """Every hour: the current month up to today, for every city (the month is live)."""
    return _store_every_city(month_start(timezone.localdate()))
