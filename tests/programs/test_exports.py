"""Every admin list exports what the filter shows, as Excel or CSV, scoped as the list is."""

import csv
import io

import pytest
from openpyxl import load_workbook

from programs.admin import EnterpriseAdmin
from tests.factories import EnterpriseFactory, officer, region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprises():
    village = region_tree("330212")["village"]
    return {
        "key": EnterpriseFactory(region=village, is_key=True, name="重点甲"),
        "plain": EnterpriseFactory(region=village, is_key=False, name="普通乙"),
        "far": EnterpriseFactory(region=region_tree("330902", "定海区")["village"], is_key=True, name="远方丙"),
    }


def test_the_excel_export_contains_exactly_the_filtered_rows(client, enterprises):
    client.force_login(officer())
    response = client.get("/admin/programs/enterprise/?is_key__exact=1&_export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    names = [row[0] for row in rows[1:]]
    assert names == ["重点甲"]  # the plain one is filtered out, the far one is outside the officer's region
    assert enterprises["key"].credit_code in rows[1]


def test_the_csv_export_opens_in_excel_and_has_the_list_columns(client, enterprises):
    client.force_login(officer())
    response = client.get("/admin/programs/enterprise/?_export=csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["名称", "统一社会信用代码", "地区"]  # the list's columns, in its order
    assert len(rows[0]) == len(EnterpriseAdmin.list_display)
    assert sorted(r[0] for r in rows[1:]) == sorted(["重点甲", "普通乙"])


def test_the_list_page_offers_both_exports(client, enterprises):
    client.force_login(officer())
    page = client.get("/admin/programs/enterprise/?is_key__exact=1")
    assert "_export=xlsx" in page.text and "_export=csv" in page.text
