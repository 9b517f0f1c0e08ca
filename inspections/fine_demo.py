"""Demo fines in Ningbo (鄞州), made through the services: simple-procedure fines decided on the spot and served;
three paid late but of the enterprises' own accord, so their late fee is waived (免加罚, as in the article); one
paid on time; one in three approved instalments; one overdue and sent to compulsory enforcement; and the demo
enterprise's own fine, open to pay from its case page. The payments go through the simulated gateway's signed
notification. Idempotent: called by ``inspections.demo.seed``."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from programs.models import Department, Enterprise, IssuedDocument, User
from programs.payments import SIGNATURE_HEADER, notification_body, payment_notification_receive, sign

from .models import Fine, FineArrangement, InspectionItem, LateFeeWaiverPolicy, PenaltyCase
from .services import case_receipt
from .services import cases as case_services
from .services.case_documents import DECISION, case_document, case_documents_issue
from .services.fine_arrangements import fine_arrangement_decide, fine_arrangement_request, fine_enforcement_apply
from .services.fines import fine_late_fees_accrue, fine_pay_start

# (enterprise index in 鄞州区, fine in yuan, served days ago, what happens, facts)
FINES = [
    (10, "3000", 25, "pay", "销售标签不符合规定的预包装食品"),
    (11, "2500", 28, "pay", "未按规定建立并遵守进货查验记录制度"),
    (12, "2000", 19, "pay", "经营超过保质期的食品原料"),
    (13, "1500", 8, "pay", "未按规定公示食品经营许可证"),
    (14, "3000", 10, "instalments", "使用未经定期检验的特种设备"),
    (15, "2000", 40, "enforcement", "拒不改正虚假宣传行为"),
]
MARKER = "（罚款演示）"


def seed_fines() -> dict:
    officer = User.objects.filter(username="officer").first()
    admin = User.objects.filter(username="admin").first()
    market = Department.objects.filter(name="鄞州区市场监督管理局").first()
    if officer is None or admin is None or market is None:
        return {"skipped": "run programs.demo first"}
    if not Fine.objects.filter(case__facts__endswith=MARKER).exists():
        if not LateFeeWaiverPolicy.objects.exists():
            LateFeeWaiverPolicy.objects.create(name="自动履行免加罚：申请强制执行前主动缴清罚款")
        _seed(officer, admin, market)
    fines = Fine.objects.filter(case__department=market)
    return {"fines": fines.count(), "fines_waived": fines.filter(late_fee_waived__gt=0).count()}


def _seed(officer: User, admin: User, market: Department) -> None:
    items = list(InspectionItem.objects.filter(department=market, code__startswith="NB-330212").order_by("code"))
    enterprises = list(Enterprise.objects.filter(region__code__startswith="330212").order_by("id")[:16])
    if not items:
        return
    for index, amount, days_ago, what, facts in FINES:
        if index >= len(enterprises):
            continue
        fine = _served_fine(enterprises[index], items[0], officer, amount, days_ago, facts)
        if what == "pay":
            _pay(fine, admin)
        elif what == "instalments":
            arrangement = fine_arrangement_request(
                fine=fine,
                actor=admin,
                kind=FineArrangement.Kind.INSTALMENTS,
                reason="受疫情影响资金周转困难",
                instalments=3,
            )
            fine_arrangement_decide(arrangement=arrangement, actor=officer, approve=True, note="同意分三期缴纳")
            _pay(Fine.objects.get(pk=fine.pk), admin)  # the first instalment
        elif what == "enforcement":
            fine_late_fees_accrue()
            fine_enforcement_apply(fine=fine, actor=officer, reason="逾期未缴纳，经催告仍未履行")
    own = Enterprise.objects.filter(users__username="enterprise").first()
    if own is not None:
        _served_fine(own, items[-1], officer, "500", 3, "未按规定在显著位置公示营业执照")
    fine_late_fees_accrue()


def _served_fine(enterprise, item, officer, amount, days_ago, facts) -> Fine:
    case = case_services.case_open(
        enterprise=enterprise,
        item=item,
        actor=officer,
        procedure=PenaltyCase.Procedure.SIMPLE,
        penalty_kind=PenaltyCase.PenaltyKind.FINE,
        fine_amount=Decimal(amount),
        facts=facts + MARKER,
    )
    case = case_services.case_decide(case=case, actor=officer, note="当场作出罚款决定")
    case_documents_issue(case=case)
    served = timezone.now() - timedelta(days=days_ago)
    # The history: the decision was issued on the spot, the moment it was served (never after).
    IssuedDocument.objects.filter(pk=case_document(case, DECISION).pk).update(issued_at=served)
    case_receipt.case_served_otherwise(
        case=case, actor=officer, kind=DECISION, at=served, note="当场交付决定书，当事人签收"
    )
    return Fine.objects.get(case=case)


def _pay(fine: Fine, payer: User) -> None:
    """What the enterprise does on its case page, and the simulated gateway's signed notification."""
    order, _cashier = fine_pay_start(fine=fine, actor=payer)
    body = notification_body(reference=order.reference, transaction_id=f"SIMDEMO{order.pk:08d}", amount=order.amount)
    payment_notification_receive(body=body, headers={SIGNATURE_HEADER: sign(body)})
