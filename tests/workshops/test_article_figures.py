"""The Zhoushan article's workshop figures (seed 000, 舟山：打造海味共富工坊), each rebuilt from raw records made to
produce it and read from the indicator API as an organiser of 舟山市 reads it (docs/figures.md lists every
figure with its sentence). The market's 2,600 yuan per stall is tested in tests/workshops/test_markets.py.
"""

from datetime import date
from decimal import Decimal

import pytest

from programs.models import Region
from workshops.models import Activity, Employment, IncomeRecord, Position, Registration, Resident, Workshop

from .factories import id_number, organiser, village

pytestmark = pytest.mark.django_db

YEAR = {"start": "2024-01-01", "end": "2024-12-31"}
ZHOUSHAN_COUNTIES = ("330902", "330903", "330921", "330922")  # 定海、普陀、岱山、嵊泗


def workshops_in(villages: list[Region], count: int, **fields) -> list[Workshop]:
    fields = {"kind": Workshop.Kind.WORKSHOP_FLOOR, "opened_on": date(2023, 5, 1), **fields}
    return Workshop.objects.bulk_create(
        Workshop(name=f"共富工坊{n}", village=villages[n % len(villages)], manager_name="林主理", **fields)
        for n in range(count)
    )


def positions_of(workshops: list[Workshop]) -> list[Position]:
    return Position.objects.bulk_create(
        Position(
            workshop=workshop,
            title="贻贝分拣",
            category="primary_processing",
            openings=5000,
            accepted_count=0,
            pay_amount=Decimal("150.00"),
            pay_unit=Position.PayUnit.DAY,
        )
        for workshop in workshops
    )


def employ(
    positions: list[Position],
    residents: list[Resident],
    *,
    start: date,
    end: date | None = None,
    increases: tuple[int, ...] = (),
    label: str,
) -> None:
    """Each resident employed in ``positions[n % len]`` from ``start``; the n-th has one income record for June
    2024 of baseline 1,000 + ``increases[n % len]`` when increases are given."""
    registrations = Registration.objects.bulk_create(
        Registration(
            reference=f"W{label}-{n:06d}",
            resident=resident,
            position=positions[n % len(positions)],
            channel=Registration.Channel.COMMUNITY,
            status=Registration.Status.EMPLOYED,
            baseline_monthly_income=Decimal("1000.00"),
            resident_region_code=resident.village.code,  # bulk_create skips Registration.save
            workshop_region_code=positions[n % len(positions)].workshop.village.code,
        )
        for n, resident in enumerate(residents)
    )
    for registration in registrations:  # each employed person holds one of the position's places
        registration.position.accepted_count += 1
    Position.objects.bulk_update(positions, ["accepted_count"], batch_size=500)
    employments = Employment.objects.bulk_create(
        Employment(registration=registration, start_date=start, end_date=end, wage=Decimal("3500.00"))
        for registration in registrations
    )
    if increases:
        IncomeRecord.objects.bulk_create(
            IncomeRecord(
                employment=employment,
                month=date(2024, 6, 1),
                income=Decimal("1000.00") + increases[n % len(increases)],
            )
            for n, employment in enumerate(employments)
        )


