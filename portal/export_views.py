"""The page of an export job (its progress, then the download link) and the download, for the requester only:
another person's job is not found."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from programs.export_jobs import export_job_downloadable
from programs.exports import CSV_TYPE, XLSX_TYPE
from programs.models import ExportJob


@staff_member_required
def export_job(request, job_id):
    job = get_object_or_404(ExportJob, pk=job_id, created_by=request.user)
    context = {
        **admin.site.each_context(request),
        "job": job,
        "downloadable": export_job_downloadable(job, request.user),
        "title": _("Export #%(id)s") % {"id": job.pk},
    }
    return render(request, "portal/exports/job.html", context)


@staff_member_required
def export_job_download(request, job_id):
    job = get_object_or_404(ExportJob, pk=job_id, created_by=request.user)
    if not export_job_downloadable(job, request.user):
        raise Http404(_("This export is not ready, or has expired."))
    content_type = CSV_TYPE if job.format == "csv" else XLSX_TYPE
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=content_type)
