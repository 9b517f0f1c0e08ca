"""The outbox under faults: a worker killed mid-sweep."""

import signal

import pytest
from django.utils import timezone

from programs.models import Notification
from programs.tasks import send_due_notifications
from tests.conftest import CeleryWorker, wait_until
from tests.sms_gateway import calls

REMINDERS = 10_000
BATCH = 50
THREADS = 2


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sweep_leaves_no_reminder_lost_and_none_accepted_twice(tmp_path):
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            dedupe_key=f"kill-test:{i}",
            channel="sms",
            address=f"138{i:08d}",
            subject="提醒",
            body="明天上门指导",
            due_at=now,
        )
        for i in range(REMINDERS)
    )
    gateway = tmp_path / "gateway.log"
    env = {
        "SMS_BACKEND": "tests.sms_gateway.FileGateway",
        "SMS_GATEWAY_FILE": str(gateway),
        "SMS_GATEWAY_DELAY": "0.001",
        "OUTBOX_BATCH_SIZE": str(BATCH),
        "OUTBOX_LEASE_SECONDS": "5",  # the dead worker's claims end soon after the kill
    }
    first = CeleryWorker(queue="kill-test", log_path=tmp_path / "first.log", extra_env=env, concurrency=THREADS)
    for _ in range(THREADS):
        send_due_notifications.apply_async(queue="kill-test")
    wait_until(lambda: len(calls(gateway)) >= 2000, timeout=120, message="the first worker to be mid-way")
    first.kill(signal.SIGKILL)
    first.stop()
    sent_before = Notification.objects.filter(status="sent").count()
    assert 0 < sent_before < REMINDERS, "the kill must land mid-way for this test to mean anything"

    second = CeleryWorker(queue="kill-test", log_path=tmp_path / "second.log", extra_env=env, concurrency=THREADS)
    try:
        send_due_notifications.apply_async(queue="kill-test")
        wait_until(lambda: not Notification.objects.filter(status="pending").exists(), timeout=180, message="all sent")
    finally:
        second.stop()

    handed = calls(gateway)
    assert set(handed) == {f"kill-test:{i}" for i in range(REMINDERS)}  # nothing lost
    # Only the batches in flight when the worker died were handed over twice, with the same key, which the
    # gateway drops: every reminder reaches a phone exactly once.
    repeats = len(handed) - len(set(handed))
    assert repeats <= BATCH * THREADS
    assert Notification.objects.filter(status="sent").count() == REMINDERS
