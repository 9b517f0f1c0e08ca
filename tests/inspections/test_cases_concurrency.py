"""Penalty cases under concurrent requests: two officers opening the same finding's case at once make one case;
the enterprise's two receipts of a fine decision at once (a double tap) open one fine and record one service."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inspections.models import Fine, PenaltyCase
from inspections.services import case_receipt
from inspections.services import cases as svc
from inspections.services.case_documents import DECISION, case_documents_issue
from programs.models import AuditEntry
from tests.cast import Cast
from tests.conftest import failures, released_together
from tests.inspections.case_factories import direct_case, penalty_finding

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_officers_opening_the_same_findings_case_at_once_make_one():
    cast = Cast()
    finding = penalty_finding(cast)

    def open_case():
        return svc.case_open_from_finding(
            finding=finding, actor=cast.market_officer, procedure="general", penalty_kind="warning"
        )

    results = released_together([open_case, open_case])
    assert not failures(results, expected=(ValidationError,))
    assert PenaltyCase.objects.filter(finding=finding).count() == 1
    [refused] = [r for r in results if isinstance(r, ValidationError)]
    assert refused.code == "case_exists"


def test_a_double_tap_on_the_decisions_receipt_opens_one_fine():
    cast = Cast()
    user = cast.enterprise_user
    case = direct_case(cast, penalty_kind="fine", fine_amount=Decimal("300"))
    case = svc.case_decide(case=case, actor=cast.market_officer)
    case_documents_issue(case=case)

    results = released_together([lambda: case_receipt.case_receipt_confirm(case=case, actor=user, kind=DECISION)] * 2)
    assert not failures(results)
    assert Fine.objects.filter(case=case).count() == 1
    served = AuditEntry.objects.filter(object_id=case.pk, content_type__model="penaltycase", field="decision_served_at")
    assert served.count() == 1
