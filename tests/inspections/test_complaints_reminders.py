"""The complaint reminders in a real Celery worker on the Redis broker (no beat: the fallback sweeps are off):
sent twice at once, each deadline's reminder is written exactly once."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from inspections.models import Complaint, ComplaintCategory, ComplaintRoute
from inspections.services import complaints as services
from inspections.tasks import send_complaint_reminders
from programs.models import AuditEntry, Notification
from programs.schedule import declared_periodic_tasks
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from tests.factories import officer


def test_the_reminder_sweep_is_in_the_one_beat_schedule():
    tasks = {task for task, _seconds in declared_periodic_tasks().values()}
    assert "inspections.send_complaint_reminders" in tasks


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_reminds_the_department_once_before_the_reply_deadline(tmp_path):
    cast = Cast()
    colleague = officer(cast.market)
    ComplaintRoute.objects.create(category=ComplaintCategory.INTERNET_CAFE, region=cast.county, department=cast.market)
    due_soon = services.complaint_file(
        category=ComplaintCategory.INTERNET_CAFE,
        region=cast.village,
        address="鄞州区一村网吧",
        description="网吧接纳未成年人",
        complainant_name="李明",
        complainant_phone="13700001111",
    )
    not_yet = services.complaint_file(
        category=ComplaintCategory.INTERNET_CAFE,
        region=cast.village,
        address="鄞州区一村另一网吧",
        description="噪声扰民",
        complainant_name="赵亮",
        complainant_phone="13700002222",
    )
    services.complaint_acknowledge(complaint=due_soon, actor=cast.market_officer)
    services.complaint_acknowledge(complaint=not_yet, actor=cast.market_officer)
    Complaint.objects.filter(pk=due_soon.pk).update(reply_due_at=timezone.now() + timedelta(hours=20))
    worker = CeleryWorker(queue="complaints-test", log_path=tmp_path / "worker.log")
    try:
        for _ in range(3):  # a retry and a second beat: no second reminder
            send_complaint_reminders.apply_async(queue="complaints-test")
        wait_until(
            lambda: Complaint.objects.get(pk=due_soon.pk).reply_reminded_at is not None,
            timeout=90,
            message="reply reminder",
        )
        time.sleep(3)  # the later sweeps run too, and find nothing to remind
    finally:
        worker.stop()
    reminders = Notification.objects.filter(dedupe_key__contains=":remind-reply:", channel="in_app")
    assert sorted(reminders.values_list("recipient_id", flat=True)) == sorted([cast.market_officer.pk, colleague.pk])
    assert all(f"complaint:{due_soon.pk}:" in key for key in reminders.values_list("dedupe_key", flat=True))
    assert AuditEntry.objects.filter(object_id=due_soon.pk, field="reply_reminded").count() == 1
    assert Complaint.objects.get(pk=not_yet.pk).reply_reminded_at is None
    assert services.complaint_reminders_send() == {"acknowledge": 0, "reply": 0}
