"""The pages of a long list's export (issue 16, point 4), under ``admin/exports/``."""

from django.urls import path

from . import export_views

urlpatterns = [
    path("<int:job_id>/", export_views.export_job, name="export-job"),
    path("<int:job_id>/download/", export_views.export_job_download, name="export-job-download"),
]
