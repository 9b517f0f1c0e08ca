"""Bulk import: preview with row errors first, then all rows or none; columns matched by header name in any
order (issue 19, point 6); read, checked and saved in chunks (issue 16, point 5)."""

import csv
import io
import random
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook

from programs import imports
from programs.demo import make_credit_code
from programs.models import AuditEntry, Enterprise, ImportJob
from programs.validators import mask_id_number
from tests.factories import coordinator, officer, region_tree

pytestmark = pytest.mark.django_db
HEADER = ["企业名称", "统一社会信用代码", "区划代码", "规模", "重点企业"]
rng = random.Random(3)


def xlsx(rows, name="enterprises.xlsx", header=HEADER):
    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
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


# --- Issue 19, point 6: every value under its own header, whatever the file's column order ------------------


class PreviewTable(HTMLParser):
    """The headers and rows of the job page's preview table (``#import-preview``)."""

    def __init__(self):
        super().__init__()
        self.inside, self.cell, self.headers, self.rows = False, None, [], []

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "import-preview") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("th", "td") and self.cell is not None:
            (self.headers if tag == "th" else self.rows[-1]).append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def preview_of(client, job) -> list[dict[str, str]]:
    """The preview as the page shows it: {header: the cell under it} per row."""
    page = client.get(f"/admin/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "预览" in page.text  # the page speaks Chinese
    table = PreviewTable()
    table.feed(page.text)
    return [dict(zip(table.headers, row, strict=True)) for row in table.rows if row]


def assert_previewed(client, job, records: list[dict[str, str]]) -> None:
    """Each of the file's values under its own header; a column the file does not have shows empty cells."""
    shown = preview_of(client, job)
    assert [{header: row[header] for header in records[0]} for row in shown] == records
    assert {value for row in shown for header, value in row.items() if header not in records[0]} <= {""}


def sheet(records: list[dict[str, str]], fmt: str, name: str = "import") -> SimpleUploadedFile:
    """An .xlsx or .csv whose columns are the records' headers in a shuffled order (not the template's)."""
    header = list(records[0])
    template = list(header)
    while header == template:
        random.Random(len(header)).shuffle(header)
    rows = [header, *([record[h] for h in header] for record in records)]
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        return SimpleUploadedFile(f"{name}.csv", text.getvalue().encode("utf-8"))
    book = Workbook()
    for row in rows:
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    return SimpleUploadedFile(f"{name}.xlsx", content.getvalue())


def enterprise_record(village, n: int) -> dict[str, str]:
    return {
        "企业名称": f"乱序企业{n}",
        "统一社会信用代码": make_credit_code(rng, village.code[:6]),
        "区划代码": village.code,
        "地址": f"鄞州区天童路{n}号",
        "行业": "水产加工",
        "规模": "微型",
        "重点企业": "是",
        "四新企业": "否",
        "联系人": f"联系人{n}",
        "联系电话": f"1380000{n:04d}",
        "联系邮箱": f"contact{n}@example.cn",
    }


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_enterprise_preview_shows_each_value_under_its_header_whatever_the_column_order(client, fmt):
    village = region_tree()["village"]
    user = coordinator()
    client.force_login(user)
    records = [enterprise_record(village, n) for n in range(3)]
    answer = client.post(
        "/admin/imports/", {"kind": "enterprises", "file": sheet(records, fmt)}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    job = ImportJob.objects.get()
    assert answer.status_code == 302 and job.status == "validated", job.errors
    assert preview_of(client, job) == records  # all 11 headers, each cell that header's value
    client.post(f"/admin/imports/{job.pk}/")
    stored = Enterprise.objects.get(name="乱序企业1")
    assert (stored.credit_code, stored.size, stored.is_key, stored.is_four_new) == (
        records[1]["统一社会信用代码"], "micro", True, False,
    )  # fmt: skip
    assert (stored.contact_phone, stored.contact_email, stored.address) == ("13800000001", "contact1@example.cn",
                                                                             "鄞州区天童路1号")  # fmt: skip


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_plan_preview_shows_each_value_under_its_header_whatever_the_column_order(client, fmt):
    from inspections.models import PlanEntry
    from tests.factories import DepartmentFactory, EnterpriseFactory
    from tests.inspections.factories import ItemFactory

    department = DepartmentFactory()
    user = officer(department)
    client.force_login(user)
    items = ItemFactory.create_batch(2, department=department)
    records = [
        {
            "统一社会信用代码": enterprise.credit_code,
            "月份": f"2025-0{n + 3}",
            "检查事项编码": f"{items[0].code},{items[1].code}",
            "部门": department.name,
            "方式": "非现场" if n else "现场",
            "备注": f"备注{n}",
        }
        for n, enterprise in enumerate(EnterpriseFactory.create_batch(2))
    ]
    client.post("/admin/imports/", {"kind": "plan_entries", "file": sheet(records, fmt)})
    job = ImportJob.objects.get()
    assert job.status == "validated", job.errors
    assert_previewed(client, job, records)
    client.post(f"/admin/imports/{job.pk}/")
    entry = PlanEntry.objects.get(note="备注1")
    assert (entry.enterprise.credit_code, entry.month.isoformat(), entry.mode, entry.status) == (
        records[1]["统一社会信用代码"], "2025-04-01", PlanEntry.Mode.OFF_SITE, "submitted",
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_survey_preview_shows_each_value_under_its_header_with_id_numbers_masked(client, fmt):
    from tests.workshops.factories import grid_worker, id_number, village
    from workshops.models import Category, Resident

    home = village()
    worker = grid_worker(region=home.parent)
    client.force_login(worker)
    with translation.override("zh-hans"):
        category = str(Category.PRIMARY_PROCESSING.label)
    records = [
        {
            "姓名": f"村民{n}",
            "公民身份号码": id_number("19700101"),
            "村（社区）区划代码": home.code,
            "手机号": f"1390000{n:04d}",
            "残疾人": "是" if n else "否",
            "低收入农户": "否" if n else "是",
            "就业意愿": "是",
            "意向岗位类别": category,
            "摸排日期": f"2025-03-0{n + 1}",
        }
        for n in range(2)
    ]
    client.post("/admin/imports/", {"kind": "resident_surveys", "file": sheet(records, fmt)})
    job = ImportJob.objects.get()
    assert job.status == "validated", job.errors
    shown = [{**record, "公民身份号码": mask_id_number(record["公民身份号码"])} for record in records]
    assert_previewed(client, job, shown)
    client.post(f"/admin/imports/{job.pk}/")
    resident = Resident.objects.get(id_number=records[1]["公民身份号码"])
    assert (resident.name, resident.phone, resident.has_disability, resident.is_low_income) == (
        "村民1", "13900000001", True, False,
    )  # fmt: skip
    assert (resident.wished_categories, resident.surveyed_on.isoformat()) == (["primary_processing"], "2025-03-02")


def header_error(client, header: list[str]) -> str:
    village = region_tree()["village"]
    client.force_login(coordinator())
    values = {"企业名称": "甲", "统一社会信用代码": make_credit_code(rng, village.code[:6]), "区划代码": village.code}
    upload = xlsx([[values.get(h, "x") for h in header]], header=header)
    answer = client.post("/admin/imports/", {"kind": "enterprises", "file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 200 and not ImportJob.objects.exists()
    return " ".join(answer.context["form"].errors["file"])


def test_an_unknown_header_is_refused_by_name_with_the_columns_the_import_knows(client):
    error = header_error(client, ["企业名称", "统一社会信用代码", "传真", "区划代码"])
    assert "“传真”" in error or "传真" in error
    assert "联系邮箱" in error  # the columns it could have been


def test_a_header_written_twice_is_refused_by_name(client):
    assert "规模" in header_error(client, ["规模", "企业名称", "统一社会信用代码", "区划代码", "规模"])


def test_a_missing_required_header_is_refused_by_name(client):
    error = header_error(client, ["企业名称", "统一社会信用代码", "地址"])
    assert "区划代码" in error and "企业名称" not in error


def test_a_header_is_matched_with_half_width_brackets_and_spaces():
    columns = imports.REGISTRY["resident_surveys"].columns
    index = imports.header_index(["姓名 ", "公民身份号码", "村(社区)区划代码", ""], columns)
    assert index == {"name": 0, "id_number": 1, "village_code": 2}


def test_a_column_without_a_header_between_named_ones_is_refused():
    columns = imports.REGISTRY["enterprises"].columns
    with pytest.raises(ValidationError) as refused:
        imports.header_index(["企业名称", "", "统一社会信用代码", "区划代码"], columns)
    assert "2" in " ".join(refused.value.message_dict["file"])


# --- Issue 16, point 5: chunks, the file's codes only, the field validators -----------------------------------


def test_each_field_is_checked_by_its_own_validators():
    village = region_tree()["village"]
    header = ["企业名称", "统一社会信用代码", "区划代码", "联系邮箱", "规模"]
    rows = [
        ["甲" * 201, make_credit_code(rng, village.code[:6]), village.code, "not-an-email", "巨型"],
        ["乙", make_credit_code(rng, village.code[:6]), village.code, "ok@example.cn", "中型"],
    ]
    job = imports.import_job_create(kind="enterprises", uploaded=xlsx(rows, header=header), actor=coordinator())
    assert sorted((e["row"], e["column"]) for e in job.errors) == [(2, "企业名称"), (2, "联系邮箱"), (2, "规模")]


def test_only_the_files_codes_are_looked_up_one_query_per_chunk(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    village = region_tree()["village"]
    user = coordinator()
    registered = Enterprise.objects.create(
        name="已登记", credit_code=make_credit_code(rng, village.code[:6]), region=village
    )
    rows = [good_row(village, n) for n in range(5)]
    rows[3][1] = registered.credit_code
    with CaptureQueriesContext(connection) as queries:
        job = imports.import_job_create(kind="enterprises", uploaded=xlsx(rows), actor=user)
    lookups = [q["sql"] for q in queries if 'FROM "programs_enterprise"' in q["sql"]]
    assert len(lookups) == 3 and all(" IN (" in sql for sql in lookups)  # 5 rows, chunks of 2
    assert [(e["row"], e["column"]) for e in job.errors] == [(5, "统一社会信用代码")]


def test_the_same_code_in_two_chunks_is_an_error_on_the_later_row(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    village = region_tree()["village"]
    rows = [good_row(village, n) for n in range(4)]
    rows[3][1] = rows[0][1]
    job = imports.import_job_create(kind="enterprises", uploaded=xlsx(rows), actor=coordinator())
    assert [e["row"] for e in job.errors] == [5]


def test_a_run_saves_chunk_by_chunk_with_progress_and_an_audit_row_per_chunk_naming_its_enterprises(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    progress = []
    real_set = imports.cache.set
    monkeypatch.setattr(imports.cache, "set", lambda key, value, *a: (progress.append(value), real_set(key, value, *a)))
    village = region_tree()["village"]
    user = coordinator()
    job = imports.import_job_create(kind="enterprises", uploaded=xlsx([good_row(village, n) for n in range(5)]),
                                    actor=user)  # fmt: skip
    job = imports.import_job_confirm(job=job, actor=user)
    assert (job.status, job.saved_rows, progress) == ("done", 5, [2, 4, 5])
    audit = AuditEntry.objects.filter(field="imported").order_by("id")
    assert [a.new_value for a in audit] == ["2", "2", "1"]
    assert {(a.actor_id, a.data["import_job"]) for a in audit} == {(user.pk, job.pk)}
    named = [pk for a in audit for pk in a.data["enterprises"]]
    assert sorted(named) == sorted(Enterprise.objects.values_list("pk", flat=True))
    assert all(a.object_id == a.data["enterprises"][0] for a in audit)


def test_a_later_chunk_that_fails_at_run_time_rolls_back_the_saved_chunks(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    village = region_tree()["village"]
    user = coordinator()
    rows = [good_row(village, n) for n in range(5)]
    job = imports.import_job_create(kind="enterprises", uploaded=xlsx(rows), actor=user)
    Enterprise.objects.create(name="抢先登记", credit_code=rows[4][1], region=village)  # meanwhile
    job = imports.import_job_confirm(job=job, actor=user)
    assert job.status == "failed"
    assert [(e["row"], e["column"]) for e in job.errors] == [(6, "统一社会信用代码")]
    assert list(Enterprise.objects.values_list("name", flat=True)) == ["抢先登记"]


def test_a_preview_stored_with_its_keys_in_another_order_is_shown_under_the_right_headers(client):
    """The reported bug: PostgreSQL's jsonb keeps an object's keys sorted by length, not as written, and the page
    showed the stored values in that order (the credit code under 规模, the email under 联系电话)."""
    user = coordinator()
    client.force_login(user)
    record = enterprise_record(region_tree()["village"], 7)
    keys = {c.header: c.key for c in imports.REGISTRY["enterprises"].columns}
    stored = {keys[header]: value for header, value in reversed(record.items())}
    job = ImportJob.objects.create(kind="enterprises", created_by=user, status="invalid", preview=[stored])
    assert preview_of(client, job) == [record]


def test_an_import_file_has_its_own_size_limit_above_the_other_uploads(settings):
    village = region_tree()["village"]
    settings.UPLOAD_MAX_BYTES = 1024  # a photo's limit does not bind a spreadsheet of 100,000 rows
    job = imports.import_job_create(kind="enterprises", uploaded=xlsx([good_row(village, 1)]), actor=coordinator())
    assert job.status == "validated"
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        imports.import_job_create(kind="enterprises", uploaded=xlsx([good_row(village, 2)]), actor=coordinator())
    assert refused.value.error_dict["file"][0].code == "file_too_large"


def test_the_keys_a_file_has_named_are_remembered_across_many_chunks():
    from programs.spreadsheets import SeenKeys

    seen = SeenKeys()
    codes = [f"9133021200000{n:05d}" for n in range(5000)]
    assert not any(seen.add(code) for code in codes)  # first time each: none seen before
    assert all(seen.add(code) for code in codes[::-7])  # again, whichever run holds it
    assert not seen.add("91330212000009999X") and seen.add((1, 2, "2025-03-01")) is False
    assert seen.add((1, 2, "2025-03-01"))
    assert sum(len(run) for run in seen.runs) + len(seen.pending) == 5002


def test_a_plan_import_looks_up_its_enterprises_once_per_chunk(monkeypatch):
    from tests.factories import DepartmentFactory, EnterpriseFactory
    from tests.inspections.factories import ItemFactory

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    department = DepartmentFactory()
    item = ItemFactory(department=department)
    records = [
        {"统一社会信用代码": e.credit_code, "月份": "2025-05", "检查事项编码": item.code, "部门": department.name}
        for e in EnterpriseFactory.create_batch(4)
    ]
    user = officer(department)
    with CaptureQueriesContext(connection) as queries:
        job = imports.import_job_create(kind="plan_entries", uploaded=sheet(records, "csv"), actor=user)
    assert job.status == "validated", job.errors
    lookups = [q["sql"] for q in queries if 'FROM "programs_enterprise"' in q["sql"]]
    assert len(lookups) == 2 and all(" IN (" in sql for sql in lookups)


def test_a_code_registered_by_someone_else_during_the_run_fails_the_job_cleanly(monkeypatch):
    village = region_tree()["village"]
    user = coordinator()
    rows = [good_row(village, n) for n in range(3)]
    job = imports.import_job_create(kind="enterprises", uploaded=xlsx(rows), actor=user)
    Enterprise.objects.create(name="同时登记", credit_code=rows[2][1], region=village)
    monkeypatch.setattr(imports.EnterpriseImporter, "prepare", lambda self, rows: None)  # registered after the check
    job = imports.import_job_confirm(job=job, actor=user)
    assert job.status == "failed" and "重新上传" in job.errors[0]["message"]
    assert list(Enterprise.objects.values_list("name", flat=True)) == ["同时登记"]
