"""Indicators from records, by region and period, against a data set computed by hand.

Period 2025-01-01 … 2025-03-31, 岱山县 (330921) with two towns, and 定海区 (330902) next door:

workshops operating: W1 (town 1, since 2024) and W2 (town 2, from Feb 2025) → 2; W3 opens in April and W4
closed in 2024: not counted; W5 is in 定海.
people employed: R1 (low income; in W1 and also in W2), R2 (low income, disabled; W2), R4 (W1) → 3;
R3's employment ended in 2024. Low income 2, disabled 1.
monthly income increase: R1 (3000, 3400, 3200 over 1000) → 2200; R2 (1500, 2500 over 0) → 2000;
R4 (2600 over 2000; April is outside) → 600. Mean (2200 + 2000 + 600) / 3 = 1600.00.
markets: 30 + 10 stalls, 20000 + 500 visitors, 78000 + 26000 = 104000.00, 2600.00 a stall (a cancelled one
and an April one left out; 定海's one is another region's); live-streaming 1 activity, 40 sessions, 120000.50
sales; 1 training with 25 trainees.
Town 1 alone: 1 workshop, R1 and R4 → 2 employed, 1 low income, (2200 + 600) / 2 = 1400.00.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from programs.models import Region
from workshops.models import Activity, Employment, IncomeRecord, Market, MarketParticipation
from workshops.selectors import workshop_indicators

from .factories import (
    PositionFactory,
    RegistrationFactory,
    ResidentFactory,
    WorkshopFactory,
    grid_worker,
    organiser,
    village,
)

pytestmark = pytest.mark.django_db
START, END = date(2025, 1, 1), date(2025, 3, 31)


def employ(workshop, resident, *, start, end=None, baseline, incomes=()):
    registration = RegistrationFactory(
        resident=resident,
        position=PositionFactory(workshop=workshop),
        status="employed",
        baseline_monthly_income=baseline,
    )
    employment = Employment.objects.create(registration=registration, start_date=start, end_date=end, wage=3000)
    for month, income in incomes:
        IncomeRecord.objects.create(employment=employment, month=month, income=Decimal(income))
    return employment


@pytest.fixture
def records():
    town1, town2 = village(town=1, number=1), village(town=2, number=1)
    w1 = WorkshopFactory(village=town1, opened_on=date(2024, 1, 1))
    w2 = WorkshopFactory(village=town2, opened_on=date(2025, 2, 1))
    WorkshopFactory(village=town1, opened_on=date(2025, 4, 10))
    WorkshopFactory(village=town1, opened_on=date(2023, 1, 1), closed_on=date(2024, 12, 31), status="closed")
    w5 = WorkshopFactory(village=village("330902"), opened_on=date(2024, 1, 1))

    r1 = ResidentFactory(village=town1, is_low_income=True)
    employ(w1, r1, start=date(2024, 6, 1), baseline=1000,
           incomes=[(date(2025, 1, 1), 3000), (date(2025, 2, 1), 3400), (date(2025, 3, 1), 3200)])  # fmt: skip
    employ(w2, r1, start=date(2025, 3, 1), baseline=1000)
    r2 = ResidentFactory(village=town2, is_low_income=True, has_disability=True)
    employ(w2, r2, start=date(2025, 2, 15), baseline=0, incomes=[(date(2025, 2, 1), 1500), (date(2025, 3, 1), 2500)])
    r3 = ResidentFactory(village=town1)
    employ(w1, r3, start=date(2024, 1, 1), end=date(2024, 12, 31), baseline=500, incomes=[(date(2024, 12, 1), 4000)])
    r4 = ResidentFactory(village=town1)
    employ(w1, r4, start=date(2025, 3, 1), baseline=2000, incomes=[(date(2025, 3, 1), 2600), (date(2025, 4, 1), 5000)])
    r5 = ResidentFactory(village=w5.village, is_low_income=True)
    employ(w5, r5, start=date(2025, 1, 1), baseline=0, incomes=[(date(2025, 1, 1), 9999)])

    def activity(workshop, kind, held_on, **figures):
        Activity.objects.create(workshop=workshop, kind=kind, title=f"{kind} {held_on}", held_on=held_on, **figures)

    def market(held_on, workshop, stalls, revenue, **fields):
        held = Market.objects.create(title=f"大市集 {held_on}", held_on=held_on, **fields)
        MarketParticipation.objects.create(market=held, workshop=workshop, stalls=stalls, revenue=Decimal(revenue))

    market(date(2025, 1, 20), w1, 30, "78000", visitors=20000)
    market(date(2025, 3, 5), w2, 10, "26000", visitors=500)
    activity(w1, "live_stream", date(2025, 2, 1), sessions=40, revenue=Decimal("120000.50"))
    activity(w1, "training", date(2025, 3, 10), participants=25)
    market(date(2025, 2, 10), w1, 99, "99999", is_cancelled=True)
    market(date(2025, 4, 2), w1, 5, "1000")
    market(date(2025, 1, 20), w5, 7, "5000")
    return {"county": Region.objects.get(code="330921000000"), "town1": town1.parent}


def test_the_county_figures_match_the_hand_computed_ones(records):
    zhoushan_organiser = organiser(region=Region.objects.get(code="330900000000"))
    figures = workshop_indicators(user=zhoushan_organiser, region=records["county"], start=START, end=END)
    assert figures == {
        "region": "330921000000",
        "region_name": records["county"].name,
        "start": START,
        "end": END,
        "workshops": 2,
        "people_employed": 3,
        "low_income_employed": 2,
        "disabled_employed": 1,
        "people_with_income_records": 3,
        "average_monthly_income_increase": Decimal("1600.00"),
        "markets": {
            "count": 2,
            "workshops": 2,
            "stalls": 40,
            "visitors": 20500,
            "revenue": Decimal("104000.00"),
            "average_revenue_per_stall": Decimal("2600.00"),
            "products_offered": 0,
            "supply_points_outside_city": 0,
        },
        "live_streams": {"count": 1, "sessions": 40, "sales": Decimal("120000.50")},
        "trainings": {"count": 1, "participants": 25},
        "activity_revenue": Decimal("224000.50"),
        "offers": {"sent": 0, "leading_to_registration": 0},  # tests/workshops/test_offers.py
        "courses": {"count": 0, "enrolments": 0, "attended": 0},  # tests/workshops/test_courses.py
    }


def test_a_town_has_its_own_figures(records):
    figures = workshop_indicators(user=organiser(), region=records["town1"], start=START, end=END)
    assert (figures["workshops"], figures["people_employed"], figures["low_income_employed"]) == (1, 2, 1)
    assert figures["average_monthly_income_increase"] == Decimal("1400.00")


def test_a_user_only_counts_what_their_region_holds(records):
    dinghai_worker = grid_worker(region=Region.objects.get(code="330902000000"))
    figures = workshop_indicators(user=dinghai_worker, start=START, end=END)
    assert (figures["workshops"], figures["people_employed"], figures["low_income_employed"]) == (1, 1, 1)
    assert figures["average_monthly_income_increase"] == Decimal("9999.00")


def test_the_indicators_endpoint_reports_the_figures_and_a_breakdown_by_town(records, api_as):
    client = api_as(organiser())  # 岱山县 organiser
    query = {"region": records["county"].pk, "start": "2025-01-01", "end": "2025-03-31", "breakdown": "true"}
    response = client.get("/api/v1/indicators/workshops/", query)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["region"], body["workshops"], body["people_employed"]) == ("330921000000", 2, 3)
    assert body["average_monthly_income_increase"] == "1600.00"
    assert body["markets"]["revenue"] == "104000.00"
    by_town = {row["region"]: row["people_employed"] for row in body["breakdown"]}
    assert by_town == {"330921001000": 2, "330921002000": 2}


def test_without_a_region_the_endpoint_reports_the_callers_region_from_1_january_to_today(records, api_as):
    body = api_as(organiser()).get("/api/v1/indicators/workshops/?breakdown=true").json()
    today = timezone.localdate()
    assert (body["start"], body["end"]) == (date(today.year, 1, 1).isoformat(), today.isoformat())
    assert body["region"] == "330921000000"
    assert [row["region"] for row in body["breakdown"]] == ["330921001000", "330921002000"]


def test_the_indicators_endpoint_refuses_a_region_outside_the_callers_and_bad_periods(records, api_as):
    client = api_as(organiser())
    outside = client.get(f"/api/v1/indicators/workshops/?region={Region.objects.get(code='330902000000').pk}")
    assert outside.status_code == 400
    assert "region" in outside.json()["error"]["fields"]
    # The region above the caller's (舟山市 for a 岱山县 organiser) is outside too: a region lies inside the scope.
    above = client.get(f"/api/v1/indicators/workshops/?region={Region.objects.get(code='330900000000').pk}")
    assert above.status_code == 400
    assert "region" in above.json()["error"]["fields"]
    backwards = client.get("/api/v1/indicators/workshops/?start=2025-03-01&end=2025-01-01")
    assert "end" in backwards.json()["error"]["fields"]


def test_residents_and_enterprises_cannot_read_the_indicators(api_as):
    from tests.factories import enterprise_user

    assert api_as(enterprise_user()).get("/api/v1/indicators/workshops/").status_code == 403
