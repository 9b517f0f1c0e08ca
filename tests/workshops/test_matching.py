"""Matching: the open positions within a resident's 15-minute circle that fit their wish, best first."""

from decimal import Decimal

import pytest

from workshops import services
from workshops.models import Position
from workshops.selectors import positions_matching

from .factories import PositionFactory, RegistrationFactory, ResidentFactory, WorkshopFactory, village

pytestmark = pytest.mark.django_db


def post(place, *, title, category="primary_processing", pay="150", unit="day", **kw):
    return PositionFactory(
        workshop=WorkshopFactory(village=place),
        title=title,
        category=category,
        pay_amount=Decimal(pay),
        pay_unit=unit,
        **kw,
    )


@pytest.fixture
def places():
    home = village(town=1, number=1)
    return {
        "home": home,
        "same_town": village(town=1, number=2),
        "same_town_far": village(town=1, number=3),
        "next_town": village(town=2, number=1),
        "next_town_unconfigured": village(town=2, number=2),
    }


def test_positions_are_ordered_nearest_first_then_by_pay_and_limited_to_the_circle_and_the_wish(places, settings):
    settings.WORKSHOPS_CIRCLE_MINUTES = 15
    settings.WORKSHOPS_SAME_TOWN_MINUTES = 10
    services.village_distance_set(from_village=places["next_town"], to_village=places["home"], minutes=12)
    services.village_distance_set(from_village=places["home"], to_village=places["same_town_far"], minutes=25)
    resident = ResidentFactory(village=places["home"], wished_categories=["primary_processing", "e_commerce"])

    day_wage_at_home = post(places["home"], title="贻贝分拣", pay="150", unit="day")  # 3300 a month
    month_wage_at_home = post(places["home"], title="直播助理", category="e_commerce", pay="4000", unit="month")
    same_town = post(places["same_town"], title="对虾加工", pay="400")
    next_town = post(places["next_town"], title="虾皮晾晒", pay="500")
    post(places["same_town_far"], title="隔山的岗位")  # same town, but configured 25 minutes away
    post(places["next_town_unconfigured"], title="别镇的岗位")  # another town, no travel time configured
    post(places["home"], title="手工编织", category="handicraft")  # not what the resident wishes
    post(places["home"], title="招满了", openings=1, accepted_count=1)
    registered = post(places["home"], title="已经报名")
    RegistrationFactory(resident=resident, position=registered)

    matches = positions_matching(resident=resident)
    assert [p.title for p in matches] == [
        month_wage_at_home.title,
        day_wage_at_home.title,
        same_town.title,
        next_town.title,
    ]
    assert [p.travel_minutes for p in matches] == [0, 0, 10, 12]


def test_a_disabled_resident_sees_accessible_positions_first_at_the_same_distance(places):
    resident = ResidentFactory(village=places["home"], has_disability=True)
    better_paid = post(places["home"], title="搬运", pay="300")
    accessible = post(places["home"], title="分拣(无障碍)", pay="150", accessible=True)
    assert [p.pk for p in positions_matching(resident=resident)] == [accessible.pk, better_paid.pk]


def test_a_resident_without_a_wish_to_work_gets_no_matches_and_an_empty_wish_means_any_category(places):
    post(places["home"], title="手工编织", category="handicraft")
    assert positions_matching(resident=ResidentFactory(village=places["home"], wants_work=False)) == []
    assert len(positions_matching(resident=ResidentFactory(village=places["home"], wished_categories=[]))) == 1


def test_a_closed_position_or_workshop_is_not_offered(places):
    position = post(places["home"], title="已关闭")
    Position.objects.filter(pk=position.pk).update(status="closed")
    other = post(places["home"], title="工坊暂停")
    other.workshop.status = "suspended"
    other.workshop.save()
    assert positions_matching(resident=ResidentFactory(village=places["home"])) == []
