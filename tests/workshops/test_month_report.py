"""A workshop's printable monthly employment report."""

from datetime import date
from decimal import Decimal

import pytest

from tests.workshops.factories import PositionFactory, RegistrationFactory, WorkshopFactory, organiser, village
from workshops import services

pytestmark = pytest.mark.django_db


def employed(position, baseline, income, month):
    registration = RegistrationFactory(position=position, status="accepted", baseline_monthly_income=baseline)
    employment = services.registration_employ(registration=registration, actor=None, start_date=date(2025, 2, 1))
    if income is not None:
        services.income_record(employment=employment, month=month, income=Decimal(income), actor=None)
    return registration


def test_the_report_lists_who_worked_that_month_with_their_increase(client):
    home = village()
    workshop = WorkshopFactory(village=home, name="离岛耕海共富工坊")
    position = PositionFactory(workshop=workshop, title="对虾加工", openings=5)
    month = date(2025, 3, 1)
    first = employed(position, "1000", "3600", month)
    employed(position, "1500", "3500", month)
    employed(position, "1200", None, month)  # no income recorded yet for March
    user = organiser(region=home.parent.parent)
    client.force_login(user)
    page = client.get(f"/admin/workshops/workshop/{workshop.pk}/report/", {"month": "2025-03"})
    assert page.status_code == 200
    assert page.context["employed"] == 3
    assert page.context["with_income"] == 2
    assert page.context["average_increase"] == Decimal("2300.00")  # (2600 + 2000) / 2
    assert first.resident.name in page.text
    assert first.resident.id_number in page.text  # the organiser of the region has the need to know


def test_an_organiser_of_another_region_cannot_open_it(client):
    workshop = WorkshopFactory(village=village())
    client.force_login(organiser(region=village("330902", name="定海一村").parent.parent))
    assert client.get(f"/admin/workshops/workshop/{workshop.pk}/report/").status_code in (302, 403, 404)
