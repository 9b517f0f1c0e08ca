"""The export jobs' runs (issue 16, point 4): a worker rebuilds the admin list as its requester saw it (same
admin, same filters, same scope, same columns, in the requester's language), writes the file chunk by chunk with
its progress on the row, and keeps it ``KEPT`` for the requester alone; expired files are deleted."""

import tempfile
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.sites import all_sites
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .audit import audit_record, transition
from .export_models import ExportJob
from .exports import CHUNK, export_rows, write_csv, write_xlsx

KEPT = timedelta(hours=24)  # a file is downloadable this long, then deleted
STALLED_AFTER = timedelta(minutes=2)
# A run that wrote no chunk for this long died with its worker (killed, out of memory, deployed over).
INTERRUPTED_AFTER = timedelta(minutes=15)


def _list_of(job: ExportJob):
    """The admin and a request of the requester on the list's address with its filters."""
    site = next((site for site in all_sites if site.name == job.admin_site), None)
    model_admin = None
    if site is not None:
        model_admin = next((a for m, a in site._registry.items() if m._meta.label_lower == job.model), None)
    if model_admin is None:
        raise ValidationError(_("This list no longer exists."), code="unknown_list")
    request = RequestFactory().get(job.path, QueryDict(job.query))
    request.user = job.created_by
    if not (job.created_by.is_active and model_admin.has_view_permission(request)):
        raise ValidationError(_("You may no longer see this list."), code="no_permission")
    return model_admin, request


class _Counted:
    """The rows on their way to the writer, the count written on the job every ``CHUNK`` rows."""

    def __init__(self, job_id: int, rows):
        self.job_id, self.rows, self.written = job_id, rows, -1  # the header is not a row

    def __iter__(self):
        for row in self.rows:
            yield row
            self.written += 1
            if self.written and self.written % CHUNK == 0:
                ExportJob.objects.filter(pk=self.job_id).update(written_rows=self.written, progress_at=timezone.now())


def export_job_run(*, job_id: int) -> ExportJob:
    """Write the job's file. Idempotent: a job no longer queued (run or running) is left as it is."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, progress_at=timezone.now()
    )
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    audit_record(obj=job, old=ExportJob.Status.QUEUED, new=ExportJob.Status.RUNNING, actor=None)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            model_admin, request = _list_of(job)
            queryset = model_admin.get_changelist_instance(request).get_queryset(request)
            ExportJob.objects.filter(pk=job_id).update(total_rows=queryset.order_by().count())
            rows = _Counted(job_id, export_rows(model_admin, request, queryset))
            with tempfile.TemporaryFile() as handle:
                if job.format == "csv":
                    write_csv(rows, handle)
                else:
                    write_xlsx(rows, handle, title=job.title)
                handle.seek(0)
                job.file.save(job.filename, File(handle), save=False)
    except (ValidationError, DatabaseError, OSError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else type(exc).__name__
        return transition(
            instance=job,
            to=ExportJob.Status.FAILED,
            actor=None,
            allowed=ExportJob.MOVES,
            changes={"error": message[:2000], "finished_at": timezone.now(), "expires_at": timezone.now()},
        )
    now = timezone.now()
    return transition(
        instance=job,
        to=ExportJob.Status.DONE,
        actor=None,
        allowed=ExportJob.MOVES,
        changes={"file": job.file.name, "written_rows": rows.written, "finished_at": now, "expires_at": now + KEPT},
    )


def stalled_export_jobs(*, now=None):
    return ExportJob.objects.filter(
        status=ExportJob.Status.QUEUED, created_at__lt=(now or timezone.now()) - STALLED_AFTER
    )


def export_jobs_interrupted(*, now=None) -> int:
    """Mark failed the runs silent for ``INTERRUPTED_AFTER`` (their worker died mid-file), so the requester sees
    "failed" and can ask again instead of watching a progress bar that never moves. Not re-run on its own: a list
    that kills its worker would kill the next one too. Compare-and-set per job; a second sweep finds nothing."""
    silent_since = (now or timezone.now()) - INTERRUPTED_AFTER
    failed = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.RUNNING, progress_at__lt=silent_since):
        moved = ExportJob.objects.filter(
            pk=job.pk, status=ExportJob.Status.RUNNING, progress_at__lt=silent_since
        ).update(
            status=ExportJob.Status.FAILED,
            error=_("The export was interrupted; please ask for it again."),
            finished_at=timezone.now(),
            expires_at=timezone.now(),
        )
        if moved:
            audit_record(
                obj=job, old=ExportJob.Status.RUNNING, new=ExportJob.Status.FAILED, actor=None, reason="interrupted"
            )
            failed += 1
    return failed


def export_jobs_expire(*, now=None) -> int:
    """Delete the files of the jobs past their expiry and mark them expired; a second run finds nothing."""
    expired = 0
    for job in ExportJob.objects.filter(
        status__in=[ExportJob.Status.DONE, ExportJob.Status.FAILED], expires_at__lte=now or timezone.now()
    ):
        if job.file:
            job.file.delete(save=False)
        transition(instance=job, to=ExportJob.Status.EXPIRED, actor=None, allowed=ExportJob.MOVES, changes={"file": ""})
        expired += 1
    return expired


def export_job_downloadable(job: ExportJob, user) -> bool:
    """Only the requester, only a finished job whose file has not expired."""
    return (
        job.created_by_id == user.pk
        and job.status == ExportJob.Status.DONE
        and bool(job.file)
        and (job.expires_at is None or job.expires_at > timezone.now())
    )
