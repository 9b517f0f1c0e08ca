"""Builders for the inspections tests, on top of the shared factories."""

import itertools
from datetime import date, timedelta

import factory
from django.utils import timezone

from inspections import services
from inspections.models import Inspection, InspectionItem, PlanEntry
from programs.models import Department
from tests.factories import DepartmentFactory, EnterpriseFactory, coordinator, officer

_codes = itertools.count(1)
MONTH = date(2024, 6, 1)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionItem

    code = factory.LazyFunction(lambda: f"ITEM-{next(_codes):04d}")
    name = factory.Sequence(lambda n: f"检查事项{n}")
    department = factory.SubFactory(DepartmentFactory)
    field = "消防安全"
    legal_basis = "《中华人民共和国消防法》"


def next_monday(day: date | None = None) -> date:
    day = day or timezone.localdate()
    return day + timedelta(days=(7 - day.weekday()) % 7)


def submitted_entry(*, department, enterprise, items=None, month=MONTH, actor=None, mode=PlanEntry.Mode.ON_SITE):
    actor = actor or officer(department)
    entry = services.plan_entry_create(
        department=department,
        enterprise=enterprise,
        items=items or [ItemFactory(department=department)],
        month=month,
        mode=mode,
        actor=actor,
    )
    return services.plan_entry_submit(entry=entry, actor=actor)


class Cast:
    """A small cast: a county with two departments, their officers, a coordinator and an enterprise."""

    def __init__(self):
        self.market = DepartmentFactory(name="市场监督管理局", kind=Department.Kind.MARKET_SUPERVISION)
        self.fire = DepartmentFactory(name="消防救援大队", kind=Department.Kind.FIRE_RESCUE)
        self.market_officer = officer(self.market)
        self.fire_officer = officer(self.fire)
        self.coordinator = coordinator()
        self.enterprise = EnterpriseFactory()


def inspection_in_progress(cast: Cast, *, enterprise=None, items=None, month=None) -> Inspection:
    """A single market-supervision inspection, coordinated, scheduled and started."""
    today = timezone.localdate()
    month = month or today.replace(day=1)
    enterprise = enterprise or cast.enterprise
    items = items or [ItemFactory(department=cast.market)]
    submitted_entry(department=cast.market, enterprise=enterprise, items=items, month=month, actor=cast.market_officer)
    services.month_coordinate(region=enterprise.region, month=month, actor=cast.coordinator)
    inspection = Inspection.objects.get(enterprise=enterprise, month=month)
    week = month - timedelta(days=month.weekday())
    inspection = services.inspection_schedule(
        inspection=inspection, week_start=week, officers=[cast.market_officer], actor=cast.coordinator
    )
    return services.inspection_start(inspection=inspection, actor=cast.market_officer)
