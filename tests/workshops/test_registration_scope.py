"""A registration is seen by the staff of the resident's village and of the workshop's (issue 16): both division
codes are stored on the registration, so the scope is a prefix on its own indexes, and they follow a resident,
a workshop or a position that moves."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import region_tree
from tests.workshops.factories import (
    PositionFactory,
    RegistrationFactory,
    ResidentFactory,
    WorkshopFactory,
    organiser,
    village,
)
from workshops import selectors, services
from workshops.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    """Two counties, each with an organiser."""
    here, there = region_tree("330921", "岱山县"), region_tree("330922", "嵊泗县")
    return {
        "here": village("330921"),
        "there": village("330922"),
        "here_organiser": organiser(here["county"]),
        "there_organiser": organiser(there["county"]),
    }


def visible(user) -> set[int]:
    return set(selectors.registration_list(user=user).values_list("pk", flat=True))


def test_the_codes_are_stored_when_the_registration_is_made(places):
    registration = RegistrationFactory(
        resident=ResidentFactory(village=places["here"]),
        position=PositionFactory(workshop=WorkshopFactory(village=places["there"])),
    )
    registration.refresh_from_db()
    assert (registration.resident_region_code, registration.workshop_region_code) == (
        places["here"].code,
        places["there"].code,
    )


def test_the_staff_of_either_place_see_it_and_nobody_else(places):
    resident_here = RegistrationFactory(
        resident=ResidentFactory(village=places["here"]),
        position=PositionFactory(workshop=WorkshopFactory(village=places["there"])),
    )
    only_there = RegistrationFactory(
        resident=ResidentFactory(village=places["there"]),
        position=PositionFactory(workshop=WorkshopFactory(village=places["there"])),
    )
    assert visible(places["here_organiser"]) == {resident_here.pk}
    assert visible(places["there_organiser"]) == {resident_here.pk, only_there.pk}
    assert visible(organiser(region_tree("330100", "杭州市")["county"])) == set()


def test_the_scope_is_a_condition_of_the_registrations_own_columns(places):
    with CaptureQueriesContext(connection) as queries:
        list(selectors.registration_list(user=places["here_organiser"]))
    (sql,) = [query["sql"] for query in queries.captured_queries if "workshops_registration" in query["sql"]]
    assert "resident_region_code" in sql and "workshop_region_code" in sql
    assert "IN (SELECT" not in sql.upper().replace("\n", " ")


def test_a_resident_who_moves_takes_the_registrations_along(places):
    registration = RegistrationFactory(
        resident=ResidentFactory(village=places["here"]),
        position=PositionFactory(workshop=WorkshopFactory(village=places["here"])),
    )
    assert registration.pk not in visible(places["there_organiser"])
    services.resident_update(resident=registration.resident, actor=None, village=places["there"])
    assert Registration.objects.get(pk=registration.pk).resident_region_code == places["there"].code
    assert registration.pk in visible(places["there_organiser"])


def test_a_workshop_that_moves_and_a_position_moved_to_another_workshop_take_theirs(places):
    workshop = WorkshopFactory(village=places["here"])
    registration = RegistrationFactory(
        resident=ResidentFactory(village=places["here"]), position=PositionFactory(workshop=workshop)
    )
    services.workshop_update(workshop=workshop, actor=None, village=places["there"])
    assert registration.pk in visible(places["there_organiser"])

    other = RegistrationFactory(
        resident=ResidentFactory(village=places["here"]),
        position=PositionFactory(workshop=WorkshopFactory(village=places["here"])),
    )
    services.position_update(position=other.position, actor=None, workshop=WorkshopFactory(village=places["there"]))
    assert Registration.objects.get(pk=other.pk).workshop_region_code == places["there"].code
    assert other.pk in visible(places["there_organiser"])
