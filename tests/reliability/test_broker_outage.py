"""A broker outage: the requests go on, nothing is lost, and once the broker is back every message and
follow-up goes out exactly once."""

import os
import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from guidance.models import Booking
from guidance.tasks import escalate_unconfirmed_bookings
from inspections.models import Coordination
from programs.celery import app as celery_app
from programs.models import AuditEntry, Notification
from programs.tasks import send_due_notifications
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from tests.factories import EnterpriseFactory, coordinator, enterprise_user
from tests.guidance.factories import SlotFactory, ThemeFactory
from tests.inspections.factories import PlanEntryFactory
from tests.sms_gateway import calls

from .helpers import token_session

DEAD_BROKER = "redis://127.0.0.1:1/0"
BOOKINGS = 100
FAST_ENOUGH = 2.0  # seconds; CELERY_PUBLISH_RETRY_POLICY gives up on the broker well within this
QUEUE = "reliability-outage"


def use_broker(monkeypatch, url: str) -> None:
    """Point this process (the one serving the requests) at ``url``: Celery reads CELERY_BROKER_URL before
    its configuration, and forgets the connections it had pooled to the old broker."""
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)


def broker_reachable() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except OperationalError:  # kombu's word for a broker it cannot reach
        return False
    return True


def email_keys(mail_dir) -> list[str]:
    text = "".join(p.read_text() for p in mail_dir.iterdir()) if mail_dir.exists() else ""
    return re.findall(r"^X-Notification-Key: (\S+)$", text, re.M)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_bookings_made_while_the_broker_is_down_are_kept_and_followed_up_exactly_once_when_it_is_back(
    live_server, monkeypatch, settings, tmp_path
):
    real_broker = os.environ["CELERY_BROKER_URL"]
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme], capacity=BOOKINGS, starts_in=timedelta(days=3))
    county_coordinator = coordinator()
    phones = [token_session(enterprise_user(EnterpriseFactory())) for _ in range(BOOKINGS)]

    use_broker(monkeypatch, DEAD_BROKER)
    assert not broker_reachable()
    answers, slowest = [], 0.0
    for n, phone in enumerate(phones):
        started = time.monotonic()
        answer = phone.post(
            f"{live_server.url}/api/v1/guidance/bookings/",
            json={
                "theme": theme.pk,
                "slot": slot.pk,
                "contact_name": "王先生",
                "contact_phone": f"1380000{n:04d}",
                "contact_email": f"boss{n}@example.cn",
                "address": "测试路1号",
                "consent": True,
            },
            timeout=30,
        )
        slowest = max(slowest, time.monotonic() - started)
        answers.append(answer)
    assert [a.status_code for a in answers] == [201] * BOOKINGS
    assert slowest < FAST_ENOUGH, f"the slowest booking took {slowest:.2f}s"
    bookings = list(Booking.objects.filter(slot=slot).order_by("pk"))
    assert {b.reference for b in bookings} == {a.json()["reference"] for a in answers}
    assert Notification.objects.filter(status="sent").count() == 0

    # The broker is back. A day passes: the visit's reminders fall due and nobody has confirmed a booking.
    use_broker(monkeypatch, real_broker)
    assert broker_reachable()
    Notification.objects.filter(dedupe_key__contains=":reminder-").update(due_at=timezone.now())
    Booking.objects.filter(slot=slot).update(
        created_at=timezone.now() - timedelta(hours=settings.GUIDANCE_ESCALATE_AFTER_HOURS + 1)
    )
    mail_dir, gateway = tmp_path / "mail", tmp_path / "sms.log"
    worker = CeleryWorker(
        queue=QUEUE,
        log_path=tmp_path / "worker.log",
        concurrency=3,
        extra_env={
            "EMAIL_URL": f"filemail://{mail_dir}",
            "SMS_BACKEND": "tests.sms_gateway.FileGateway",
            "SMS_GATEWAY_FILE": str(gateway),
        },
    )
    try:
        for _ in range(2):  # each sweep asked twice, racing itself in a 3-thread worker
            escalate_unconfirmed_bookings.apply_async(queue=QUEUE)
            send_due_notifications.apply_async(queue=QUEUE)
        wait_until(
            lambda: not Booking.objects.filter(slot=slot, escalated_at__isnull=True).exists(),
            timeout=60,
            message="every booking escalated",
        )
        send_due_notifications.apply_async(queue=QUEUE)  # the escalations' own messages
        wait_until(
            lambda: not Notification.objects.filter(status="pending", due_at__lte=timezone.now()).exists(),
            timeout=90,
            message="every due message sent",
        )
    finally:
        worker.stop()

    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")
    expected = {
        f"guidance:booking:{b.pk}:{what}" for b in bookings for what in ("booked", "v1:reminder-24h", "v1:reminder-2h")
    }
    emails, texts = email_keys(mail_dir), calls(gateway)
    assert sorted(emails) == sorted(f"{key}:email" for key in expected)  # each exactly once
    assert sorted(texts) == sorted(f"{key}:sms" for key in expected)
    escalations = AuditEntry.objects.filter(field="escalated", object_id__in=[b.pk for b in bookings])
    assert sorted(escalations.values_list("object_id", flat=True)) == [b.pk for b in bookings]
    told = Notification.objects.filter(recipient=county_coordinator, status="sent")
    assert told.count() == BOOKINGS


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_coordination_started_while_the_broker_is_down_is_answered_at_once(live_server, monkeypatch):
    """The one API write that queues a task on the request path: the publish gives up on a dead broker within
    the retry policy and the request still succeeds."""
    cast = Cast()
    month = timezone.localdate().replace(day=1)
    for enterprise in (EnterpriseFactory(), EnterpriseFactory()):
        PlanEntryFactory(department=cast.market, enterprise=enterprise, month=month, actor=cast.market_officer)
    phone = token_session(cast.coordinator)

    use_broker(monkeypatch, DEAD_BROKER)
    started = time.monotonic()
    answer = phone.post(
        f"{live_server.url}/api/v1/coordinations/",
        json={"region": cast.coordinator.region.code, "month": month.isoformat()},
        timeout=30,
    )
    took = time.monotonic() - started
    assert answer.status_code == 202, answer.text
    assert took < FAST_ENOUGH, f"the request waited {took:.2f}s for the broker"
    assert Coordination.objects.get(pk=answer.json()["id"]).status == Coordination.Status.QUEUED