def residents_of(villages: list[Region], count: int, *, low_income: int = 0) -> list[Resident]:
    """``count`` residents of the villages, the first ``low_income`` of them from low-income households."""
    return Resident.objects.bulk_create(
        (
            Resident(
                name=f"村民{n}",
                id_number=id_number(),
                village=villages[n % len(villages)],
                is_low_income=n < low_income,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )


def test_406_workshops_employ_over_19000_with_1380_odd_low_income_earning_2500_more_a_month(api_as):
    """“全市已建成'共富工坊'406家，吸纳就业超过1.9万人，其中低收入农户1380余人，人均月增收2500余元”:
    406 workshops open in 2024 over the four counties (one closed in 2023 and one opening in 2025 are not
    counted); 19,050 people employed in them in 2024, 1,386 of them low-income (20 hold a second job in
    another workshop: still one person each; 30 whose work ended in 2023 are not counted); each earned
    1,000 yuan a month before, and in June 2024 half earned 2,000 more and half 3,000 more: 2,500.00 each."""
    villages = [village(county, town=1, number=1) for county in ZHOUSHAN_COUNTIES]
    workshops = workshops_in(villages, 406)
    workshops_in(villages[:1], 1, opened_on=date(2020, 1, 1), closed_on=date(2023, 12, 31), status="closed")
    workshops_in(villages[1:2], 1, opened_on=date(2025, 3, 1), status="planned")
    positions = positions_of(workshops)

    people = residents_of(villages, 19_050, low_income=1_386)
    employ(positions, people, start=date(2024, 3, 1), increases=(2000, 3000), label="240301")
    employ(positions[1:], people[:20], start=date(2024, 9, 1), label="240901")  # a second job, same people
    former = residents_of(villages, 30, low_income=30)
    employ(positions, former, start=date(2022, 1, 1), end=date(2023, 12, 31), label="220101")

    zhoushan = Region.objects.get(code="330900000000")
    response = api_as(organiser(region=zhoushan)).get("/api/v1/indicators/workshops/", YEAR)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["region"] == "330900000000"
    assert body["workshops"] == 406
    assert body["people_employed"] == 19_050
    assert body["low_income_employed"] == 1_386
    assert body["people_with_income_records"] == 19_050
    assert body["average_monthly_income_increase"] == "2500.00"


def test_the_one_fish_live_stream_workshop_held_over_9000_sessions_and_employs_over_2000(api_as):
    """“'一条鱼'直播共富工坊 … 年直播9000余场，带动就业2000余人”: the live-stream workshop of a 普陀区 town,
    the only workshop there (the indicator counts a region, so the town reads as the workshop), recorded 753
    live-stream sessions a month in 2024 (9,036; a cancelled month and a January 2025 one left out) and
    employed 2,018 people in 2024."""
    town_village = village("330903", town=1, number=1)
    (one_fish,) = workshops_in([town_village], 1, kind=Workshop.Kind.LIVE_STREAM, opened_on=date(2022, 6, 1))
    Activity.objects.bulk_create(
        Activity(
            workshop=one_fish,
            kind=Activity.Kind.LIVE_STREAM,
            title=f"“一条鱼”直播 {month}月",
            held_on=date(2024, month, 28),
            sessions=753,
            revenue=Decimal("100000.00"),
        )
        for month in range(1, 13)
    )
    Activity.objects.create(
        workshop=one_fish, kind="live_stream", title="取消", held_on=date(2024, 7, 1), sessions=99, is_cancelled=True
    )
    Activity.objects.create(workshop=one_fish, kind="live_stream", title="次年", held_on=date(2025, 1, 5), sessions=700)
    employ(positions_of([one_fish]), residents_of([town_village], 2_018), start=date(2024, 2, 1), label="240201")
    other_town = village("330903", town=2, number=1)  # 普陀's other town: counted in the county, not the town
    employ(
        positions_of(workshops_in([other_town], 1)), residents_of([other_town], 5), start=date(2024, 2, 1), label="X"
    )

    client = api_as(organiser(region=Region.objects.get(code="330900000000")))
    town = client.get("/api/v1/indicators/workshops/", {**YEAR, "region": town_village.parent_id})

    assert town.status_code == 200, town.content
    body = town.json()
    assert body["workshops"] == 1
    assert (body["live_streams"]["count"], body["live_streams"]["sessions"]) == (12, 9_036)
    assert body["live_streams"]["sales"] == "1200000.00"
    assert body["people_employed"] == 2_018
    county = client.get("/api/v1/indicators/workshops/", {**YEAR, "region": town_village.parent.parent_id}).json()
    assert (county["workshops"], county["people_employed"]) == (2, 2_023)
