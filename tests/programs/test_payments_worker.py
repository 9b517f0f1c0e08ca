"""The simulated gateway's notification travels as a real one's does: the cashier page hands the payment to the
gateway, whose task goes through the Redis broker to a real Celery worker, which posts the signed notification
to the running site; a failing first delivery is retried and a repeated one changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from inspections.models import Fine, PenaltyCase
from programs.audit import audit_history
from programs.payment_models import PaymentOrder
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from tests.inspections.fine_helpers import ensure_waiver_policy, served_fine


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_payment_notification_reaches_the_site_through_the_broker_and_a_worker(live_server, tmp_path):
    ensure_waiver_policy()
    cast = Cast()
    fine = served_fine(cast, served_days_ago=18)  # three days late: 90 yuan of late fee, waived when paid
    browser = Client()
    browser.force_login(cast.enterprise_user)
    worker = CeleryWorker(
        queue="celery",
        log_path=tmp_path / "worker.log",
        extra_env={
            "PAYMENT_CALLBACK_BASE_URL": live_server.url,
            "PAYMENT_SIMULATOR_DELAY": "0.5",
            "PAYMENT_SIMULATOR_FAILURES": "1",  # the first delivery fails; the task retries
            "PAYMENT_SIMULATOR_DUPLICATES": "2",  # then the gateway sends its notification twice
        },
    )
    try:
        cashier = browser.post(reverse("inspections:fine-pay", args=[fine.case_id]))
        result = browser.post(cashier.url, {"action": "pay"})
        assert result.status_code == 302
        order = PaymentOrder.objects.get(owner="inspections.fine", owner_id=fine.pk)
        assert order.status == PaymentOrder.Status.PENDING  # paid at the gateway; the site is told later
        wait_until(lambda: Fine.objects.get(pk=fine.pk).status == Fine.Status.PAID, timeout=90, message="fine paid")
    finally:
        worker.stop()
    fine.refresh_from_db()
    order.refresh_from_db()
    assert (order.status, fine.principal_paid, fine.late_fee_waived) == (
        PaymentOrder.Status.PAID,
        fine.amount,
        fine.late_fee,
    )
    assert fine.late_fee > 0
    assert [e.new_value for e in audit_history(order) if e.field == "status"] == ["paid"]  # the repeat: nothing
    assert PenaltyCase.objects.get(pk=fine.case_id).status == PenaltyCase.Status.FULFILLED
    page = browser.get(reverse("payments:simulator-result", args=[order.reference])).content.decode()
    assert "order-paid" in page
