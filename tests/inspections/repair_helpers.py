"""Credit repair made the way the product makes it: the default rules, a penalty decided some days ago and
fulfilled, an application with its evidence."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from inspections.models import PenaltyCase, RepairRule
from inspections.services import cases as case_services
from inspections.services import repair as services
from tests.inspections.case_factories import direct_case

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def rules() -> dict[str, RepairRule]:
    """The rules the migration writes (made again where a test flushed them): 90 days for a warning, 180 for a
    fine, 365 for a fine from 100,000 yuan."""
    made = {}
    for name, kind, fine_from, days in (
        ("警告", "warning", "0", 90),
        ("罚款", "fine", "0", 180),
        ("较大数额罚款", "fine", "100000", 365),
    ):
        made[name], _created = RepairRule.objects.update_or_create(
            penalty_kind=kind,
            fine_from=Decimal(fine_from),
            defaults={"name": name, "min_disclosure_days": days, "review_days": 5, "is_active": True},
        )
    return made


def fulfilled_case(cast, *, decided_days_ago=0, kind=PenaltyCase.PenaltyKind.WARNING, amount="0") -> PenaltyCase:
    """A simple-procedure penalty of the cast's enterprise decided ``decided_days_ago`` and fulfilled."""
    case = direct_case(cast, penalty_kind=kind, fine_amount=Decimal(amount))
    case = case_services.case_decide(case=case, actor=cast.market_officer, note="当场处罚")
    case = case_services.case_fulfil(case, actor=cast.market_officer)
    if decided_days_ago:
        back = timezone.now() - timedelta(days=decided_days_ago)
        PenaltyCase.objects.filter(pk=case.pk).update(decided_at=back, fulfilled_at=back + timedelta(days=3))
        case.refresh_from_db()
    return case


def proof(name="receipt.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def apply(cast, case, **kw):
    values = {
        "statement": "已整改到位，罚款已缴清",
        "commitment": True,
        "evidence": [("rectification", proof("photo.pdf")), ("payment", proof())],
    }
    return services.repair_apply(case=case, actor=cast.enterprise_user, **{**values, **kw})
