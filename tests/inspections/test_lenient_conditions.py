"""A lenient list the officer names at the decision must be met by the finding, not merely in force: a
first-violation list (首违不罚) is never recorded for a repeat offender."""

import pytest
from django.core.exceptions import ValidationError

from inspections import services
from inspections.models import Finding, LenientList

from .factories import MONTH, ItemFactory
from .test_lenient import found, published

pytestmark = pytest.mark.django_db
Kind = LenientList.Kind


def test_a_first_violation_list_named_for_a_repeat_offender_is_refused(cast):
    item = ItemFactory(department=cast.market)
    first_violation = published(cast, Kind.FIRST_VIOLATION, item, first_violation_only=True)
    no_penalty = published(cast, Kind.NO_PENALTY, item, first_violation_only=False)
    found(cast, item, month=MONTH)
    again = found(cast, item)
    assert again.lenient_entry == no_penalty  # the first-violation list was not proposed
    with pytest.raises(ValidationError) as refused:
        services.finding_decide(
            finding=again,
            decision=Finding.Decision.NO_PENALTY,
            actor=cast.market_officer,
            lenient_entry=first_violation,
        )
    assert refused.value.error_dict["lenient_entry"][0].code == "conditions_not_met"
    assert Finding.objects.get(pk=again.pk).decision != Finding.Decision.NO_PENALTY
    decided = services.finding_decide(
        finding=again, decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer, lenient_entry=no_penalty
    )
    assert decided.lenient_entry == no_penalty


def test_a_first_violation_list_named_for_a_first_violation_is_recorded(cast):
    item = ItemFactory(department=cast.market)
    first_violation = published(cast, Kind.FIRST_VIOLATION, item, first_violation_only=True)
    finding = found(cast, item)
    decided = services.finding_decide(
        finding=finding, decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer, lenient_entry=first_violation
    )
    assert decided.lenient_entry == first_violation
