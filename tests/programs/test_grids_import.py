"""Grid assignments from Excel (网格划分): the portal's import pages preview every row with each bad row's errors
named by column, then save all the rows (grids, micro-grids, enterprises moved, people assigned) or none."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from programs import grids, imports
from programs.models import AuditEntry, Enterprise, Grid, GridAssignment, ImportJob, MicroGrid, User
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db
HEADER = ["社区区划代码", "网格编码", "网格名称", "微网格编码", "微网格名称", "统一社会信用代码", "人员账号", "职责"]


def xlsx(rows, header=HEADER):
    book = Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    return SimpleUploadedFile("grids.xlsx", content.getvalue())


@pytest.fixture
def people(cast):
    manager = UserFactory(username="wangguanjia", role=User.Role.GRID_MANAGER, region=cast.county)
    leader = UserFactory(username="lizhang", role=User.Role.COORDINATOR, region=cast.regions["town"])
    second = EnterpriseFactory(region=cast.village)
    return {"manager": manager, "leader": leader, "second": second}


def good_rows(cast, people):
    village = cast.village.code
    return [
        [village, "G01", "第一网格", "G01-01", "微网格01", cast.enterprise.credit_code, "", ""],
        [village, "G01", "", "G01-02", "微网格02", people["second"].credit_code, "wangguanjia", "网格管家"],
        [village, "G01", "第一网格", "", "", "", "lizhang", "包联领导"],
    ]


def test_the_grid_assignments_are_previewed_then_saved_whole(client, cast, people):
    client.force_login(cast.coordinator)
    upload = xlsx(good_rows(cast, people))
    response = client.post("/admin/imports/", {"kind": "grid_assignments", "file": upload}, follow=True)
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert (job.status, job.total_rows, job.errors) == ("validated", 3, [])
    assert "微网格02" in response.text  # the preview, before anything is saved
    assert not Grid.objects.exists()
    client.post(f"/admin/imports/{job.pk}/")
    job.refresh_from_db()
    assert (job.status, job.saved_rows) == ("done", 3)
    grid = Grid.objects.get(community=cast.village, code="G01")
    assert grid.name == "第一网格"
    assert sorted(grid.micro_grids.values_list("code", "name")) == [("G01-01", "微网格01"), ("G01-02", "微网格02")]
    assert Enterprise.objects.get(pk=cast.enterprise.pk).micro_grid.code == "G01-01"
    assert Enterprise.objects.get(pk=people["second"].pk).micro_grid.code == "G01-02"
    current = GridAssignment.objects.current()
    assert current.filter(user=people["manager"], micro_grid__code="G01-02", role="grid_manager").exists()
    assert current.filter(user=people["leader"], grid=grid, role="liaison_leader").exists()
    assert AuditEntry.objects.filter(action="grid.create", actor=cast.coordinator).count() == 1


def test_bad_rows_are_named_by_field_and_nothing_is_saved(cast, people):
    village = cast.village.code
    stranger = EnterpriseFactory(region=cast.village)
    grids.grid_create(community=cast.village, name="第一网格", code="G01", actor=None)
    rows = [
        *good_rows(cast, people),
        ["330212999999", "G01", "第一网格", "", "", "", "", ""],  # no such community of the coordinator's
        [village, "G01", "另一个名字", "", "", "", "", ""],  # G01 is 第一网格 on record
        [village, "G02", "", "", "", "", "", ""],  # a new grid without a name
        [village, "G01", "", "", "", stranger.credit_code, "", ""],  # an enterprise needs a micro-grid
        [village, "G01", "", "G01-03", "微网格03", "91330000MA0000000X", "", ""],  # no such enterprise
        [village, "G01", "", "G01-04", "微网格04", "", "lizhang", "网格管家"],  # not of the grid manager role
        [village, "G01", "", "G01-05", "微网格05", "", "wangguanjia", "组长"],  # no such duty
        [village, "G01", "", "G01-06", "微网格06", "", "nobody", "指导员"],  # no such account
        [village, "G01", "", "G01-01", "微网格01", cast.enterprise.credit_code, "", ""],  # the enterprise twice
    ]
    job = imports.import_job_create(kind="grid_assignments", uploaded=xlsx(rows), actor=cast.coordinator)
    assert job.status == "invalid"
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (5, "社区区划代码"),
        (6, "网格名称"),
        (7, "网格名称"),
        (8, "微网格编码"),
        (9, "统一社会信用代码"),
        (10, "人员账号"),
        (11, "职责"),
        (12, "人员账号"),
        (13, "统一社会信用代码"),
    ]
    assert not MicroGrid.objects.exists() and not GridAssignment.objects.exists()
    assert Enterprise.objects.filter(micro_grid__isnull=False).count() == 0


def test_a_grid_manager_cannot_import_grid_assignments(client, cast, people):
    assert "grid_assignments" not in {i.kind for i in imports.importers_for(people["manager"])}
    client.force_login(people["manager"])
    client.post("/admin/imports/", {"kind": "grid_assignments", "file": xlsx(good_rows(cast, people))})
    assert not ImportJob.objects.exists()
