"""Deferral and instalments (延期 / 分期缴纳): requested by the enterprise, decided by an officer of the case's
department, and honoured by the late-fee sweep and the payment."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inspections.models import Fine, FineArrangement
from inspections.services.fine_arrangements import fine_arrangement_decide, fine_arrangement_request
from inspections.services.fines import fine_late_fees_accrue, fine_pay_start
from programs.models import Notification

from .fine_helpers import ensure_waiver_policy, notify, served_fine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _waiver_policy(db):
    ensure_waiver_policy()


def _approved(cast, fine, **request):
    arrangement = fine_arrangement_request(fine=fine, actor=cast.enterprise_user, reason="资金周转困难", **request)
    return fine_arrangement_decide(arrangement=arrangement, actor=cast.market_officer, approve=True, note="同意")


def test_an_approved_deferral_moves_the_due_date_and_the_sweep_honours_it(cast):
    fine = served_fine(cast, served_days_ago=10)  # due in 5 days
    new_due = fine.due_date + timedelta(days=30)
    _approved(cast, fine, kind=FineArrangement.Kind.DEFERRAL, defer_until=new_due)
    fine.refresh_from_db()
    assert fine.due_date == new_due
    assert fine_late_fees_accrue(today=fine.original_due_date + timedelta(days=10)) == 0  # not late any more
    fine.refresh_from_db()
    assert fine.late_fee == 0
    assert fine_late_fees_accrue(today=new_due + timedelta(days=2)) == 1
    fine.refresh_from_db()
    assert fine.late_fee == Decimal("60.00")
    # The reminders follow the new date; those of the old one are cancelled.
    pending = Notification.objects.filter(
        dedupe_key__startswith=f"inspections:fine:{fine.pk}:", status=Notification.Status.PENDING
    ).values_list("dedupe_key", flat=True)
    assert pending and all(new_due.isoformat() in key for key in pending)


def test_approved_instalments_are_due_a_month_apart_and_late_only_for_the_overdue_one(cast):
    fine = served_fine(cast, amount="1000", served_days_ago=10)
    _approved(cast, fine, kind=FineArrangement.Kind.INSTALMENTS, instalments=3)
    instalments = list(fine.instalments.all())
    assert [i.amount for i in instalments] == [Decimal("333.34"), Decimal("333.33"), Decimal("333.33")]
    first_due = fine.due_date
    assert [i.due_date for i in instalments] == [first_due + timedelta(days=30 * n) for n in range(3)]
    fine.refresh_from_db()
    assert fine.due_date == instalments[-1].due_date

    order, _cashier = fine_pay_start(fine=fine, actor=cast.enterprise_user)
    assert order.amount == Decimal("333.34")  # the first instalment
    notify(order)
    fine.refresh_from_db()
    assert (fine.status, fine.principal_paid) == (Fine.Status.UNPAID, Decimal("333.34"))

    # The second instalment two days late: 3 % of 333.33 a day; the third is not due yet.
    fine_late_fees_accrue(today=instalments[1].due_date + timedelta(days=2))
    fine.refresh_from_db()
    assert fine.late_fee == Decimal("20.00")


def test_a_request_is_refused_with_the_field_named(cast):
    fine = served_fine(cast)
    with pytest.raises(ValidationError) as refused:
        fine_arrangement_request(
            fine=fine, actor=cast.enterprise_user, kind="deferral", reason="x", defer_until=fine.due_date
        )
    assert refused.value.error_dict["defer_until"][0].code == "not_later"
    with pytest.raises(ValidationError) as refused:
        fine_arrangement_request(fine=fine, actor=cast.enterprise_user, kind="instalments", reason="x", instalments=30)
    assert refused.value.error_dict["instalments"][0].code == "out_of_range"


def test_one_request_waits_at_a_time_and_only_the_department_decides(cast):
    fine = served_fine(cast)
    until = timezone.localdate() + timedelta(days=40)
    arrangement = fine_arrangement_request(
        fine=fine, actor=cast.enterprise_user, kind="deferral", reason="资金周转困难", defer_until=until
    )
    with pytest.raises(ValidationError) as refused:
        fine_arrangement_request(
            fine=fine, actor=cast.enterprise_user, kind="deferral", reason="再次申请", defer_until=until
        )
    assert refused.value.code == "pending"
    with pytest.raises(PermissionDenied):
        fine_arrangement_decide(arrangement=arrangement, actor=cast.fire_officer, approve=True)
    with pytest.raises(ValidationError):
        fine_arrangement_decide(arrangement=arrangement, actor=cast.market_officer, approve=False, note="")
    rejected = fine_arrangement_decide(
        arrangement=arrangement, actor=cast.market_officer, approve=False, note="理由不充分"
    )
    assert rejected.status == FineArrangement.Status.REJECTED
    fine.refresh_from_db()
    assert fine.due_date == fine.original_due_date
