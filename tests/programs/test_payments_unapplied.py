"""Money is never lost: a paid notification for a cancelled or expired order (a fine's order is priced for one day,
its late fee grows daily) is recorded on the order for a refund or to apply, answered success, and the department's
officers are told; pending orders expire at the end of their day. Officers see only their department's orders."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Fine
from inspections.services.fine_arrangements import fine_enforcement_apply
from inspections.services.fines import fine_pay_start
from programs.models import Notification
from programs.payment_models import PaymentOrder
from programs.payments import payment_orders_expire
from tests.inspections.fine_helpers import ensure_waiver_policy, notify, served_fine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _waiver_policy(db):
    ensure_waiver_policy()


def _order(cast, **kw):
    fine = served_fine(cast, **kw)
    order, _cashier = fine_pay_start(fine=fine, actor=cast.enterprise_user)
    return fine, order


def _told(officer, order):
    return Notification.objects.filter(
        recipient=officer, dedupe_key=f"programs:payment-order:{order.pk}:unapplied"
    ).count()


def test_money_paid_for_a_cancelled_order_is_recorded_answered_success_and_the_officer_told(cast, client):
    fine, order = _order(cast, served_days_ago=20)
    fine_enforcement_apply(fine=fine, actor=cast.market_officer, reason="逾期未缴")
    response = notify(order, transaction_id="SIMLATE0001")
    assert (response.status_code, response.json()) == (200, {"result": "success", "outcome": "unapplied"})
    order.refresh_from_db()
    fine.refresh_from_db()
    assert (order.status, order.transaction_id) == (PaymentOrder.Status.UNAPPLIED, "SIMLATE0001")
    assert order.paid_at is not None and fine.status == Fine.Status.ENFORCEMENT and fine.principal_paid == 0
    assert (_told(cast.market_officer, order), _told(cast.fire_officer, order)) == (1, 0)
    again = notify(order, transaction_id="SIMLATE0001")
    assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")
    assert _told(cast.market_officer, order) == 1
    client.force_login(cast.market_officer)
    page = client.get(reverse("admin:programs_paymentorder_changelist"), {"status": "unapplied"})
    assert order.reference in page.content.decode()


def test_an_order_past_the_end_of_its_day_is_not_applied_and_the_enterprise_pays_a_new_one(cast):
    fine, order = _order(cast, served_days_ago=20)
    assert order.expires_at == timezone.make_aware(
        timezone.datetime.combine(timezone.localdate() + timedelta(days=1), timezone.datetime.min.time())
    )
    PaymentOrder.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = notify(order)
    assert (response.status_code, response.json()["outcome"]) == (200, "unapplied")
    order.refresh_from_db()
    fine.refresh_from_db()
    assert (order.status, fine.status, fine.principal_paid) == (PaymentOrder.Status.UNAPPLIED, Fine.Status.UNPAID, 0)
    fresh, _cashier = fine_pay_start(fine=fine, actor=cast.enterprise_user)
    assert fresh != order and notify(fresh).json()["outcome"] == "paid"


def test_an_order_priced_for_another_day_is_not_applied(cast):
    fine, order = _order(cast, served_days_ago=20)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    PaymentOrder.objects.filter(pk=order.pk).update(expires_at=None, breakdown={**order.breakdown, "day": yesterday})
    assert notify(order).json()["outcome"] == "unapplied"
    order.refresh_from_db()
    fine.refresh_from_db()
    assert (order.status, fine.status, fine.late_fee_paid) == (PaymentOrder.Status.UNAPPLIED, Fine.Status.UNPAID, 0)
    assert _told(cast.market_officer, order) == 1


def test_the_sweep_expires_pending_orders_at_the_end_of_their_day_once(cast):
    _fine, order = _order(cast, served_days_ago=20)
    _fine2, current = _order(cast, served_days_ago=3)
    PaymentOrder.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert payment_orders_expire() == 1
    assert payment_orders_expire() == 0
    order.refresh_from_db()
    current.refresh_from_db()
    assert (order.status, current.status) == (PaymentOrder.Status.CANCELLED, PaymentOrder.Status.PENDING)


def test_the_simulated_cashier_takes_no_payment_for_an_expired_order(cast, client, django_capture_on_commit_callbacks):
    _fine, order = _order(cast)
    PaymentOrder.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(cast.enterprise_user)
    page = reverse("payments:simulator-cashier", args=[order.reference])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(page, {"action": "pay"})
    assert callbacks == []
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.CANCELLED


def test_an_officer_sees_only_the_payment_orders_of_their_department(cast, client):
    _fine, order = _order(cast)
    assert order.department_id == cast.market.pk
    changelist = reverse("admin:programs_paymentorder_changelist")
    client.force_login(cast.fire_officer)
    assert order.reference not in client.get(changelist).content.decode()
    assert client.get(reverse("admin:programs_paymentorder_change", args=[order.pk])).status_code in (302, 404)
    client.force_login(cast.market_officer)
    assert order.reference in client.get(changelist).content.decode()
