"""The demo data: the article's Zhoushan workshops, loaded idempotently on top of the core's."""

from decimal import Decimal

import pytest

from programs import demo as core_demo
from programs.models import Region, User
from workshops import demo
from workshops.models import Registration, Workshop
from workshops.selectors import workshop_indicators

pytestmark = pytest.mark.django_db


def test_the_demo_loads_zhoushan_workshops_once_and_the_indicators_report_them():
    core_demo.seed()
    first = demo.seed()
    again = demo.seed()
    assert again["new_registrations"] == 0
    assert {k: v for k, v in first.items() if k != "new_registrations"} == {
        k: v for k, v in again.items() if k != "new_registrations"
    }
    assert Workshop.objects.filter(name="“一条鱼”直播共富工坊", kind="live_stream").exists()
    assert set(Registration.objects.values_list("status", flat=True)) >= {
        "submitted", "recommended", "home_visit", "accepted", "employed", "rejected"
    }  # fmt: skip
    zhoushan = Region.objects.get(code="330900000000")
    figures = workshop_indicators(
        user=User.objects.get(username="organiser"), region=zhoushan, start=_year_start(), end=_today()
    )
    assert figures["workshops"] == 6
    assert figures["people_employed"] == 6 and figures["low_income_employed"] == 3
    assert figures["average_monthly_income_increase"] > 0
    # The article's market on the four islands, with the demo's six workshops: 2,600 yuan a stall, 5 supply points.
    assert figures["markets"] == {
        "count": 1,
        "workshops": 6,
        "stalls": 24,
        "visitors": 20000,
        "revenue": Decimal("62400.00"),
        "average_revenue_per_stall": Decimal("2600.00"),
        "products_offered": 94,
        "supply_points_outside_city": 5,
    }
    assert User.objects.get(username="villager").resident.name == "汤忠定"


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _year_start():
    from datetime import timedelta

    return _today() - timedelta(days=365)
