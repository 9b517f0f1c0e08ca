"""Factories of the inspections app, on top of the shared ones. A plan entry and an inspection are made the
way the product makes them, through its services (so they carry their audit rows and their codes)."""

import itertools
from datetime import date, timedelta

import factory
from django.utils import timezone

from inspections import services
from inspections.models import Inspection, InspectionItem, ItemCheck, PlanEntry
from tests.factories import DepartmentFactory, EnterpriseFactory, officer

_codes = itertools.count(1)
MONTH = date(2024, 6, 1)


def next_monday(day: date | None = None) -> date:
    day = day or timezone.localdate()
    return day + timedelta(days=(7 - day.weekday()) % 7)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionItem

    code = factory.LazyFunction(lambda: f"ITEM-{next(_codes):04d}")
    name = factory.Sequence(lambda n: f"检查事项{n}")
    department = factory.SubFactory(DepartmentFactory)
    field = "消防安全"
    legal_basis = "《中华人民共和国消防法》"


class PlanEntryFactory(factory.django.DjangoModelFactory):
    """A submitted plan entry: created and submitted by an officer of its department (a new one unless
    ``actor`` is given), for one new item of the department unless ``items`` are given."""

    class Meta:
        model = PlanEntry

    department = factory.SubFactory(DepartmentFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    items = factory.LazyAttribute(lambda o: [ItemFactory(department=o.department)])
    month = MONTH
    mode = PlanEntry.Mode.ON_SITE
    actor = factory.LazyAttribute(lambda o: officer(o.department))

    @classmethod
    def _create(cls, model_class, *, actor, **fields):
        entry = services.plan_entry_create(actor=actor, **fields)
        return services.plan_entry_submit(entry=entry, actor=actor)


class InspectionFactory(factory.django.DjangoModelFactory):
    """A market-supervision inspection under way, by the ``cast`` (tests/cast.py): its officer's entry
    submitted, the month coordinated by its coordinator, the visit scheduled for the month's first week, its
    code shown and started. ``enterprise`` is the cast's, ``month`` this month and ``items`` one new market item unless
    given."""

    class Meta:
        model = Inspection

    cast = None
    enterprise = factory.LazyAttribute(lambda o: o.cast.enterprise)
    items = factory.LazyAttribute(lambda o: [ItemFactory(department=o.cast.market)])
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))

    @classmethod
    def _create(cls, model_class, *, cast, enterprise, items, month):
        PlanEntryFactory(
            department=cast.market, enterprise=enterprise, items=items, month=month, actor=cast.market_officer
        )
        services.month_coordinate(region=enterprise.region, month=month, actor=cast.coordinator)
        inspection = Inspection.objects.get(enterprise=enterprise, month=month)
        week = month - timedelta(days=month.weekday())
        inspection = services.inspection_schedule(
            inspection=inspection, week_start=week, officers=[cast.market_officer], actor=cast.coordinator
        )
        # The officer shows the code on arrival, then starts (starting alone does not show it).
        inspection = services.inspection_show_code(inspection=inspection, actor=cast.market_officer)
        return services.inspection_start(inspection=inspection, actor=cast.market_officer)


def answered(inspection: Inspection, officer, result: str = ItemCheck.Result.COMPLIANT) -> Inspection:
    """Every item of the inspection not answered yet answered ``result`` by ``officer`` (an inspection completes
    only once each item has its answer)."""
    done = set(ItemCheck.objects.filter(inspection=inspection).values_list("item_id", flat=True))
    for item in inspection.items.exclude(pk__in=done):
        services.item_check_record(inspection=inspection, item=item, actor=officer, result=result)
    return inspection
