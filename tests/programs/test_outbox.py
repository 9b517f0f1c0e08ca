"""The notification outbox: one row per dedupe key, sent exactly once whatever runs it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from programs import delivery, services
from programs.models import Notification
from programs.tasks import send_due_notifications
from tests.conftest import CeleryWorker, failures, released_together, wait_until
from tests.factories import UserFactory


def schedule_email(key, *, due_in=timedelta(0)):
    return services.notification_schedule(
        dedupe_key=key,
        channel=Notification.Channel.EMAIL,
        address=f"{key}@example.cn",
        subject=f"Reminder {key}",
        body="Your visit is tomorrow.",
        due_at=timezone.now() + due_in,
    )


@pytest.mark.django_db
def test_scheduling_the_same_reminder_twice_makes_one_row():
    first, created = schedule_email("booking:1:reminder-24h")
    again, created_again = schedule_email("booking:1:reminder-24h")
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_the_sweep_sends_what_is_due_once_and_leaves_the_future():
    schedule_email("due")
    schedule_email("later", due_in=timedelta(hours=2))
    assert services.notifications_send_due() == 1
    assert services.notifications_send_due() == 0
    assert [m.subject for m in mail.outbox] == ["Reminder due"]
    assert mail.outbox[0].extra_headers["X-Notification-Key"] == "due"
    assert Notification.objects.get(dedupe_key="later").status == "pending"


@pytest.mark.django_db
def test_a_failing_delivery_is_retried_later_and_gives_up_after_the_limit(settings, monkeypatch):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    schedule_email("flaky")

    def refuse(notification):
        raise ConnectionError("smtp down")

    monkeypatch.setitem(delivery.CHANNEL_SENDERS, "email", refuse)  # the SMTP server is outside
    assert services.notifications_send_due() == 0
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.due_at > timezone.now()
    services.notifications_send_due(now=row.due_at + timedelta(seconds=1))
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)
    assert "smtp down" in row.last_error


@pytest.mark.django_db
def test_cancelled_reminders_are_never_sent():
    schedule_email("booking:7:v1:reminder-24h")
    schedule_email("booking:7:v1:reminder-2h")
    schedule_email("booking:8:v1:reminder-24h")
    assert services.notifications_cancel(dedupe_key_prefix="booking:7:") == 2
    services.notifications_send_due()
    assert [m.extra_headers["X-Notification-Key"] for m in mail.outbox] == ["booking:8:v1:reminder-24h"]


@pytest.mark.django_db
def test_in_app_notifications_reach_the_inbox_and_can_be_marked_read(api_as):
    user, other = UserFactory(), UserFactory()
    services.notification_schedule(
        dedupe_key="hello", channel="in_app", recipient=user, subject="Plan approved", body="Your plan is merged."
    )
    client = api_as(user)
    assert client.get("/api/v1/notifications/").json()["count"] == 0  # not delivered yet
    send_due_notifications.delay()
    inbox = client.get("/api/v1/notifications/").json()
    assert [n["subject"] for n in inbox["results"]] == ["Plan approved"]
    notification_id = inbox["results"][0]["id"]
    assert api_as(other).post(f"/api/v1/notifications/{notification_id}/read/").status_code == 404
    assert client.post(f"/api/v1/notifications/{notification_id}/read/").json()["read_at"] is not None
    assert client.get("/api/v1/notifications/?read_at__isnull=true").json()["count"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_each_reminder_once():
    for i in range(300):
        schedule_email(f"concurrent-{i}")
    sent = released_together([lambda: services.notifications_send_due(batch_size=25)] * 2)
    assert not failures(sent)
    keys = [m.extra_headers["X-Notification-Key"] for m in mail.outbox]
    assert len(keys) == len(set(keys)) == 300
    assert sum(sent) == 300
    assert all(sent), "both sweeps should have taken part of the work"
    assert Notification.objects.filter(status="sent").count() == 300


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_sends_each_reminder_once_even_when_asked_twice(tmp_path):
    for i in range(200):
        schedule_email(f"worker-{i}")
    mail_dir = tmp_path / "mail"
    worker = CeleryWorker(
        queue="outbox-test", log_path=tmp_path / "worker.log", extra_env={"EMAIL_URL": f"filemail://{mail_dir}"}
    )
    try:
        for _ in range(3):  # three sweeps racing in a 2-thread worker
            send_due_notifications.apply_async(queue="outbox-test")
        wait_until(lambda: not Notification.objects.filter(status="pending").exists(), timeout=90, message="all sent")
    finally:
        worker.stop()
    keys = re.findall(r"^X-Notification-Key: (\S+)$", "".join(p.read_text() for p in mail_dir.iterdir()), re.M)
    assert len(keys) == len(set(keys)) == 200
