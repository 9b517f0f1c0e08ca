"""Demo penalty cases in Ningbo (轻案零跑), made through the services: the demo enterprise's case with its advance
notice served and waiting for its receipt and defence online; warnings decided on the spot and closed without
a trip; one case where the enterprise came to the office; one taken to reconsideration (upheld); a general-
procedure fine approved by the department head and served. Idempotent: called by ``inspections.demo.seed``."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from programs.models import Department, Enterprise, IssuedDocument, User

from .models import CaseReview, Finding, InspectionItem, PenaltyCase
from .services import case_receipt
from .services import cases as case_services
from .services.case_documents import DECISION, NOTICE, case_document, case_documents_issue
from .services.findings import finding_decide

P, K = PenaltyCase.Procedure, PenaltyCase.PenaltyKind
# (enterprise index in 鄞州区, item code suffix, facts)
ON_THE_SPOT = [
    (4, "MKT-03", "经营场所商品未按规定明码标价"),
    (5, "MKT-02", "电梯轿厢内应急电话无法接通"),
    (6, "MKT-03", "价签标示内容不全"),
    (7, "MKT-02", "电梯应急电话线路故障未及时修复"),
]


def seed_cases() -> dict:
    officer = User.objects.filter(username="officer").first()
    head = User.objects.filter(username="head_market").first()
    market = Department.objects.filter(name="鄞州区市场监督管理局").first()
    if officer is None or head is None or market is None:
        return {"skipped": "run programs.demo first"}
    if PenaltyCase.objects.filter(department=market, facts=ON_THE_SPOT[0][2]).exists():  # seeded already
        return _counts(market)
    items = {item.code.split("-", 2)[2]: item for item in _items(market)}
    enterprises = list(Enterprise.objects.filter(region__code__startswith="330212").order_by("id")[:10])
    _the_demo_enterprise_case(officer)
    for n, (index, suffix, facts) in enumerate(ON_THE_SPOT):
        if index >= len(enterprises) or suffix not in items:
            continue
        case = case_services.case_open(
            enterprise=enterprises[index],
            item=items[suffix],
            actor=officer,
            procedure=P.SIMPLE,
            penalty_kind=K.WARNING,
            facts=facts,
        )
        case = _decide_on_the_spot(case, officer)
        case = case_services.case_close(case=case, actor=officer)
        if n == 1:  # the enterprise brought its papers to the office window: not zero-trip
            case_services.case_record_office_visit(case=case, actor=officer, note="到窗口递交整改材料")
        if n == 2:
            review = case_services.review_record(
                case=case,
                actor=officer,
                kind=CaseReview.Kind.RECONSIDERATION,
                filed_on=timezone.localdate() - timedelta(days=1),
                body="鄞州区人民政府",
            )
            case_services.review_conclude(
                review=review, actor=officer, outcome=CaseReview.Outcome.UPHELD, outcome_on=timezone.localdate()
            )
    if len(enterprises) > 8 and "MKT-01" in items:
        _a_general_fine(enterprises[8], items["MKT-01"], officer, head)
    return _counts(market)


def _items(department: Department) -> list[InspectionItem]:
    return list(InspectionItem.objects.filter(department=department, code__startswith="NB-330212"))


def _counts(department: Department) -> dict:
    cases = PenaltyCase.objects.filter(department=department)
    return {"penalty_cases": cases.count(), "zero_trip": cases.filter(zero_trip=True).count()}


def _decide_on_the_spot(case: PenaltyCase, officer: User) -> PenaltyCase:
    case = case_services.case_decide(case=case, actor=officer, note="当场作出处罚决定")
    case_documents_issue(case=case)
    return case_receipt.case_served_otherwise(
        case=case, actor=officer, kind=DECISION, note="当场交付决定书，当事人签收"
    )


def _the_demo_enterprise_case(officer: User) -> None:
    """The demo enterprise's contract-wording finding decided "penalty": a general-procedure warning whose advance
    notice is served; the enterprise signs in to read it, confirm receipt and state its defence."""
    finding = (
        Finding.objects.filter(enterprise__users__username="enterprise", description__contains="合同")
        .order_by("id")
        .first()
    )
    if finding is None or PenaltyCase.objects.filter(finding=finding).exists():
        return
    if finding.decision == Finding.Decision.UNDECIDED:
        note = "经营者未在规定期限内改正" if finding.lenient_proposed else ""
        finding = finding_decide(finding=finding, decision=Finding.Decision.PENALTY, actor=officer, note=note)
    case = case_services.case_open_from_finding(
        finding=finding, actor=officer, procedure=P.GENERAL, penalty_kind=K.WARNING
    )
    case = case_services.case_notify(case=case, actor=officer)
    case_documents_issue(case=case)


def _a_general_fine(enterprise: Enterprise, item: InspectionItem, officer: User, head: User) -> None:
    """A fine of 5,000 yuan (above the simple procedure's limit): notice served by post a week ago, no defence in
    the period, approved and decided by the department head, the decision served: the fine is open to pay."""
    case = case_services.case_open(
        enterprise=enterprise,
        item=item,
        actor=officer,
        procedure=P.GENERAL,
        penalty_kind=K.FINE,
        fine_amount=Decimal("5000"),
        facts="格式合同免除自身责任、加重消费者责任",
    )
    case = case_services.case_notify(case=case, actor=officer)
    case_documents_issue(case=case)
    served = timezone.now() - timedelta(days=case_services.DEFENCE_DAYS + 2)
    # The history: the notice was issued the day before it was served by post (service never precedes issue).
    notice = case_document(case, NOTICE)
    IssuedDocument.objects.filter(pk=notice.pk).update(issued_at=served - timedelta(days=1))
    case = case_receipt.case_served_otherwise(
        case=case, actor=officer, kind=NOTICE, at=served, note="邮寄送达，当事人已签收，期限内未陈述申辩"
    )
    case = case_services.case_submit(case=case, actor=officer)
    case = case_services.case_decide(case=case, actor=head)
    case_documents_issue(case=case)
    case_receipt.case_served_otherwise(case=case, actor=officer, kind=DECISION, note="邮寄送达，当事人已签收")
