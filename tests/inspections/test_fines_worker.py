"""The fines' periodic tasks through a real broker to a real worker, with no beat and no other sweep: the late
fee of an overdue fine accrues once a day however often the task runs, and a payment order priced for a past
day is cancelled."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inspections.models import Fine
from inspections.services.fines import fine_pay_start
from inspections.tasks import accrue_fine_late_fees
from programs.audit import audit_history
from programs.models import PaymentOrder
from programs.tasks import expire_payment_orders
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from tests.reliability.test_broker_outage import use_broker

from .fine_helpers import served_fine

QUEUE = "fines-test"


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_late_fee_accrues_once_and_a_stale_order_expires_on_a_real_worker(monkeypatch, tmp_path):
    cast = Cast()
    overdue = served_fine(cast, served_days_ago=20)  # due five days ago: 5 × 3 % of 1,000 yuan
    unpaid = served_fine(cast, served_days_ago=1)
    order, _cashier = fine_pay_start(fine=unpaid, actor=cast.enterprise_user)
    PaymentOrder.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    use_broker(monkeypatch, os.environ["CELERY_BROKER_URL"])
    # One thread: the tasks run in the order sent, so when the order is cancelled both late-fee runs are done.
    worker = CeleryWorker(queue=QUEUE, log_path=tmp_path / "worker.log", concurrency=1)
    try:
        accrue_fine_late_fees.apply_async(queue=QUEUE)
        accrue_fine_late_fees.apply_async(queue=QUEUE)  # the same day again: nothing changes
        expire_payment_orders.apply_async(queue=QUEUE)
        wait_until(
            lambda: PaymentOrder.objects.filter(pk=order.pk, status=PaymentOrder.Status.CANCELLED).exists(),
            timeout=90,
            message="the worker to expire the stale order",
        )
    finally:
        worker.stop()
    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")

    overdue.refresh_from_db()
    assert (overdue.late_fee, overdue.late_fee_through) == (Decimal("150.00"), timezone.localdate())
    assert overdue.status == Fine.Status.UNPAID
    assert [e.new_value for e in audit_history(overdue) if e.field == "late_fee"] == ["150.00"]  # one run applied
