"""Long-running jobs: a database row per job that the page polls, run by Celery (or in-process).

`job_start` creates the row and queues the task once the surrounding transaction commits;
`run_job` is called by the task: it loads the row by id, marks it running, reports progress and
stores the outcome. A re-delivered task (worker lost) simply runs again: jobs are written so that
a re-run completes the work or finds it already done.

A job can still be left active with nobody working on it: its worker was killed and the broker lost the
message (Redis restarted without its data), or the outcome could not be written because the database was
gone. Such a job would block every new start of the same work (one active job per kind and lock key), so
`job_start` fails an active job older than JOB_STALE_SECONDS (default 3 hours, longer than Redis'
one-hour visibility timeout after which an unacknowledged task is delivered again) and starts afresh.
"""

import hashlib
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.models import Job

logger = logging.getLogger(__name__)


# Each app registers the kinds of job it runs: a label, and labels for the counts in `Job.result`.
KINDS: dict[str, tuple] = {}


def register_kind(kind: str, label, result_labels: dict) -> None:
    KINDS[kind] = (label, result_labels)


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, (kind, {}))[0])


def result_rows(job: Job) -> list[tuple[str, str, object]]:
    """(key, label, value) for the job's result counts, in the order the kind declares them."""
    labels = KINDS.get(job.kind, (job.kind, {}))[1]
    known = [(key, str(label), job.result[key]) for key, label in labels.items() if key in job.result]
    return known + [(key, key, value) for key, value in job.result.items() if key not in labels]


class JobAlreadyActive(Exception):
    def __init__(self, job: Job):
        super().__init__(f"job {job.pk} is already active")
        self.job = job


def file_fingerprint(uploaded) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def stale_before():
    """Active jobs started (or queued) before this moment are taken as abandoned."""
    return timezone.now() - timedelta(seconds=getattr(settings, "JOB_STALE_SECONDS", 3 * 3600))


def fail_stale(*, kind: str, lock_key: str) -> int:
    """Mark the abandoned active jobs of (kind, lock_key) failed, with a message for their page."""
    if not lock_key:
        return 0
    limit = stale_before()
    stale = Job.objects.filter(kind=kind, lock_key=lock_key).filter(
        Q(status=Job.Status.RUNNING, started_at__lt=limit) | Q(status=Job.Status.QUEUED, created_at__lt=limit))
    count = stale.update(
        status=Job.Status.FAILED, finished_at=timezone.now(),
        message=_("The job stopped answering (its worker was lost) and was abandoned. Nothing was changed by it; "
                  "it was started again."),
    )
    if count:
        logger.warning("%s abandoned %s job(s) with lock %s marked failed", count, kind, lock_key)
    return count


def job_start(*, actor, kind: str, task, city_code: str = "", params: dict | None = None,
              input_file=None, lock_key: str = "") -> Job:
    """Create the job row and queue `task(job_id)` after commit. One active job per (kind, lock_key);
    an abandoned one (see the module's docstring) no longer counts."""
    params = dict(params or {})
    params.setdefault("language", translation.get_language() or "id")
    fail_stale(kind=kind, lock_key=lock_key)
    try:
        with transaction.atomic():
            job = Job(kind=kind, created_by=actor if getattr(actor, "pk", None) else None, city_code=city_code,
                      params=params, lock_key=lock_key)
            if input_file is not None:
                job.input_name = getattr(input_file, "name", "")[:255]
                job.input_file.save(job.input_name or "upload", input_file, save=False)
            job.save()
    except IntegrityError:
        active = Job.objects.filter(kind=kind, lock_key=lock_key, status__in=Job.ACTIVE_STATUSES).first()
        if active is None:
            raise
        raise JobAlreadyActive(active) from None
    transaction.on_commit(lambda: enqueue(task, job.pk))
    return job


def enqueue(task, job_id: int) -> None:
    """Send the task to the broker; when the broker is down, say so on the job instead of failing the page."""
    try:
        task.apply_async(args=[job_id])
    except Exception as exc:  # kombu raises OperationalError and friends when Redis is unreachable
        logger.warning("could not queue job %s: %s", job_id, exc.__class__.__name__)
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED, finished_at=timezone.now(),
            message=_("The job queue is unavailable right now, so the job could not start. Nothing was changed; try again in a few minutes."),
        )


class Progress:
    """Writes progress to the job row at most every half second (each write is one UPDATE)."""

    def __init__(self, job_id: int, interval: float = 0.5):
        self.job_id = job_id
        self.interval = interval
        self._last = 0.0

    def __call__(self, done: int, total: int, stage: str = "") -> None:
        now = time.monotonic()
        if now - self._last < self.interval and done != total:
            return
        self._last = now
        fields = {"progress_done": max(done, 0), "stage": str(stage)[:200]}
        if total:
            fields["progress_total"] = total
        Job.objects.filter(pk=self.job_id).update(**fields)


def _drop_lost_connections() -> None:
    """Close the connections a failure left unusable (database restarted, network cut), outside a transaction,
    so that the next query opens a fresh one instead of failing with "connection already closed"."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block and not conn.is_usable():
            conn.close()


def _write_failure(job_id: int, message: str, attempts: int = 3) -> None:
    """Mark the job failed, on a fresh connection if the work lost its own; a database still restarting gets a
    few seconds. Should it stay away, the job stays active until `fail_stale` abandons it."""
    for attempt in range(attempts):
        _drop_lost_connections()
        try:
            Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, finished_at=timezone.now(), message=message)
            return
        except DatabaseError:
            if attempt == attempts - 1:
                raise
            time.sleep(1)


def run_job(job_id: int, work) -> Job | None:
    """Run `work(job, progress)` for a job row; `work` returns (result dict, message, report bytes or None)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
        return job
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), attempts=job.attempts + 1, stage=_("Started")
    )
    job.refresh_from_db()
    with translation.override(job.params.get("language", "id")):
        try:
            result, message, report = work(job, Progress(job_id))
        except Exception as exc:
            logger.exception("job %s (%s) failed", job_id, job.kind)
            _write_failure(job_id, _("The job stopped because of an unexpected error (%(error)s). Nothing was "
                                     "changed.") % {"error": exc.__class__.__name__})
            job.refresh_from_db()
            return job
        job.result = result
        job.message = message
        if report:
            from django.core.files.base import ContentFile

            job.report_file.save(f"{job.kind}-{job.pk}-report.csv", ContentFile(report), save=False)
        job.status = Job.Status.SUCCEEDED
        job.finished_at = timezone.now()
        # The work reported its total through Progress (UPDATEs), not through this object.
        job.progress_total = Job.objects.filter(pk=job_id).values_list("progress_total", flat=True).get()
        if job.progress_total:
            job.progress_done = job.progress_total
        job.save(update_fields=["result", "message", "report_file", "status", "finished_at", "progress_done",
                                "progress_total"])
    return job
