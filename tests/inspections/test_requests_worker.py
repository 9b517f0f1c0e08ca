"""The escalation sweep of enterprise requests in a real Celery worker through the Redis broker (no beat, no
fallback sweep): a request routed, unanswered past its deadline, escalated once though the sweep runs twice,
then answered late."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections import services
from inspections.models import EnterpriseRequest, RequestRoute
from inspections.tasks import escalate_overdue_requests
from programs.models import AuditEntry, Notification
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until

QUEUE = "requests-test"


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_late_request_is_escalated_once_by_the_worker_however_often_the_sweep_runs(tmp_path):
    cast = Cast()
    cast.fire.head = cast.fire_officer
    cast.fire.save()
    RequestRoute.objects.create(region=cast.village, category="infrastructure", department=cast.fire, response_days=1)
    filed = services.request_file(
        enterprise=cast.enterprise,
        actor=cast.enterprise_user,
        category="infrastructure",
        title="道路施工影响货车通行",
        description="园区北路施工，货车无法进出",
    )
    assert (filed.department, filed.owner) == (cast.fire, None)  # routed to the department; its head is told
    EnterpriseRequest.objects.filter(pk=filed.pk).update(due_at=timezone.now() - timedelta(hours=1))
    worker = CeleryWorker(queue=QUEUE, log_path=tmp_path / "worker.log", concurrency=1)
    try:
        escalate_overdue_requests.apply_async(queue=QUEUE)
        escalate_overdue_requests.apply_async(queue=QUEUE)  # the sweep run twice
        wait_until(
            lambda: EnterpriseRequest.objects.get(pk=filed.pk).escalated_at is not None,
            timeout=90,
            message="the request escalated",
        )
        # One worker thread runs the queue in order: once a later request is escalated, both runs are over.
        marker = services.request_file(
            enterprise=cast.enterprise, actor=cast.enterprise_user, category="finance", title="贴息", description="贷款"
        )
        EnterpriseRequest.objects.filter(pk=marker.pk).update(due_at=timezone.now() - timedelta(hours=1))
        escalate_overdue_requests.apply_async(queue=QUEUE)
        wait_until(
            lambda: EnterpriseRequest.objects.get(pk=marker.pk).escalated_at is not None,
            timeout=90,
            message="the third sweep ran",
        )
    finally:
        worker.stop()
    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")
    assert AuditEntry.objects.filter(object_id=filed.pk, field="escalated", action="request.escalate").count() == 1
    told = Notification.objects.filter(dedupe_key__startswith=f"inspections:request:{filed.pk}:escalated")
    assert list(told.values_list("recipient", flat=True)) == [cast.fire_officer.pk]  # the head, once

    answered = services.request_answer(request=filed, reply="已协调交警夜间放行", actor=cast.fire_officer)
    assert answered.answered_on_time is False
