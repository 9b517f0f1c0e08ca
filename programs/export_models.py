"""The export of a long admin list (issue 16, point 4): run by a Celery worker, its progress on the row, its file
downloaded by the requester only, until it expires."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def export_file_name(instance, filename: str) -> str:
    """``exports/<uuid4><ext>``: a name nobody can guess; the download goes through the job's page anyway."""
    return f"exports/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


class ExportJob(models.Model):
    """One export of an admin list as filtered (its model, its query string), written by a worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Exporting")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    MOVES = {
        Status.QUEUED: [Status.RUNNING],
        Status.RUNNING: [Status.DONE, Status.FAILED],
        Status.DONE: [Status.EXPIRED],
        Status.FAILED: [Status.EXPIRED],
    }

    model = models.CharField(
        pgettext_lazy("export", "list"), max_length=100, help_text=_("app_label.model_name of the admin list.")
    )
    admin_site = models.CharField(max_length=50, default="admin")
    path = models.CharField(max_length=200)
    query = models.TextField(_("filters"), blank=True)
    format = models.CharField(_("format"), max_length=4)
    language = models.CharField(max_length=10, blank=True)
    title = models.CharField(pgettext_lazy("export", "title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    written_rows = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=export_file_name, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # The last sign of life of the run (its claim, then every CHUNK rows): a run silent for long was interrupted.
    progress_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="export_job_status_expiry")]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.title} #{self.pk}"

    @property
    def progress(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(100 * self.written_rows / self.total_rows)) if self.total_rows else 0
