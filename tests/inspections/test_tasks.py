"""The coordination task in a real Celery worker: queued, run, progress on its row."""

import pytest
from django.utils import timezone

from inspections.models import Coordination, Inspection
from inspections.tasks import coordinate_month
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from tests.factories import EnterpriseFactory

from .factories import PlanEntryFactory


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_month_coordinated_by_a_worker_reports_its_progress(tmp_path):
    cast = Cast()
    month = timezone.localdate().replace(day=1)
    for enterprise in EnterpriseFactory.create_batch(5, region=cast.enterprise.region):
        PlanEntryFactory(department=cast.market, enterprise=enterprise, month=month, actor=cast.market_officer)
        PlanEntryFactory(department=cast.fire, enterprise=enterprise, month=month, actor=cast.fire_officer)
    run = Coordination.objects.create(
        region=cast.enterprise.region.parent.parent, month=month, started_by=cast.coordinator
    )
    worker = CeleryWorker(queue="inspections-test", log_path=tmp_path / "worker.log")
    try:
        coordinate_month.apply_async(args=[run.pk], queue="inspections-test")
        coordinate_month.apply_async(args=[run.pk], queue="inspections-test")  # a retry: no second effect
        wait_until(
            lambda: Coordination.objects.get(pk=run.pk).status == Coordination.Status.DONE,
            timeout=90,
            message="coordination done",
        )
    finally:
        worker.stop()
    run.refresh_from_db()
    assert (run.total, run.processed, run.progress, run.executed, run.cut) == (5, 5, 100, 10, 0)
    assert Inspection.objects.filter(is_joint=True).count() == 5
