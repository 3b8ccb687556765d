"""Celery task of commitment verification: it loads the job by id, re-scopes as the user who started
it (compliance.services.results_refresh reads through org.access) and calls the service."""

from celery import shared_task
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import services
from compliance.periods import Period
from core.jobs import register_kind, run_job

COMPLIANCE_REFRESH = "compliance_refresh"
register_kind(COMPLIANCE_REFRESH, gettext_lazy("Commitment results recomputed"), {
    "households": gettext_lazy("Families recomputed"),
    "compliant": gettext_lazy("Compliant"),
    "non_compliant": gettext_lazy("Not compliant"),
    "not_verified": gettext_lazy("Not yet verified"),
    "none": gettext_lazy("Nothing to verify"),
    "proposals_created": gettext_lazy("Suspension proposals opened"),
    "proposals_withdrawn": gettext_lazy("Suspension proposals withdrawn"),
})


def _refresh_work(job, progress):
    period = Period.parse(job.params.get("period"))
    if period is None:
        raise ValueError("job without a period")
    result = services.results_refresh(actor=job.created_by, period=period, city_code=job.params.get("city", ""),
                                      progress=progress)
    message = _("Results of %(period)s recomputed for %(count)s families.") % {
        "period": period.key, "count": result["households"]}
    return result, message, None


@shared_task(acks_late=True)
def results_refresh_task(job_id: int):
    run_job(job_id, _refresh_work)


@shared_task(acks_late=True)
def nightly_refresh_task():
    """Every night: recompute this period's results of every family, so that the day page and the
    coordinators' figures follow changes in members' data (births, school enrolment) within a day."""
    from django.utils import timezone

    period = Period.of(timezone.localdate())
    return services.results_refresh(actor=None, period=period)
