"""The credit repair review deadline: a periodic sweep reminds the department's officers a day before it and
escalates past it to the department's head, once each, run twice through a real broker by a real worker."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from inspections.models import RepairApplication
from inspections.services import repair as services
from inspections.tasks import sweep_repair_reviews
from programs.celery import app as celery_app
from programs.models import AuditEntry, Department, Notification
from programs.schedule import declared_periodic_tasks
from programs.tasks import send_due_notifications
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from tests.factories import officer
from tests.reliability.test_broker_outage import use_broker

from .repair_helpers import apply, fulfilled_case, rules

QUEUE = "credit-repair-test"


def test_the_review_sweep_is_in_the_one_beat_schedule():
    assert "inspections.sweep_repair_reviews" in {task for task, _seconds in declared_periodic_tasks().values()}


def _waiting(cast, *, due_in: timedelta) -> RepairApplication:
    application = apply(cast, fulfilled_case(cast, decided_days_ago=100))
    RepairApplication.objects.filter(pk=application.pk).update(review_due=timezone.now() + due_in)
    return application


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_reviews_near_their_deadline_are_reminded_and_overdue_ones_escalated_once(monkeypatch, tmp_path):
    cast = Cast()
    rules()
    head = officer(cast.market)
    Department.objects.filter(pk=cast.market.pk).update(head=head)
    near = _waiting(cast, due_in=timedelta(hours=10))
    late = _waiting(cast, due_in=-timedelta(hours=2))
    later = _waiting(cast, due_in=timedelta(days=4))
    decided = _waiting(cast, due_in=-timedelta(hours=2))
    services.repair_approve(application=decided, actor=cast.market_officer)

    use_broker(monkeypatch, os.environ["CELERY_BROKER_URL"])
    # One thread: the tasks run in the order sent, so once the notices are sent the second sweep has run.
    worker = CeleryWorker(queue=QUEUE, log_path=tmp_path / "worker.log", concurrency=1)
    try:
        sweep_repair_reviews.apply_async(queue=QUEUE)
        wait_until(
            lambda: RepairApplication.objects.filter(pk=late.pk, escalated_at__isnull=False).exists(),
            timeout=90,
            message="the worker to escalate the late review",
        )
        sweep_repair_reviews.apply_async(queue=QUEUE)  # the second run: nothing left to remind or escalate
        send_due_notifications.apply_async(queue=QUEUE)
        wait_until(
            lambda: (
                not Notification.objects.filter(
                    dedupe_key__contains=":escalated:", status=Notification.Status.PENDING
                ).exists()
            ),
            timeout=90,
            message="the worker to send the notices",
        )
    finally:
        worker.stop()
    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")

    stamped = {a.pk: (a.reminded_at is not None, a.escalated_at is not None) for a in RepairApplication.objects.all()}
    assert stamped == {
        near.pk: (True, False),
        late.pk: (True, True),
        later.pk: (False, False),
        decided.pk: (False, False),
    }
    reminders = AuditEntry.objects.filter(field="reminded", action="repair.remind")
    escalations = AuditEntry.objects.filter(field="escalated", action="repair.escalate")
    assert sorted(reminders.values_list("object_id", flat=True)) == sorted([near.pk, late.pk])
    assert list(escalations.values_list("object_id", flat=True)) == [late.pk]
    assert {entry.actor_label for entry in [*reminders, *escalations]} == {"scheduler"}

    officers = {cast.market_officer.pk, head.pk}
    for application in (near, late):
        told = Notification.objects.filter(
            dedupe_key__startswith=f"inspections:repair:{application.pk}:reminder:", channel=Notification.Channel.IN_APP
        )
        assert sorted(told.values_list("recipient", flat=True)) == sorted(officers)
    escalated = Notification.objects.filter(dedupe_key__startswith=f"inspections:repair:{late.pk}:escalated:")
    assert list(escalated.filter(channel=Notification.Channel.IN_APP).values_list("recipient", flat=True)) == [head.pk]
    assert escalated.filter(status=Notification.Status.SENT).exists()
    assert celery_app.conf.task_always_eager is False
