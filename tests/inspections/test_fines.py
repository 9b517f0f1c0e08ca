"""Fines: due 15 days after service with reminders, the late fee computed day by day and capped at the fine by a
sweep that applies once a day, the automatic-fulfilment waiver (免加罚) on voluntary payment, enforcement, and the
indicator."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inspections.models import Fine, LateFeeWaiverPolicy
from inspections.selectors import inspection_indicators
from inspections.services import fine_arrangements
from inspections.services.fines import (
    fine_late_fees_accrue,
    fine_open,
    fine_pay_start,
    fine_payment_due,
    late_fee_as_of,
)
from programs.audit import audit_history
from programs.models import Notification
from programs.payment_models import PaymentOrder

from .fine_helpers import ensure_waiver_policy, notify, served_fine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _waiver_policy(db):
    ensure_waiver_policy()


def test_a_served_fine_is_due_fifteen_days_later_with_two_reminders(cast):
    fine = served_fine(cast)
    today = timezone.localdate()
    assert (fine.status, fine.amount, fine.served_on, fine.due_date) == (
        Fine.Status.UNPAID,
        Decimal("1000.00"),
        today,
        today + timedelta(days=15),
    )
    keys = set(
        Notification.objects.filter(dedupe_key__startswith=f"inspections:fine:{fine.pk}:").values_list(
            "dedupe_key", flat=True
        )
    )
    assert {k.split(":")[4] for k in keys} == {"reminder-3d", "reminder-1d"}
    assert fine_open(fine.case) == fine  # opened again: the same fine, nothing new
    assert Notification.objects.filter(dedupe_key__startswith=f"inspections:fine:{fine.pk}:").count() == len(keys)


def test_the_late_fee_is_three_percent_a_day_and_never_more_than_the_fine(cast):
    fine = served_fine(cast, served_days_ago=15)  # due today
    due = fine.due_date
    assert late_fee_as_of(fine, due) == 0
    assert late_fee_as_of(fine, due + timedelta(days=1)) == Decimal("30.00")
    assert late_fee_as_of(fine, due + timedelta(days=2)) == Decimal("60.00")
    assert late_fee_as_of(fine, due + timedelta(days=33)) == Decimal("990.00")
    assert late_fee_as_of(fine, due + timedelta(days=34)) == Decimal("1000.00")  # 1,020 capped at the fine
    assert late_fee_as_of(fine, due + timedelta(days=300)) == Decimal("1000.00")


def test_the_sweep_accrues_day_by_day_and_a_second_run_of_a_day_changes_nothing(cast):
    fine = served_fine(cast, served_days_ago=15)
    due = fine.due_date
    for day, expected in [(1, "30.00"), (2, "60.00"), (40, "1000.00")]:
        assert fine_late_fees_accrue(today=due + timedelta(days=day)) == 1
        assert fine_late_fees_accrue(today=due + timedelta(days=day)) == 0  # the same day again
        fine.refresh_from_db()
        assert (fine.late_fee, fine.late_fee_through) == (Decimal(expected), due + timedelta(days=day))
    rows = [e for e in audit_history(fine) if e.field == "late_fee"]
    assert [r.new_value for r in reversed(rows)] == ["30.00", "60.00", "1000.00"]
    assert fine_late_fees_accrue(today=due + timedelta(days=41)) == 0  # capped: nothing changes any more


def test_a_fine_not_yet_due_accrues_nothing(cast):
    fine = served_fine(cast)
    assert fine_late_fees_accrue(today=fine.due_date) == 0
    fine.refresh_from_db()
    assert fine.late_fee == 0


def test_paying_of_its_own_accord_waives_the_late_fee_and_the_indicator_shows_it(cast):
    fine = served_fine(cast, served_days_ago=20)  # five days late
    fine_late_fees_accrue()
    fine.refresh_from_db()
    assert fine.late_fee == Decimal("150.00")
    order, cashier = fine_pay_start(fine=fine, actor=cast.enterprise_user)
    assert order.amount == Decimal("1000.00")  # the fine only: the late fee is waived
    assert cashier.endswith(f"/payments/simulator/{order.reference}/")
    assert notify(order).status_code == 200
    fine.refresh_from_db()
    assert fine.status == Fine.Status.PAID
    assert (fine.principal_paid, fine.late_fee, fine.late_fee_paid, fine.late_fee_waived) == (
        Decimal("1000.00"),
        Decimal("150.00"),
        Decimal("0"),
        Decimal("150.00"),
    )
    assert fine.waiver_policy == LateFeeWaiverPolicy.objects.get()
    today = timezone.localdate()
    figures = inspection_indicators(user=cast.coordinator, start=today.replace(day=1), end=today)["fines"]
    assert figures == {
        "paid": 1,
        "paid_amount": Decimal("1000.00"),
        "waived": 1,
        "waived_amount": Decimal("150.00"),
        "late_fees_paid": Decimal("0.00"),
        "enforcement_applied": 0,
    }
    assert not Notification.objects.filter(
        dedupe_key__startswith=f"inspections:fine:{fine.pk}:", status=Notification.Status.PENDING
    ).exists()


def test_a_fine_paid_on_time_waives_nothing(cast):
    fine = served_fine(cast, served_days_ago=3)
    order, _cashier = fine_pay_start(fine=fine, actor=cast.enterprise_user)
    notify(order)
    fine.refresh_from_db()
    assert (fine.status, fine.late_fee_waived, fine.waiver_policy) == (Fine.Status.PAID, 0, None)


def test_after_enforcement_is_applied_for_the_late_fee_is_paid_with_the_fine(cast):
    fine = served_fine(cast, served_days_ago=20)
    pending, _cashier = fine_pay_start(fine=fine, actor=cast.enterprise_user)
    fine = fine_arrangements.fine_enforcement_apply(fine=fine, actor=cast.market_officer, reason="逾期未缴")
    pending.refresh_from_db()
    assert pending.status == PaymentOrder.Status.CANCELLED
    assert notify(pending).json()["outcome"] == "unapplied"  # money taken is recorded, never refused
    order, _cashier = fine_pay_start(fine=fine, actor=cast.enterprise_user)
    assert order.amount == Decimal("1150.00")
    notify(order)
    fine.refresh_from_db()
    assert (fine.status, fine.late_fee_paid, fine.late_fee_waived, fine.waiver_policy) == (
        Fine.Status.PAID,
        Decimal("150.00"),
        0,
        None,
    )


def test_enforcement_is_refused_before_the_due_date(cast):
    fine = served_fine(cast)
    with pytest.raises(Exception) as refused:
        fine_arrangements.fine_enforcement_apply(fine=fine, actor=cast.market_officer)
    assert refused.value.code == "not_overdue"


def test_the_waiver_policy_is_data(cast):
    LateFeeWaiverPolicy.objects.update(max_days_late=3)
    fine = served_fine(cast, served_days_ago=20)  # five days late: outside the policy
    due = fine_payment_due(fine)
    assert (due["policy"], due["late_fee"], due["total"]) == (None, Decimal("150.00"), Decimal("1150.00"))


def test_only_the_enterprise_of_the_case_pays(cast):
    fine = served_fine(cast)
    with pytest.raises(Exception) as refused:
        fine_pay_start(fine=fine, actor=cast.market_officer)
    assert type(refused.value).__name__ == "PermissionDenied"
