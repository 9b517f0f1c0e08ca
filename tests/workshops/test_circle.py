"""The 15-minute employment circle, computed: straight-line distance at the configured speed across town and
county lines, a typed travel time overriding it, each pair stored once, read through a bounding box."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from programs.models import Region
from workshops import services
from workshops.circle import distance_km, minutes_for_km, travel_minutes_from
from workshops.models import VillageDistance
from workshops.selectors import positions_matching

from .factories import PositionFactory, ResidentFactory, WorkshopFactory, village

pytestmark = pytest.mark.django_db

HOME = (Decimal("30.250000"), Decimal("122.100000"))
KM_EAST = Decimal("0.010398")  # a kilometre of longitude at 30.25° N


def placed(town: int, number: int, *, km_east: int = 0, county: str = "330921") -> Region:
    region = village(county, town=town, number=number)
    region.latitude, region.longitude = HOME[0], HOME[1] + KM_EAST * km_east
    region.save(update_fields=["latitude", "longitude"])
    return region


@pytest.fixture
def speed(settings):
    settings.WORKSHOPS_TRAVEL_SPEED_KMH = 30
    settings.WORKSHOPS_CIRCLE_MINUTES = 15
    settings.WORKSHOPS_SAME_TOWN_MINUTES = 10


def test_the_distance_is_measured_on_the_globe_and_turned_into_minutes_at_the_configured_speed(settings):
    assert distance_km(30.25, 122.1, 30.25, float(HOME[1] + KM_EAST * 2)) == pytest.approx(2.0, abs=0.01)
    settings.WORKSHOPS_TRAVEL_SPEED_KMH = 30
    assert (minutes_for_km(2.0), minutes_for_km(7.5), minutes_for_km(20.0), minutes_for_km(0.01)) == (4, 15, 40, 1)
    settings.WORKSHOPS_TRAVEL_SPEED_KMH = 60
    assert minutes_for_km(20.0) == 20


def test_a_village_2_km_away_in_another_town_is_inside_the_circle_and_one_20_km_away_is_not(speed):
    home = placed(1, 1)
    across_the_town_line = placed(2, 1, km_east=2)
    other_county = placed(1, 1, km_east=-2, county="330902")
    far = placed(3, 1, km_east=20)
    circle = travel_minutes_from(home)
    assert circle[home.pk] == 0
    assert circle[across_the_town_line.pk] == 4
    assert circle[other_county.pk] == 4
    assert far.pk not in circle

    resident = ResidentFactory(village=home)
    near_job = PositionFactory(workshop=WorkshopFactory(village=across_the_town_line), title="对岸的贻贝分拣")
    PositionFactory(workshop=WorkshopFactory(village=far), title="二十公里外")
    matches = positions_matching(resident=resident)
    assert [(p.pk, p.travel_minutes) for p in matches] == [(near_job.pk, 4)]


def test_a_typed_travel_time_overrides_the_straight_line_either_way(speed):
    home, island, far = placed(1, 1), placed(2, 1, km_east=2), placed(3, 1, km_east=20)
    services.village_distance_set(from_village=island, to_village=home, minutes=35)  # a ferry, not a bridge
    services.village_distance_set(from_village=home, to_village=far, minutes=14)  # an express road
    circle = travel_minutes_from(home)
    assert island.pk not in circle
    assert circle[far.pk] == 14
    assert travel_minutes_from(far)[home.pk] == 14


def test_villages_not_yet_on_the_map_fall_back_to_the_towns_assumed_time(speed):
    home = placed(1, 1)
    unplaced_neighbour = village(town=1, number=2)
    unplaced_elsewhere = village(town=2, number=2)
    assert travel_minutes_from(home)[unplaced_neighbour.pk] == 10
    assert unplaced_elsewhere.pk not in travel_minutes_from(home)
    assert travel_minutes_from(unplaced_neighbour)[home.pk] == 10


def test_a_same_town_village_placed_far_away_is_outside_the_circle(speed):
    home, same_town_far = placed(1, 1), placed(1, 2, km_east=12)
    assert same_town_far.pk not in travel_minutes_from(home)


def test_each_pair_is_stored_once_whichever_way_it_is_typed(speed):
    a, b = placed(1, 1), placed(2, 1, km_east=2)
    services.village_distance_set(from_village=b, to_village=a, minutes=9)
    services.village_distance_set(from_village=a, to_village=b, minutes=7)
    row = VillageDistance.objects.get()
    assert (row.from_village_id, row.to_village_id, row.minutes) == (min(a.pk, b.pk), max(a.pk, b.pk), 7)
    with pytest.raises(IntegrityError):
        VillageDistance.objects.create(from_village_id=max(a.pk, b.pk), to_village_id=min(a.pk, b.pk), minutes=3)


def test_only_the_villages_in_the_bounding_box_are_read(speed):
    home = placed(1, 1)
    for n in range(2, 40):
        placed(4, n, km_east=30 + n)  # far away, in the same table
    with CaptureQueriesContext(connection) as queries:
        circle = travel_minutes_from(home)
    assert circle == {home.pk: 0}
    box = next(q["sql"] for q in queries.captured_queries if '"latitude" >=' in q["sql"] or "latitude" in q["sql"])
    assert '"longitude" <=' in box and '"longitude" >=' in box
    assert len(queries.captured_queries) == 3
