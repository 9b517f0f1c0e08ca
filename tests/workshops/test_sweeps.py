"""Reminders, expiry and the seasonal close: through the outbox, set-based, and with one effect however
often they run."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from programs.models import AuditEntry, Notification
from workshops import services
from workshops.models import Registration
from workshops.tasks import close_seasonal_positions, expire_registrations, remind_waiting_registrations

from .factories import PositionFactory, RegistrationFactory, ResidentFactory, grid_worker, organiser, village

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_a_registration_waiting_too_long_reminds_the_residents_grid_worker_once(settings):
    settings.WORKSHOPS_REMINDER_DAYS = 3
    home = village(town=1, number=1)
    worker = grid_worker(region=home.parent)
    county_worker = grid_worker()  # less local: not the one to remind
    waiting = RegistrationFactory(resident=ResidentFactory(village=home), status_changed_at=days_ago(4))
    RegistrationFactory(resident=ResidentFactory(village=home), status_changed_at=days_ago(1))  # not yet
    RegistrationFactory(resident=ResidentFactory(village=home), status="accepted", status_changed_at=days_ago(9))

    assert remind_waiting_registrations.delay().get() == 1
    assert remind_waiting_registrations.delay().get() == 0
    [reminder] = Notification.objects.all()
    assert reminder.recipient == worker != county_worker
    assert reminder.channel == "in_app"
    assert waiting.reference in reminder.subject
    assert waiting.resident.id_number not in reminder.body


def test_the_grid_worker_who_surveyed_the_resident_is_reminded_and_a_new_status_reminds_again(settings):
    settings.WORKSHOPS_REMINDER_DAYS = 3
    surveyor = grid_worker()
    grid_worker()  # another one of the same county
    resident = ResidentFactory(grid_worker=surveyor)
    registration = RegistrationFactory(resident=resident, status_changed_at=days_ago(5))
    assert services.registrations_remind() == 1
    services.registration_recommend(registration=registration, actor=organiser())
    assert services.registrations_remind() == 0  # the new waiting period has only begun
    assert services.registrations_remind(now=timezone.now() + timedelta(days=4)) == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [surveyor.pk, surveyor.pk]


def test_registrations_nobody_acted_on_expire_once_with_an_audit_row_and_a_text_to_the_resident(settings):
    settings.WORKSHOPS_EXPIRY_DAYS = 30
    stale = RegistrationFactory(status="recommended", status_changed_at=days_ago(31))
    fresh = RegistrationFactory(status_changed_at=days_ago(29))
    accepted = RegistrationFactory(status="accepted", status_changed_at=days_ago(90))

    assert expire_registrations.delay().get() == 1
    assert expire_registrations.delay().get() == 0
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {stale.pk: "expired", fresh.pk: "submitted", accepted.pk: "accepted"}
    [entry] = AuditEntry.objects.filter(new_value="expired")
    assert (entry.object_id, entry.old_value, entry.actor_display) == (stale.pk, "recommended", "scheduler")
    [text] = Notification.objects.all()
    assert (text.channel, text.address) == ("sms", stale.resident.phone)
    assert stale.reference in text.body


def test_an_expiry_whose_text_cannot_be_written_is_not_made_either(settings):
    settings.WORKSHOPS_EXPIRY_DAYS = 30
    stale = RegistrationFactory(status_changed_at=days_ago(31))
    failing = mock.patch("workshops.services.sweeps._outbox_bulk", side_effect=DatabaseError("disk full"))
    with failing, pytest.raises(DatabaseError):
        services.registrations_expire()
    stale.refresh_from_db()
    assert stale.status == "submitted"  # the move and its text commit together, or neither does
    assert not AuditEntry.objects.filter(new_value="expired").exists()
    assert services.registrations_expire() == 1
    assert Notification.objects.filter(dedupe_key=f"workshops:registration:{stale.pk}:expired").exists()


def test_an_expired_registration_lets_the_resident_register_again():
    stale = RegistrationFactory(status_changed_at=days_ago(60))
    services.registrations_expire()
    again, created = services.registration_submit(
        resident=stale.resident, position=stale.position, channel="self", actor=None, consent=True
    )
    assert created and again.pk != stale.pk


def test_seasonal_positions_close_after_their_window_once():
    today = timezone.localdate()
    ended = PositionFactory(seasonal_start=today - timedelta(days=60), seasonal_end=today - timedelta(days=1))
    running = PositionFactory(seasonal_start=today - timedelta(days=10), seasonal_end=today)
    permanent = PositionFactory()
    assert close_seasonal_positions.delay().get() == 1
    assert close_seasonal_positions.delay().get() == 0
    for position, status in ((ended, "closed"), (running, "open"), (permanent, "open")):
        position.refresh_from_db()
        assert position.status == status
    assert AuditEntry.objects.filter(object_id=ended.pk, new_value="closed").count() == 1


def test_the_sweeps_are_in_the_beat_schedule():
    from programs.schedule import declared_periodic_tasks

    tasks = {task for task, _seconds in declared_periodic_tasks().values()}
    assert {
        "workshops.remind_waiting_registrations",
        "workshops.expire_registrations",
        "workshops.close_seasonal_positions",
    } <= tasks
