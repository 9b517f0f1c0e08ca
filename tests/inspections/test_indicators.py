"""Indicators from raw records: the Ningbo 2024 table, joint share, code-shown rate, findings."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from inspections import selectors, services
from inspections.models import Finding, Inspection, PlanEntry
from programs.models import Region
from tests.cast import Cast
from tests.factories import EnterpriseFactory, region_tree

from .factories import InspectionFactory, ItemFactory, answered

pytestmark = pytest.mark.django_db


def test_the_ningbo_2024_table_is_reproduced_from_raw_entries():
    cast = Cast()
    item = ItemFactory(department=cast.market)
    enterprises = EnterpriseFactory.create_batch(20, region=cast.enterprise.region)
    # 1969 submitted in 2024: 1065 executed, 903 cut, one still awaiting coordination; drafts do not count.
    statuses = [PlanEntry.Status.EXECUTED] * 1065 + [PlanEntry.Status.CUT] * 903 + [PlanEntry.Status.SUBMITTED]
    statuses += [PlanEntry.Status.DRAFT] * 7 + [PlanEntry.Status.WITHDRAWN] * 3
    entries = PlanEntry.objects.bulk_create(
        PlanEntry(
            department=cast.market,
            enterprise=enterprises[n % 20],
            region_code=enterprises[n % 20].region.code,  # bulk_create skips save(), which sets it
            month=date(2024, n % 12 + 1, 1),
            status=status,
            created_by=cast.market_officer,
        )
        for n, status in enumerate(statuses)
    )
    PlanEntry.items.through.objects.bulk_create(
        PlanEntry.items.through(planentry_id=e.pk, inspectionitem_id=item.pk) for e in entries
    )
    # An entry of 2025 is outside the period.
    PlanEntry.objects.create(
        department=cast.market,
        enterprise=enterprises[0],
        month=date(2025, 1, 1),
        status=PlanEntry.Status.EXECUTED,
        created_by=cast.market_officer,
    )

    figures = selectors.inspection_indicators(user=cast.coordinator, start=date(2024, 1, 1), end=date(2024, 12, 31))

    plan = figures["plan_entries"]
    assert (plan["submitted"], plan["executed"], plan["cut"], plan["pending"]) == (1969, 1065, 903, 1)
    assert (plan["coordination_rate"], plan["reduction_rate"]) == (54.1, 45.9)


def test_the_table_follows_real_coordination():
    cast = Cast()
    enterprises = EnterpriseFactory.create_batch(4, region=cast.enterprise.region)
    month = date(2024, 3, 1)
    for enterprise in enterprises:
        for department, officer in ((cast.market, cast.market_officer), (cast.fire, cast.fire_officer)):
            entry = services.plan_entry_create(
                department=department,
                enterprise=enterprise,
                items=[ItemFactory(department=department)],
                month=month,
                actor=officer,
            )
            services.plan_entry_submit(entry=entry, actor=officer)
    duplicate = services.plan_entry_create(
        department=cast.market,
        enterprise=enterprises[0],
        items=[ItemFactory(department=cast.market)],
        month=month,
        actor=cast.market_officer,
    )
    services.plan_entry_submit(entry=duplicate, actor=cast.market_officer)
    services.month_coordinate(region=cast.enterprise.region, month=month, actor=cast.coordinator)

    figures = selectors.inspection_indicators(user=cast.coordinator, start=month, end=date(2024, 3, 31))
    # 9 submitted: 8 executed into 4 joint inspections, 1 duplicate cut.
    assert figures["plan_entries"]["submitted"] == 9
    assert (figures["plan_entries"]["executed"], figures["plan_entries"]["cut"]) == (8, 1)
    assert (figures["plan_entries"]["coordination_rate"], figures["plan_entries"]["reduction_rate"]) == (88.9, 11.1)
    assert (figures["inspections"]["inspections"], figures["inspections"]["joint_share"]) == (4, 100.0)


def test_code_shown_rate_and_findings_by_severity():
    cast = Cast()
    shown = InspectionFactory(cast=cast)
    not_shown_enterprise = EnterpriseFactory(region=cast.enterprise.region)
    other = InspectionFactory(cast=cast, enterprise=not_shown_enterprise)
    Inspection.objects.filter(pk=other.pk).update(code_shown_at=None)
    for severity in (Finding.Severity.MAJOR, Finding.Severity.GENERAL, Finding.Severity.GENERAL):
        services.finding_record(
            inspection=shown,
            item=shown.items.first(),
            severity=severity,
            description="x",
            deadline=timezone.localdate() + timedelta(days=3),
            actor=cast.market_officer,
        )
    services.inspection_complete(inspection=answered(shown, cast.market_officer), actor=cast.market_officer)
    services.inspection_complete(
        inspection=answered(other, cast.market_officer), actor=cast.market_officer, code_not_shown_reason="no_signal"
    )
    today = timezone.localdate()
    figures = selectors.inspection_indicators(user=cast.coordinator, start=today.replace(day=1), end=today)
    assert figures["inspections"]["code_shown_rate"] == 50.0
    assert (figures["inspections"]["carried_out"], figures["inspections"]["code_not_shown"]) == (2, 1)
    assert (figures["findings"]["major"], figures["findings"]["general"]) == (1, 2)


def test_indicators_respect_the_callers_region():
    cast = Cast()
    InspectionFactory(cast=cast)
    elsewhere = region_tree("330902", "定海区")["county"]
    from tests.factories import coordinator

    outsider = coordinator(region=elsewhere)
    today = timezone.localdate()
    figures = selectors.inspection_indicators(user=outsider, start=today.replace(day=1), end=today)
    assert figures["plan_entries"]["submitted"] == 0
    assert figures["inspections"]["inspections"] == 0
    narrowed = selectors.inspection_indicators(
        user=cast.coordinator, region=Region.objects.get(code="330212001000"), start=today.replace(day=1), end=today
    )
    assert narrowed["plan_entries"]["submitted"] == 1
