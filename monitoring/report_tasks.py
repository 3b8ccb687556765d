"""Celery tasks of the monthly transaction-monitoring report: the schedule that builds the previous month of
every city on the 1st at 02:00 Asia/Jakarta (CELERY_BEAT_SCHEDULE), and a coordinator's build on demand
(a core.jobs Job whose progress the job page shows). Each city's build is one transaction: a worker lost
midway leaves no report, and the task delivered again builds it."""

import logging

from celery import shared_task
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.jobs import register_kind, run_job
from monitoring import reports
from monitoring.models import MonthlyReport

logger = logging.getLogger(__name__)

MONTHLY_REPORT = "monitoring_report"
register_kind(MONTHLY_REPORT, gettext_lazy("Monthly transaction-monitoring report"), {
    "version": gettext_lazy("Version"),
    "households": gettext_lazy("Active families"),
    "credited_households": gettext_lazy("Families credited"),
    "flags": gettext_lazy("Flags"),
})
# A city whose scheduled build failed is tried again after this many seconds, at most MAX_RETRIES times.
RETRY_SECONDS = 600
MAX_RETRIES = 3


def _result(report: MonthlyReport) -> dict:
    totals = report.content["totals"]
    return {"version": report.version, "households": totals["active_households"],
            "credited_households": totals["credited_households"], "flags": len(report.content["flags"])}


def _report_work(job, progress):
    month = reports.Month.parse(job.params["month"])
    # A job delivered again after its worker was lost may find its report already stored.
    report = MonthlyReport.objects.filter(job=job).first() or reports.report_build(
        actor=job.created_by, city_code=job.params["city"], month=month, job=job, trigger="on_demand",
        progress=progress)
    message = _("Version %(version)s of the report of %(city)s for %(month)s is ready: open it from the list of "
                "monthly reports.") % {
        "version": report.version, "city": report.city.name, "month": formats.date_format(month.first, "YEAR_MONTH_FORMAT")}
    return _result(report), message, None


@shared_task(acks_late=True)
def report_build_task(job_id: int):
    run_job(job_id, _report_work)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def monthly_reports_task(self, month: str = "", cities: list[str] | None = None):
    """The reports of `month` (default: the month before today in Asia/Jakarta) of every city with households,
    or of `cities` (a retry after some failed). Each city in its own transaction; a city that fails is tried
    again later without building the others twice (the run's task id marks its reports)."""
    target = reports.Month.parse(month) if month else reports.Month.of(timezone.localdate()).previous()
    run = self.request.id or ""
    built, failed = {}, []
    for city in cities if cities is not None else reports.cities_with_households():
        try:
            report = reports.report_build(actor=None, city_code=city, month=target, trigger="schedule", run=run)
        except Exception:
            logger.exception("monthly transaction-monitoring report of %s for %s failed", city, target.key)
            failed.append(city)
            continue
        built[city] = report.version
        logger.info("monthly transaction-monitoring report of %s for %s: version %s", city, target.key, report.version)
    if failed:
        raise self.retry(kwargs={"month": target.key, "cities": failed}, countdown=RETRY_SECONDS)
    return built
