"""No overbooking under a crowd: many requests released at the same instant for the last places."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from guidance.models import Booking, Slot
from programs.models import AuditEntry
from tests.conftest import released_together
from tests.factories import EnterpriseFactory, enterprise_user
from tests.guidance.factories import SlotFactory, ThemeFactory, booking_body
from tests.workshops.factories import PositionFactory, RegistrationFactory, ResidentFactory, grid_worker, organiser
from workshops.models import Position, Registration

from .helpers import serve_like_gunicorn, token_session


def server_threads() -> int:
    """On PostgreSQL the requests work in parallel. The in-memory SQLite test database is one connection that
    the live server lends to every request thread, so there they take turns, as the embedded product's
    IMMEDIATE transactions make them do on its database file."""
    return 1 if connection.vendor == "sqlite" else 8


def booking_request(session, url, theme, slot):
    def call():
        return session.post(url, json=booking_body(slot, theme), timeout=60)

    return call


def crowd_books_a_slot(base_url, *, clients: int, capacity: int):
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme], capacity=capacity)
    sessions = [token_session(enterprise_user(EnterpriseFactory())) for _ in range(clients)]
    url = f"{base_url}/api/v1/guidance/bookings/"
    answers = released_together([booking_request(s, url, theme, slot) for s in sessions])
    return slot, answers


def assert_exactly_capacity_booked(slot, answers, *, capacity):
    failures = [a for a in answers if not hasattr(a, "status_code")]
    assert not failures, failures
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * capacity + [409] * (len(answers) - capacity), statuses
    for refused in (a.json() for a in answers if a.status_code == 409):
        assert refused["error"]["code"] == "slot_full"
        assert refused["error"]["fields"]["slot"], "the answer names the slot as the field to change"
    slot = Slot.objects.get(pk=slot.pk)
    assert slot.booked == capacity
    assert Booking.objects.filter(slot=slot).count() == capacity


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_hundred_enterprises_booking_ten_places_at_once_get_ten_bookings_and_ninety_clear_refusals(
    live_server, monkeypatch, settings
):
    serve_like_gunicorn(live_server, monkeypatch, threads=24)
    slot, answers = crowd_books_a_slot(live_server.url, clients=100, capacity=10)
    assert_exactly_capacity_booked(slot, answers, capacity=10)


@pytest.mark.django_db(transaction=True)
def test_twenty_enterprises_booking_five_places_at_once_get_five_bookings(live_server, monkeypatch, settings):
    """The smaller crowd that also runs on the embedded SQLite database."""
    serve_like_gunicorn(live_server, monkeypatch, threads=server_threads())
    slot, answers = crowd_books_a_slot(live_server.url, clients=20, capacity=5)
    assert_exactly_capacity_booked(slot, answers, capacity=5)


def crowd_accepts_for_a_position(base_url, *, clients: int, openings: int):
    position = PositionFactory(openings=openings)
    registrations = [RegistrationFactory(position=position, status="home_visit") for _ in range(clients)]
    # Each registration decided by a different organiser of the region, each on their own phone.
    sessions = [token_session(organiser()) for _ in range(clients)]

    def accept(session, registration):
        return lambda: session.post(f"{base_url}/api/v1/workshop-registrations/{registration.pk}/accept/", timeout=60)

    answers = released_together([accept(s, r) for s, r in zip(sessions, registrations, strict=True)])
    return position, answers


def assert_never_more_accepted_than_openings(position, answers, *, openings):
    failures = [a for a in answers if not hasattr(a, "status_code")]
    assert not failures, failures
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * openings + [409] * (len(answers) - openings), statuses
    for refused in (a.json() for a in answers if a.status_code == 409):
        assert (refused["error"]["status"], refused["error"]["code"]) == (409, "position_full"), refused
    accepted_ids = {a.json()["id"] for a in answers if a.status_code == 200}
    position = Position.objects.get(pk=position.pk)
    assert position.accepted_count == openings
    assert set(Registration.objects.filter(position=position, status="accepted").values_list("pk", flat=True)) == (
        accepted_ids
    )
    assert Registration.objects.filter(position=position, status="home_visit").count() == len(answers) - openings
    # The refused acceptances left no trace: one audit row per registration that was really accepted.
    assert AuditEntry.objects.filter(field="status", new_value="accepted").count() == openings


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_hundred_acceptances_at_once_for_ten_openings_accept_ten(live_server, monkeypatch, settings):
    serve_like_gunicorn(live_server, monkeypatch, threads=24)
    position, answers = crowd_accepts_for_a_position(live_server.url, clients=100, openings=10)
    assert_never_more_accepted_than_openings(position, answers, openings=10)


@pytest.mark.django_db(transaction=True)
def test_twenty_acceptances_at_once_for_five_openings_accept_five(live_server, monkeypatch, settings):
    """The smaller crowd that also runs on the embedded SQLite database."""
    serve_like_gunicorn(live_server, monkeypatch, threads=server_threads())
    position, answers = crowd_accepts_for_a_position(live_server.url, clients=20, openings=5)
    assert_never_more_accepted_than_openings(position, answers, openings=5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_hundred_grid_workers_registering_the_same_resident_at_once_make_one_registration(
    live_server, monkeypatch, settings
):
    serve_like_gunicorn(live_server, monkeypatch, threads=24)
    position = PositionFactory(openings=10)
    resident = ResidentFactory()
    sessions = [token_session(grid_worker()) for _ in range(100)]
    url = f"{live_server.url}/api/v1/workshop-registrations/"

    def register(session):
        return lambda: session.post(url, json={"resident": resident.pk, "position": position.pk}, timeout=60)

    answers = released_together([register(s) for s in sessions])
    failures = [a for a in answers if not hasattr(a, "status_code")]
    assert not failures, failures
    assert sorted(a.status_code for a in answers) == [200] * 99 + [201], [a.text for a in answers[:3]]
    registration = Registration.objects.get(resident=resident, position=position)
    assert {a.json()["id"] for a in answers} == {registration.pk}, "every worker is shown the one registration"
    history = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Registration))
    assert history.filter(object_id=registration.pk, field="status", new_value="submitted").count() == 1
