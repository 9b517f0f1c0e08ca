"""The Ningbo article's inspection figures (seed 000, 宁波：聚焦规范涉企行政检查"最优解"), each rebuilt from raw
records made to produce it and read from the indicator API as a coordinator reads it (docs/figures.md lists
every figure with its sentence).

Reproduced elsewhere: the plan table 1969 / 1065 / 903 / 54.1 % / 45.9 %
(tests/inspections/test_indicators.py::test_the_ningbo_2024_table_is_reproduced_from_raw_entries) and the
code-shown rate 99.74 % (tests/inspections/test_code_shown.py).
"""

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from inspections.grades import grades_reconcile
from inspections.models import Finding, Inspection
from programs.demo import make_credit_code
from programs.models import Enterprise, Grade
from tests.factories import EnterpriseFactory

from .factories import ItemFactory

pytestmark = pytest.mark.django_db

YEAR_2023 = {"start": "2023-01-01", "end": "2023-12-31"}
YEAR_2024 = {"start": "2024-01-01", "end": "2024-12-31"}


def moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def inspections(cast, *, year: int, joint: int, single: int, cancelled: int = 0) -> list[Inspection]:
    """Inspections of the year's months, all completed except ``cancelled`` (which the share leaves out)."""
    enterprises = EnterpriseFactory.create_batch(5, region=cast.village)
    kinds = [(True, Inspection.Status.COMPLETED)] * joint + [(False, Inspection.Status.COMPLETED)] * single
    kinds += [(True, Inspection.Status.CANCELLED)] * cancelled
    return Inspection.objects.bulk_create(
        Inspection(
            enterprise=enterprises[n % 5],
            region_code=cast.village.code,  # bulk_create skips the save() that stores it
            month=date(year, n % 12 + 1, 1),
            is_joint=is_joint,
            lead_department=cast.market,
            status=status,
            started_at=moment(date(year, n % 12 + 1, 3)) if status == Inspection.Status.COMPLETED else None,
            completed_at=moment(date(year, n % 12 + 1, 3)) if status == Inspection.Status.COMPLETED else None,
            code_shown_at=moment(date(year, n % 12 + 1, 3)) if status == Inspection.Status.COMPLETED else None,
            code_shown_by=cast.market_officer if status == Inspection.Status.COMPLETED else None,
            cancel_reason="企业已注销" if status == Inspection.Status.CANCELLED else "",
        )
        for n, (is_joint, status) in enumerate(kinds)
    )


def test_joint_inspections_are_50_25_percent_of_all_up_23_7_points_on_the_year_before(cast, api_as):
    """“跨部门'综合查一次'共计9.8万次，占涉企行政检查总数的50.25%，同比提高23.7个百分点”: 99 joint of 197
    inspections in 2024 (50.25 %), 30 of 113 in 2023 (26.55 %); cancelled visits are no inspections. The
    article's 9.8万 is a rounded count: the share is the exact figure, built here at a small scale."""
    inspections(cast, year=2024, joint=99, single=98, cancelled=4)
    inspections(cast, year=2023, joint=30, single=83, cancelled=2)
    client = api_as(cast.coordinator)

    this_year = client.get("/api/v1/indicators/inspections/", YEAR_2024)
    last_year = client.get("/api/v1/indicators/inspections/", YEAR_2023)

    assert this_year.status_code == last_year.status_code == 200
    now, before = this_year.json()["inspections"], last_year.json()["inspections"]
    assert (now["inspections"], now["joint"], now["joint_share"]) == (197, 99, 50.25)
    assert (before["inspections"], before["joint"], before["joint_share"]) == (113, 30, 26.55)
    assert round(now["joint_share"] - before["joint_share"], 2) == 23.7  # "同比提高23.7个百分点"


