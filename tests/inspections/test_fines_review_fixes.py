"""Review fixes: a deferral or instalments are refused once the fine is overdue (the accrued late fee is kept);
enforcement may be applied for while any instalment is unpaid past its due date; the enterprise's fine pages
read the fine through the fine selector."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections import fine_views
from inspections.models import Fine, FineArrangement, FineInstalment
from inspections.services.fine_arrangements import (
    fine_arrangement_decide,
    fine_arrangement_request,
    fine_enforcement_apply,
)
from inspections.services.fines import fine_late_fees_accrue
from tests.inspections.fine_helpers import ensure_waiver_policy, served_fine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _waiver_policy(db):
    ensure_waiver_policy()


def test_an_overdue_fine_cannot_be_deferred_or_split(cast):
    fine = served_fine(cast, served_days_ago=20)  # due 5 days ago
    for request in (
        {"kind": "deferral", "defer_until": timezone.localdate() + timedelta(days=30)},
        {"kind": "instalments", "instalments": 3},
    ):
        with pytest.raises(ValidationError) as refused:
            fine_arrangement_request(fine=fine, actor=cast.enterprise_user, reason="资金周转困难", **request)
        assert refused.value.error_dict["kind"][0].code == "overdue"


def test_a_request_decided_after_the_due_date_keeps_the_accrued_late_fee(cast):
    fine = served_fine(cast, served_days_ago=10)
    arrangement = fine_arrangement_request(
        fine=fine,
        actor=cast.enterprise_user,
        kind="deferral",
        reason="资金周转困难",
        defer_until=fine.due_date + timedelta(days=30),
    )
    Fine.objects.filter(pk=fine.pk).update(due_date=timezone.localdate() - timedelta(days=2))
    fine_late_fees_accrue()
    fine.refresh_from_db()
    assert fine.late_fee == Decimal("60.00")
    with pytest.raises(ValidationError) as refused:
        fine_arrangement_decide(arrangement=arrangement, actor=cast.market_officer, approve=True)
    assert refused.value.error_dict["kind"][0].code == "overdue"
    fine.refresh_from_db()
    arrangement.refresh_from_db()
    assert (fine.late_fee, fine.late_fee_through, arrangement.status) == (
        Decimal("60.00"),
        timezone.localdate(),
        FineArrangement.Status.REQUESTED,
    )


def test_enforcement_can_be_applied_for_while_any_instalment_is_overdue(cast):
    fine = served_fine(cast, served_days_ago=10)
    arrangement = fine_arrangement_request(
        fine=fine, actor=cast.enterprise_user, kind="instalments", reason="资金周转困难", instalments=3
    )
    fine_arrangement_decide(arrangement=arrangement, actor=cast.market_officer, approve=True)
    with pytest.raises(ValidationError) as refused:
        fine_enforcement_apply(fine=fine, actor=cast.market_officer, reason="逾期未缴")
    assert refused.value.code == "not_overdue"
    FineInstalment.objects.filter(fine=fine, number=1).update(due_date=timezone.localdate() - timedelta(days=1))
    fine = fine_enforcement_apply(fine=fine, actor=cast.market_officer, reason="分期逾期未缴")
    assert fine.status == Fine.Status.ENFORCEMENT


def test_the_fine_pages_read_the_fine_through_the_selector(cast, client, monkeypatch):
    fine = served_fine(cast)
    client.force_login(cast.enterprise_user)
    monkeypatch.setattr(fine_views, "fine_list", lambda *, user: Fine.objects.none())
    assert client.post(reverse("inspections:fine-pay", args=[fine.case_id])).status_code == 404
