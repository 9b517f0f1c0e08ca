"""Bulk import: preview with row errors first, then all rows or none."""

import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from programs import imports
from programs.demo import make_credit_code
from programs.models import Enterprise, ImportJob
from tests.factories import coordinator, officer, region_tree

pytestmark = pytest.mark.django_db
HEADER = ["企业名称", "统一社会信用代码", "区划代码", "规模", "重点企业"]
rng = random.Random(3)


def xlsx(rows, name="enterprises.xlsx"):
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    return SimpleUploadedFile(name, content.getvalue())


def good_row(village, n):
    return [f"导入企业{n}", make_credit_code(rng, village.code[:6]), village.code, "小型", "是"]


def test_a_file_with_one_bad_row_is_reported_and_nothing_is_saved(client):
    village = region_tree()["village"]
    user = coordinator()
    client.force_login(user)
    bad = [*good_row(village, 2)]
    bad[1] = bad[1][:-1] + ("0" if bad[1][-1] != "0" else "1")
    upload = xlsx([good_row(village, 1), bad, good_row(village, 3)])
    response = client.post("/admin/imports/", {"kind": "enterprises", "file": upload}, follow=True)
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "统一社会信用代码")]
    assert "统一社会信用代码" in response.text and "import-errors" in response.text
    assert client.post(f"/admin/imports/{job.pk}/").status_code == 302  # confirming an invalid job does nothing
    assert not Enterprise.objects.exists()


def test_a_valid_file_is_previewed_then_saved_whole_on_confirmation(client):
    village = region_tree()["village"]
    client.force_login(coordinator())
    client.post("/admin/imports/", {"kind": "enterprises", "file": xlsx([good_row(village, n) for n in range(5)])})
    job = ImportJob.objects.get()
    assert job.status == "validated"
    assert not Enterprise.objects.exists()  # the preview saves nothing
    client.post(f"/admin/imports/{job.pk}/")
    job.refresh_from_db()
    assert (job.status, job.saved_rows) == ("done", 5)
    assert Enterprise.objects.filter(is_key=True, size="small").count() == 5


def test_the_same_code_twice_in_one_file_is_an_error_on_the_second_row():
    village = region_tree()["village"]
    row = good_row(village, 1)
    job = imports.import_job_create(kind="enterprises", uploaded=xlsx([row, [*row]]), actor=coordinator())
    assert job.status == "invalid"
    assert [e["row"] for e in job.errors] == [3]


def test_a_large_file_is_saved_by_a_background_task_with_progress(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(imports, "IMPORT_SYNC_ROWS", 10)
    village = region_tree()["village"]
    user = coordinator()
    job = imports.import_job_create(
        kind="enterprises", uploaded=xlsx([good_row(village, n) for n in range(40)]), actor=user
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = imports.import_job_confirm(job=job, actor=user)
        assert job.status == "queued"  # answered at once; the task runs after commit
    assert len(callbacks) == 1
    imports.import_job_run(job_id=job.pk)  # a retried task does nothing more
    job.refresh_from_db()
    assert (job.status, job.saved_rows, imports.import_job_progress(job)) == ("done", 40, 40)
    assert Enterprise.objects.count() == 40


def test_a_role_without_an_importer_cannot_import():
    with pytest.raises(ValidationError) as refused:
        imports.import_job_create(kind="enterprises", uploaded=xlsx([]), actor=officer())
    assert refused.value.code == "import_not_allowed"


def test_a_department_imports_its_plan_and_the_entries_are_submitted():
    from inspections.models import PlanEntry
    from tests.factories import DepartmentFactory, EnterpriseFactory
    from tests.inspections.factories import ItemFactory

    department = DepartmentFactory()
    user = officer(department)
    item = ItemFactory(department=department)
    enterprises = EnterpriseFactory.create_batch(2)
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "月份", "检查事项编码", "方式"])
    for enterprise in enterprises:
        sheet.append([enterprise.credit_code, "2025-03", item.code, "现场"])
    content = io.BytesIO()
    book.save(content)
    job = imports.import_job_create(
        kind="plan_entries", uploaded=SimpleUploadedFile("plan.xlsx", content.getvalue()), actor=user
    )
    assert job.status == "validated", job.errors
    imports.import_job_confirm(job=job, actor=user)
    entries = PlanEntry.objects.filter(department=department)
    assert entries.count() == 2
    assert set(entries.values_list("status", flat=True)) == {"submitted"}


def test_a_survey_import_masks_id_numbers_in_its_preview_and_registers_residents():
    from tests.workshops.factories import grid_worker, id_number, village
    from workshops.models import Resident

    home = village()
    worker = grid_worker(region=home.parent)
    number = id_number("19640305")
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "公民身份号码", "村（社区）区划代码", "残疾人", "意向岗位类别"])
    sheet.append(["汤忠定", number, home.code, "是", "Primary processing (sorting, shelling)"])
    content = io.BytesIO()
    book.save(content)
    job = imports.import_job_create(
        kind="resident_surveys", uploaded=SimpleUploadedFile("survey.xlsx", content.getvalue()), actor=worker
    )
    assert job.status == "validated", job.errors
    assert number not in str(job.preview)
    imports.import_job_confirm(job=job, actor=worker)
    resident = Resident.objects.get(id_number=number)
    assert resident.has_disability and resident.grid_worker == worker
    assert resident.wished_categories == ["primary_processing"]


def test_an_import_whose_task_was_lost_is_sent_again_and_imported_once(monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from programs.tasks import requeue_stalled_imports

    monkeypatch.setattr(imports, "IMPORT_SYNC_ROWS", 1)
    village = region_tree()["village"]
    user = coordinator()
    job = imports.import_job_create(
        kind="enterprises", uploaded=xlsx([good_row(village, n) for n in range(3)]), actor=user
    )
    job = imports.import_job_confirm(job=job, actor=user)  # its task is never sent: on_commit does not run here
    assert requeue_stalled_imports() == 0  # not stalled yet
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    assert requeue_stalled_imports() == 1  # sent again (eagerly run here)
    assert requeue_stalled_imports() == 0
    job.refresh_from_db()
    assert (job.status, job.saved_rows) == ("done", 3)
    assert Enterprise.objects.count() == 3
