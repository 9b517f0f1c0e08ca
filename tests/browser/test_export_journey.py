"""Issue 16, point 4, in a browser: a coordinator exports a list longer than the threshold; instead of a file
they land on the export's page (in Chinese), which offers the download once written, and the file is theirs."""

import pytest
from django.conf import settings
from openpyxl import load_workbook

from programs import exports
from tests.browser.conftest import screenshot, sign_in
from tests.factories import EnterpriseFactory, coordinator, region_tree

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_a_coordinator_exports_a_long_list_through_an_export_job(request, screen, monkeypatch):
    page = request.getfixturevalue(screen)
    monkeypatch.setattr(exports, "EXPORT_SYNC_ROWS", 3)
    village = region_tree()["village"]
    EnterpriseFactory.create_batch(5, region=village)
    EnterpriseFactory(region=village, name="=1+2 浏览器导出")
    user = coordinator()

    sign_in(page, user.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto("/admin/programs/enterprise/")
    page.click("a.exportlink:has-text('Excel')")
    page.wait_for_url("**/admin/exports/*/")
    text = page.inner_text("#content-main")
    assert "企业" in text  # the list's name
    if "可以下载" not in text:  # still being written: the page refreshes itself until it is
        page.wait_for_selector("#export-download", timeout=60_000)
    assert "已导出 6 行。" in page.inner_text("#content-main")
    screenshot(page, f"export-job-ready-{screen}")

    with page.expect_download() as download_info:
        page.click("#export-download")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:  # a temporary name without ".xlsx"
        names = [row[0] for row in load_workbook(handle).active.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 6 and "'=1+2 浏览器导出" in names  # the formula stays text
