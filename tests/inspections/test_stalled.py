"""A coordination started while the broker was down is sent again once the broker is back, and runs once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections import services
from inspections.models import Coordination, Inspection
from inspections.tasks import requeue_stalled_coordinations
from tests.cast import Cast
from tests.inspections.factories import MONTH, PlanEntryFactory

pytestmark = pytest.mark.django_db


def test_a_coordination_whose_task_was_lost_is_sent_again_and_runs_once():
    cast = Cast()
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, actor=cast.market_officer)
    coordination = services.coordination_start(region=cast.enterprise.region, month=MONTH, actor=cast.coordinator)
    # on_commit never runs inside this test's transaction: exactly what a lost publish looks like
    assert requeue_stalled_coordinations() == 0  # too recent to call stalled
    Coordination.objects.filter(pk=coordination.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert requeue_stalled_coordinations() == 1  # sent again, run (eagerly here)
    assert requeue_stalled_coordinations() == 0
    coordination.refresh_from_db()
    assert (coordination.status, coordination.executed) == ("done", 1)
    assert Inspection.objects.filter(enterprise=cast.enterprise).count() == 1
