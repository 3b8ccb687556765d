"""Celery tasks of the registry: they load by id, re-scope as the user who started them, call a service."""

from celery import shared_task
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from beneficiaries.importer import import_households, report_csv
from core.jobs import register_kind, run_job

HOUSEHOLD_IMPORT = "household_import"
register_kind(HOUSEHOLD_IMPORT, gettext_lazy("Household import"), {
    "rows": gettext_lazy("Rows in the file"),
    "households_in_file": gettext_lazy("Households in the file"),
    "households_created": gettext_lazy("New households"),
    "households_updated": gettext_lazy("Households changed"),
    "households_unchanged": gettext_lazy("Households unchanged"),
    "households_skipped": gettext_lazy("Households skipped"),
    "members_created": gettext_lazy("New members"),
    "members_updated": gettext_lazy("Members changed"),
    "members_unchanged": gettext_lazy("Members unchanged"),
    "members_not_in_file": gettext_lazy("Members not in the file"),
    "assignments_changed": gettext_lazy("Facilitator assignments changed"),
    "errors": gettext_lazy("Errors"),
    "warnings": gettext_lazy("Warnings"),
    "written": gettext_lazy("Saved"),
})


def _household_import_work(job, progress):
    actor = job.created_by  # the import re-checks every village against this user's scope
    with job.input_file.open("rb") as source:
        result = import_households(source, actor=actor, skip_invalid=job.params.get("skip_invalid", False), progress=progress)
    if result.written:
        message = _("Imported: %(created)s new and %(updated)s changed households, %(unchanged)s unchanged; %(skipped)s skipped.") % {
            "created": result.households_created, "updated": result.households_updated,
            "unchanged": result.households_unchanged, "skipped": result.households_skipped,
        }
    else:
        message = ngettext(
            "Nothing was imported: the file has %(count)s error. Download the report, correct the file and upload it again.",
            "Nothing was imported: the file has %(count)s errors. Download the report, correct the file and upload it again.",
            len(result.errors),
        ) % {
            "count": len(result.errors)
        }
    report = report_csv(result).encode("utf-8-sig") if (result.errors or result.warnings) else None
    return result.counts(), message, report


@shared_task(acks_late=True)
def household_import_task(job_id: int):
    run_job(job_id, _household_import_work)