def test_778_enterprises_graded_in_yinzhou_93_percent_green(cast, api_as):
    """“该区已对778家检查对象赋色，绿色率达93%”: 778 enterprises of 鄞州 inspected, 40 of them left with an open
    general issue and 14 with an open major hazard, 30 more whose issue was rectified; 50 never inspected. The
    grade sweep colours them from those records (724 green, 40 yellow, 14 red; the 50 and the cast's own
    enterprise stay gray, not graded): 724 / 778 = 93.06 %, published to one decimal as 93.1 (the article: 93 %)."""
    rng = random.Random(778)
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(name=f"鄞州企业{n}", credit_code=make_credit_code(rng, "330212"), region=cast.village)
        for n in range(828)
    )
    inspected, yellow, red, rectified = enterprises[:778], enterprises[:40], enterprises[40:54], enterprises[54:84]
    visited = {
        visit.enterprise_id: visit
        for visit in Inspection.objects.bulk_create(
            Inspection(
                enterprise=enterprise,
                region_code=cast.village.code,  # bulk_create skips the save() that stores it
                month=date(2024, n % 12 + 1, 1),
                lead_department=cast.market,
                status=Inspection.Status.COMPLETED,
                started_at=moment(date(2024, n % 12 + 1, 5)),
                completed_at=moment(date(2024, n % 12 + 1, 5)),
                code_shown_at=moment(date(2024, n % 12 + 1, 5)),
                code_shown_by=cast.market_officer,
            )
            for n, enterprise in enumerate(inspected)
        )
    }
    item = ItemFactory(department=cast.market)
    due = timezone.localdate() + timedelta(days=30)  # not overdue: a yellow stays yellow

    def finding(enterprise, severity, *, is_rectified=False):
        visit = visited[enterprise.pk]
        return Finding(
            inspection=visit,
            enterprise=enterprise,
            region_code=cast.village.code,  # bulk_create skips the save() that stores it
            item=item,
            severity=severity,
            description="电梯应急电话不畅通",
            deadline=due,
            status=Finding.Status.RECTIFIED if is_rectified else Finding.Status.OPEN,
            recorded_by=cast.market_officer,
            recorded_at=visit.completed_at,
            rectified_at=visit.completed_at + timedelta(days=7) if is_rectified else None,
        )

    Finding.objects.bulk_create(
        [finding(e, Finding.Severity.GENERAL) for e in yellow]
        + [finding(e, Finding.Severity.MAJOR) for e in red]
        + [finding(e, Finding.Severity.GENERAL, is_rectified=True) for e in rectified]
    )
    assert grades_reconcile() == {Grade.RED: 14, Grade.YELLOW: 40, Grade.GREEN: 724, Grade.GRAY: 0}

    response = api_as(cast.coordinator).get("/api/v1/indicators/grades/")  # this year to today: the sweep's moves

    assert response.status_code == 200
    body = response.json()
    counts = body["enterprises"]
    assert (counts["graded"], counts[Grade.GREEN], counts[Grade.YELLOW], counts[Grade.RED]) == (778, 724, 40, 14)
    assert counts[Grade.GRAY] == 51
    assert body["green_rate"] == 93.1
    assert round(body["green_rate"]) == 93  # "绿色率达93%"
    assert {(row["from"], row["to"]): row["count"] for row in body["conversions"]} == {
        (Grade.GRAY, Grade.GREEN): 724,
        (Grade.GRAY, Grade.YELLOW): 40,
        (Grade.GRAY, Grade.RED): 14,
    }


def test_3800_odd_cases_decided_without_penalty(cast, api_as):
    """“作出不予处罚案件3800余件”: 3,826 findings of 2024 decided no penalty; those decided for a penalty, still
    undecided, under observation or recorded in 2023 are not counted."""
    item = ItemFactory(department=cast.market)
    visits = inspections(cast, year=2024, joint=10, single=10)
    decisions = [Finding.Decision.NO_PENALTY] * 3826 + [Finding.Decision.PENALTY] * 120
    decisions += [Finding.Decision.UNDECIDED] * 30 + [Finding.Decision.OBSERVATION] * 12
    days = [date(2024, n % 12 + 1, n % 28 + 1) for n in range(len(decisions))]
    days += [date(2023, 12, 20)] * 25
    decisions += [Finding.Decision.NO_PENALTY] * 25
    Finding.objects.bulk_create(
        Finding(
            inspection=visits[n % len(visits)],
            enterprise=visits[n % len(visits)].enterprise,
            region_code=cast.village.code,  # bulk_create skips the save() that stores it
            item=item,
            severity=Finding.Severity.GENERAL,
            description="消防通道堆放杂物",
            deadline=day,
            status=Finding.Status.RECTIFIED,
            recorded_by=cast.market_officer,
            recorded_at=moment(day),
            rectified_at=moment(day),
            lenient_proposed=decision == Finding.Decision.NO_PENALTY,
            decision=decision,
            decided_by=None if decision == Finding.Decision.UNDECIDED else cast.market_officer,
            decided_at=None if decision == Finding.Decision.UNDECIDED else moment(day),
        )
        for n, (day, decision) in enumerate(zip(days, decisions, strict=True))
    )

    response = api_as(cast.coordinator).get("/api/v1/indicators/inspections/", YEAR_2024)

    assert response.status_code == 200
    findings = response.json()["findings"]
    assert findings["no_penalty"] == 3826
    assert findings["general"] == 3826 + 120 + 30 + 12
