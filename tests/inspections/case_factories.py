"""Penalty cases made the way the product makes them, through the services: a finding of an inspection under way
decided "penalty" and its case opened by the cast's market officer."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from inspections import services
from inspections.models import Finding, PenaltyCase
from inspections.services import cases as case_services
from tests.factories import officer
from tests.inspections.factories import InspectionFactory, ItemFactory


def penalty_finding(cast, *, description="灭火器压力不足，安全出口堵塞") -> Finding:
    """A finding of a market inspection of the cast's enterprise, decided "penalty"."""
    inspection = InspectionFactory(cast=cast)
    item = inspection.items.first()
    finding = services.finding_record(
        inspection=inspection,
        item=item,
        severity=Finding.Severity.GENERAL,
        description=description,
        deadline=timezone.localdate() + timedelta(days=7),
        actor=cast.market_officer,
    )
    return services.finding_decide(
        finding=finding, decision=Finding.Decision.PENALTY, actor=cast.market_officer, note="屡查屡犯，依法立案"
    )


def penalty_case(
    cast,
    *,
    procedure=PenaltyCase.Procedure.GENERAL,
    penalty_kind=PenaltyCase.PenaltyKind.WARNING,
    fine_amount=Decimal("0"),
) -> PenaltyCase:
    """A case opened from a penalty finding by the cast's market officer."""
    return case_services.case_open_from_finding(
        finding=penalty_finding(cast),
        actor=cast.market_officer,
        procedure=procedure,
        penalty_kind=penalty_kind,
        fine_amount=fine_amount,
    )


def second_officer(cast):
    """Another officer of the market department: the approver of a general-procedure case."""
    return cast.objects.setdefault("market_approver", officer(cast.market))


def direct_case(
    cast,
    *,
    procedure=PenaltyCase.Procedure.SIMPLE,
    penalty_kind=PenaltyCase.PenaltyKind.WARNING,
    fine_amount=Decimal("0"),
    enterprise=None,
) -> PenaltyCase:
    """A case the cast's market officer opens directly (no inspection), for a new market item."""
    return case_services.case_open(
        enterprise=enterprise or cast.enterprise,
        item=ItemFactory(department=cast.market, legal_basis="《中华人民共和国食品安全法》第一百二十六条"),
        actor=cast.market_officer,
        procedure=procedure,
        penalty_kind=penalty_kind,
        fine_amount=fine_amount,
        facts="未按规定公示食品经营许可证",
    )
