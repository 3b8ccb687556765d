"""Celery tasks of the graduation screening: the monthly run over every city (Celery beat, see
CELERY_BEAT_SCHEDULE) and a coordinator's refresh of one city on demand (a core.jobs Job whose progress
the job page shows). Both store each household's classification, which is what every facilitator's
"Kandidat graduasi" list and the statistics read."""

import logging
import time
from datetime import date

from celery import shared_task
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.jobs import register_kind, run_job
from graduation import screening
from graduation.models import Classification
from org.models import Region

logger = logging.getLogger(__name__)

GRADUATION_SCREENING = "graduation_screening"
register_kind(GRADUATION_SCREENING, gettext_lazy("Graduation screening"), {
    "households": gettext_lazy("Families screened"),
    **{code: label for code, label in Classification.choices},
})


def _screening_work(job, progress):
    city, as_of = job.params.get("city", ""), date.fromisoformat(job.params["as_of"])
    result = screening.screening_refresh(actor=job.created_by, city_code=city, as_of=as_of, progress=progress)
    # run_job saves the instance it loaded before the work started: give it the final progress.
    job.progress_done = job.progress_total = result["households"]
    name = Region.objects.filter(code=city).values_list("name", flat=True).first() or city
    message = _("The graduation screening of %(city)s as of %(date)s is stored for %(count)s families: every "
                "facilitator's candidate list now shows it.") % {
        "city": name, "date": formats.date_format(as_of, "j F Y"), "count": result["households"]}
    return result, message, None


@shared_task(acks_late=True)
def screening_refresh_task(job_id: int):
    run_job(job_id, _screening_work)


@shared_task(acks_late=True)
def monthly_screening_task():
    """On the 1st of every month: screen every household of every city as of that day and store the
    results (each city in its own transaction, so one city's failure leaves the others refreshed)."""
    as_of = timezone.localdate()
    summary, failed = {}, []
    for city in screening.cities_with_households():
        start = time.monotonic()
        try:
            summary[city] = screening.refresh_city(city, as_of=as_of)
        except Exception:
            logger.exception("graduation screening of %s as of %s failed", city, as_of)
            failed.append(city)
            continue
        logger.info("graduation screening of %s as of %s: %s in %.1f s", city, as_of, summary[city],
                    time.monotonic() - start)
    if failed:  # the other cities are stored; the task still shows as failed in the worker's log
        raise RuntimeError(f"graduation screening failed for {', '.join(failed)}")
    return summary
