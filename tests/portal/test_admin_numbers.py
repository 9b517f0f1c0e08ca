"""Issue 15, point 1: amounts and counts in the staff's lists read in the locale's grouping (1,540,000.00)."""

import pytest
from django.test import Client

from programs.models import User
from tests.workshops.factories import PositionFactory

pytestmark = pytest.mark.django_db


def test_an_amount_in_an_admin_list_is_grouped_and_still_sorts():
    PositionFactory(pay_amount="1540000.00", openings=12000)
    admin = User.objects.create_superuser("numbers-admin", password="pw-numbers-1")
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/workshops/position/", {"o": "6"}).content.decode()
    assert "1,540,000.00" in page and "1540000.00" not in page
    assert "12,000" in page
    assert "?o=" in page  # the grouped columns keep their sort links


def test_the_export_of_a_grouped_column_writes_the_number_itself():
    from io import BytesIO

    from openpyxl import load_workbook

    PositionFactory(pay_amount="1540000.00", openings=12000)
    admin = User.objects.create_superuser("numbers-export", password="pw-numbers-2")
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/workshops/position/", {"_export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert 12000 in rows[1] and 1540000 in rows[1], rows[1]  # number cells, not "1,540,000.00"
