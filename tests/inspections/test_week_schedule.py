"""The officer's printable week schedule, with each visit's inspection code."""

import pytest

from inspections.services import format_code
from tests.cast import Cast
from tests.factories import officer
from tests.inspections.factories import InspectionFactory

pytestmark = pytest.mark.django_db


def test_an_officer_prints_the_week_with_each_visits_code(client):
    cast = Cast()
    inspection = InspectionFactory(cast=cast)
    client.force_login(cast.market_officer)
    page = client.get("/inspections/week/", {"week": inspection.week_start.isoformat()})
    assert page.status_code == 200
    assert cast.enterprise.name in page.text
    assert format_code(inspection.code) in page.text
    assert "<svg" in page.text


def test_another_officers_week_is_not_listed(client):
    cast = Cast()
    inspection = InspectionFactory(cast=cast)
    client.force_login(officer(cast.fire))
    page = client.get("/inspections/week/", {"week": inspection.week_start.isoformat()})
    assert cast.enterprise.name not in page.text


def test_a_coordinator_prints_an_officers_week(client):
    cast = Cast()
    inspection = InspectionFactory(cast=cast)
    client.force_login(cast.coordinator)
    page = client.get(
        "/inspections/week/", {"week": inspection.week_start.isoformat(), "officer": cast.market_officer.pk}
    )
    assert page.status_code == 200
    assert format_code(inspection.code) in page.text
