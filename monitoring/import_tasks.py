"""The bank-data import as a background job (core.jobs): the upload page and `import_transactions` both make a
Job row (who, when, file, status, counts, error report); the Celery task loads it by id, re-scopes as the user
who started it, imports, and then refreshes the reconciliation flags of the cities and stages the file covers.

Safe to retry (acks_late): the merge is one transaction, so a worker lost mid-import left nothing, and a
retry after the merge committed finds this job's own events stored (counted as new, not skipped) and goes on
to the flags.
"""

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.jobs import JobAlreadyActive, register_kind, run_job
from core.models import Job
from monitoring.importer import import_bank_events, refresh_flags_after, report_csv
from monitoring.models import FlagCode
from org import access

BANK_IMPORT = "bank_import"
register_kind(BANK_IMPORT, gettext_lazy("Bank data import"), {
    "rows": gettext_lazy("Rows in the file"),
    "new": gettext_lazy("New events"),
    "skipped": gettext_lazy("Already imported (skipped)"),
    "unknown_kpm": gettext_lazy("Unknown ID KPM"),
    "kks_mismatch": gettext_lazy("KKS number not the household's"),
    "errors": gettext_lazy("Errors"),
    "written": gettext_lazy("Saved"),
    "seconds": gettext_lazy("Import time (seconds)"),
    **{f"flags_{code}": format_lazy(gettext_lazy("Flags now: {label}"), label=label) for code, label in FlagCode.choices},
})


def import_scope(actor) -> frozenset | None:
    """The cities whose households' bank events `actor` may import (None: any, for the command line)."""
    if actor is None:
        return None
    if not access.can_manage_caseloads(actor):
        raise PermissionDenied
    return frozenset(access.visible_cities(actor).values_list("code", flat=True))


def bank_import_work(job: Job, progress, *, path: str | None = None, results: list | None = None):
    """Import the job's file (or `path`, from the command line); returns (counts, message, report bytes).
    `results` (the command line) receives the ImportResult, problems included."""
    actor = job.created_by
    allowed = import_scope(actor)
    if path is not None:
        result = import_bank_events(path, actor=actor, city_code=job.city_code, allowed_cities=allowed,
                                    job_id=job.pk, progress=progress)
    else:
        with job.input_file.open("rb") as source:
            result = import_bank_events(source, actor=actor, city_code=job.city_code, allowed_cities=allowed,
                                        job_id=job.pk, progress=progress)
    if results is not None:
        results.append(result)
    counts = result.counts()
    if result.written:
        progress(result.rows, result.rows, _("Reconciling with the registry"))
        flags = refresh_flags_after(result)
        counts.update({f"flags_{code}": count for code, count in flags.items() if count})
        message = _("Imported: %(new)s new events, %(skipped)s already imported. %(unknown)s with an ID KPM not in "
                    "the registry and %(mismatch)s with another KKS number are kept as unmatched. The "
                    "reconciliation flags are up to date.") % {
            "new": result.new, "skipped": result.skipped, "unknown": result.unknown_kpm,
            "mismatch": result.kks_mismatch}
    else:
        message = ngettext(
            "Nothing was imported: the file has %(count)s error. Download the report, correct the file and upload "
            "it again.",
            "Nothing was imported: the file has %(count)s errors. Download the report, correct the file and upload "
            "it again.", result.error_count) % {"count": result.error_count}
    # The job page and the command show the counts; the job keeps the time the import itself took.
    counts["seconds"] = round(result.seconds, 2)
    report = report_csv(result).encode("utf-8-sig") if result.errors else None
    return counts, message, report


@shared_task(acks_late=True)
def bank_import_task(job_id: int):
    run_job(job_id, bank_import_work)


def job_for_command(*, actor, city_code: str, name: str, fingerprint: str, language: str) -> Job:
    """The Job row of a command-line import (run in the foreground); one active import per file content."""
    try:
        with transaction.atomic():
            return Job.objects.create(kind=BANK_IMPORT, created_by=actor, city_code=city_code, input_name=name[:255],
                                      lock_key=fingerprint, params={"language": language, "source": "command"})
    except IntegrityError:
        active = Job.objects.filter(kind=BANK_IMPORT, lock_key=fingerprint, status__in=Job.ACTIVE_STATUSES).first()
        if active is None:
            raise
        raise JobAlreadyActive(active) from None


def visible_imports(user):
    """The bank imports a user may see (org.access.visible_jobs: their own, their cities', all for admins)."""
    return access.visible_jobs(user).filter(kind=BANK_IMPORT).select_related("created_by").order_by("-created_at", "-id")
