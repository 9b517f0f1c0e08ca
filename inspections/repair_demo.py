"""Demo lenient lists and credit repair in Ningbo, made through the services: each Ningbo county department's
published lists (首违不罚, 轻微免罚, 不予处罚, 审慎执法) holding the catalogue's listed items; a few no-penalty
decisions on them; two warnings of 鄞州区 decided last year and fulfilled, one repaired and one under review.
Idempotent: called by ``inspections.demo.seed``."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from programs.models import Department, Enterprise, User

from .models import Finding, InspectionItem, LenientList, LenientListEntry, PenaltyCase, RepairApplication, RepairRule
from .services import cases as case_services
from .services import repair as repair_services
from .services.findings import finding_decide

Kind, Outcome = LenientList.Kind, LenientListEntry.Outcome
LIST_NAMES = {
    Kind.FIRST_VIOLATION: "首违不罚清单",
    Kind.MINOR_VIOLATION: "轻微免罚清单",
    Kind.NO_PENALTY: "不予处罚清单",
    Kind.PRUDENT: "审慎执法监管事项清单",
}
# item code suffix → (kind, conditions): the catalogue's listed items (inspections.demo.LENIENT) and two more.
ENTRIES = {
    "MKT-03": (Kind.FIRST_VIOLATION, {"lookback_days": 730, "minor_harm_only": True}),
    "ECO-01": (Kind.FIRST_VIOLATION, {"lookback_days": 730}),
    "CEB-01": (Kind.MINOR_VIOLATION, {"minor_harm_only": True, "correction_required": True}),
    "CEB-02": (Kind.NO_PENALTY, {"first_violation_only": False, "conditions": "无主观过错（行政处罚法第三十三条）"}),
    "MKT-01": (Kind.PRUDENT, {"outcome": Outcome.OBSERVATION, "conditions": "新业态新模式：给予执法观察期"}),
}
RULES = [("警告", "warning", "0", 90), ("罚款", "fine", "0", 180), ("较大数额罚款", "fine", "100000", 365)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NINGBO = ["330212", "330205", "330206", "330203", "330282"]


def seed() -> dict:
    for name, kind, fine_from, days in RULES:
        RepairRule.objects.get_or_create(
            penalty_kind=kind, fine_from=Decimal(fine_from), defaults={"name": name, "min_disclosure_days": days}
        )
    lists = _lists()
    decided = _no_penalty_decisions()
    return {"lenient_lists": lists, "lenient_decisions": decided, **_repairs()}


def _lists() -> int:
    """Each county department publishes its lists (in force since 2024) with its listed items."""
    for county in NINGBO:
        for suffix, (kind, conditions) in ENTRIES.items():
            item = InspectionItem.objects.filter(code=f"NB-{county}-{suffix}").select_related("department").first()
            if item is None:
                continue
            lenient_list, _created = LenientList.objects.get_or_create(
                issuer=item.department,
                kind=kind,
                defaults={
                    "name": f"{item.department.name}{LIST_NAMES[kind]}",
                    "document_number": f"甬{county[-2:]}〔2024〕{len(kind)}号",
                    "valid_from": date(2024, 1, 1),
                },
            )
            entry = LenientListEntry.objects.filter(item=item, kind=kind).first()
            if entry is None:
                LenientListEntry.objects.create(lenient_list=lenient_list, item=item, kind=kind, **conditions)
            elif entry.lenient_list_id is None:  # recorded on the item by the catalogue: onto its list
                for name, value in {"lenient_list": lenient_list, **conditions}.items():
                    setattr(entry, name, value)
                entry.save()
    return LenientList.objects.filter(issuer__region__code__startswith="3302").count()


def _no_penalty_decisions() -> int:
    """The officers follow the proposal on the listed findings still undecided in 鄞州区."""
    proposed = Finding.objects.filter(
        enterprise__region__code__startswith="330212",
        decision=Finding.Decision.UNDECIDED,
        lenient_entry__outcome=Outcome.NO_PENALTY,
    ).select_related("inspection", "item", "lenient_entry")
    for finding in proposed.order_by("pk")[:5]:
        officer = User.objects.filter(role=User.Role.OFFICER, department=finding.inspection.lead_department).first()
        if officer is None:
            continue
        try:
            finding_decide(
                finding=finding, decision=Finding.Decision.NO_PENALTY, actor=officer, note="首次违法，及时改正"
            )
        except (ValidationError, PermissionDenied):
            continue  # a list that waits for the rectification: decided later
    return Finding.objects.filter(decision=Finding.Decision.NO_PENALTY, lenient_entry__isnull=False).count()


def _repairs() -> dict:
    """Two warnings of 鄞州区 for unmarked prices, decided and fulfilled last year: one repaired, one waiting."""
    officer = User.objects.filter(username="officer").first()
    market = Department.objects.filter(name="鄞州区市场监督管理局").first()
    item = InspectionItem.objects.filter(code="NB-330212-MKT-03").first()
    enterprises = list(Enterprise.objects.filter(region__code__startswith="330212").order_by("id")[2:4])
    if officer is None or market is None or item is None or len(enterprises) < 2:
        return {"skipped_repairs": "run programs.demo first"}
    if not RepairApplication.objects.filter(department=market).exists():
        for n, enterprise in enumerate(enterprises):
            case = case_services.case_open(
                enterprise=enterprise,
                item=item,
                actor=officer,
                procedure=PenaltyCase.Procedure.SIMPLE,
                penalty_kind=PenaltyCase.PenaltyKind.WARNING,
                facts="经营场所商品未按规定明码标价（去年查处）",
            )
            case = case_services.case_decide(case=case, actor=officer, note="当场作出警告")
            case = case_services.case_fulfil(case, actor=officer)
            last_year = timezone.now() - timedelta(days=200 - 10 * n)  # the history: decided last year
            PenaltyCase.objects.filter(pk=case.pk).update(decided_at=last_year, fulfilled_at=last_year)
            case.refresh_from_db()
            applicant = User.objects.filter(enterprise=enterprise, is_active=True).first() or _applicant(enterprise)
            application = repair_services.repair_apply(
                case=case,
                actor=applicant,
                statement="已对全部商品补设价签，建立明码标价自查制度",
                commitment=True,
                evidence=[("rectification", ContentFile(PDF, name="整改照片.pdf"))],
            )
            if n == 0:
                repair_services.repair_approve(application=application, actor=officer, note="整改到位，准予修复")
        _eligible_for_the_demo_account(officer, item)
    applications = RepairApplication.objects.filter(department=market)
    return {
        "repair_applications": applications.count(),
        "repaired": applications.filter(status=RepairApplication.Status.APPROVED).count(),
    }


def _eligible_for_the_demo_account(officer: User, item: InspectionItem) -> None:
    """A warning of the demo account's enterprise (``enterprise``) fulfilled 120 days ago, past the warnings'
    minimum disclosure period, with no application yet: signed in as it, one can apply for repair today."""
    account = User.objects.filter(username="enterprise", enterprise__isnull=False).select_related("enterprise").first()
    if account is None:
        return
    case = case_services.case_open(
        enterprise=account.enterprise,
        item=item,
        actor=officer,
        procedure=PenaltyCase.Procedure.SIMPLE,
        penalty_kind=PenaltyCase.PenaltyKind.WARNING,
        facts="经营场所商品未按规定明码标价（已整改，可申请信用修复）",
    )
    case = case_services.case_decide(case=case, actor=officer, note="当场作出警告")
    case = case_services.case_fulfil(case, actor=officer)
    earlier = timezone.now() - timedelta(days=120)
    PenaltyCase.objects.filter(pk=case.pk).update(decided_at=earlier, fulfilled_at=earlier)


def _applicant(enterprise: Enterprise) -> User:
    user = User.objects.create_user(
        username=f"enterprise_{enterprise.pk}", role=User.Role.ENTERPRISE, enterprise=enterprise
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user
