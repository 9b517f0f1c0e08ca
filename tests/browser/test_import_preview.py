"""Issue 19, point 6, in a browser: a coordinator uploads an enterprise file whose columns are in another order
than the template, sees each value under its own header in the preview (in Chinese), confirms, and sees the
result; a file with an unknown header is refused by the header's name."""

import random

import pytest
from django.conf import settings
from openpyxl import Workbook

from programs.demo import make_credit_code
from programs.models import Enterprise
from tests.browser.conftest import screenshot, sign_in
from tests.factories import coordinator, region_tree

pytestmark = pytest.mark.django_db(transaction=True)
# Not the template's order (企业名称, 统一社会信用代码, 区划代码, 地址, 行业, 规模, …).
SHUFFLED = ["联系邮箱", "规模", "企业名称", "联系电话", "区划代码", "重点企业", "统一社会信用代码", "地址", "四新企业",
            "行业", "联系人"]  # fmt: skip


def workbook(path, header, records) -> None:
    book = Workbook()
    book.active.append(header)
    for record in records:
        book.active.append([record.get(h, "") for h in header])
    book.save(path)


def records_for(village, count: int) -> list[dict[str, str]]:
    rng = random.Random(19)
    return [
        {
            "企业名称": f"浏览器导入企业{n}",
            "统一社会信用代码": make_credit_code(rng, village.code[:6]),
            "区划代码": village.code,
            "地址": f"鄞州区首南路{n}号",
            "行业": "网络直播",
            "规模": "小型" if n else "中型",
            "重点企业": "是",
            "四新企业": "是" if n else "否",
            "联系人": f"王{n}",
            "联系电话": f"1370000{n:04d}",
            "联系邮箱": f"live{n}@example.cn",
        }
        for n in range(count)
    ]


def preview_cells(page) -> list[dict[str, str]]:
    headers = page.locator("#import-preview thead th").all_inner_texts()
    rows = page.locator("#import-preview tbody tr")
    return [dict(zip(headers, rows.nth(i).locator("td").all_inner_texts(), strict=True)) for i in range(rows.count())]


def test_a_coordinator_sees_each_value_under_its_header_in_a_shuffled_file_then_imports_it(page, tmp_path):
    village = region_tree()["village"]
    user = coordinator()
    records = records_for(village, 3)
    path = tmp_path / "企业名录.xlsx"
    workbook(path, SHUFFLED, records)

    sign_in(page, user.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto("/admin/imports/")
    page.select_option("select[name=kind]", value="enterprises")
    page.set_input_files("input[name=file]", str(path))
    page.click("#content-main form [type=submit]")
    page.wait_for_url("**/admin/imports/*/")
    assert "预览" in page.inner_text("#content-main")
    assert preview_cells(page) == records  # 11 columns, each value under its own header
    screenshot(page, "import-preview-shuffled")
    page.locator(".import-preview-scroll").evaluate("box => { box.scrollLeft = box.scrollWidth; }")  # wide: scrolls
    screenshot(page, "import-preview-shuffled-right")

    page.click("#confirm-import")
    page.wait_for_load_state()
    assert "已保存 3 行。" in page.inner_text("#content-main")
    screenshot(page, "import-done")
    stored = Enterprise.objects.get(name="浏览器导入企业0")
    assert (stored.credit_code, stored.size, stored.contact_email) == (
        records[0]["统一社会信用代码"], "medium", "live0@example.cn",
    )  # fmt: skip


def test_a_file_with_an_unknown_header_is_refused_by_its_name(page, tmp_path):
    village = region_tree()["village"]
    user = coordinator()
    path = tmp_path / "企业名录.xlsx"
    workbook(path, [*SHUFFLED, "传真"], records_for(village, 1))
    sign_in(page, user.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto("/admin/imports/")
    page.select_option("select[name=kind]", value="enterprises")
    page.set_input_files("input[name=file]", str(path))
    page.click("#content-main form [type=submit]")
    page.wait_for_load_state()
    error = page.inner_text(".errorlist")
    assert "传真" in error and "联系邮箱" in error
    screenshot(page, "import-unknown-header")
    assert not Enterprise.objects.exists()
