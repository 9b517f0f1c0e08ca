"""Fines made the way the product makes them: a simple-procedure fine decided by the cast's market officer, its
decision served ``served_days_ago``, and its fine opened; the gateway's notification as the gateway sends it."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspections.models import Fine, LateFeeWaiverPolicy, PenaltyCase
from inspections.services import cases as case_services
from inspections.services.fines import fine_open
from programs.payments import SIGNATURE_HEADER, notification_body, sign
from tests.inspections.case_factories import penalty_case
from tests.inspections.factories import ItemFactory


def decided_fine_case(cast, amount="1000") -> PenaltyCase:
    """The cast's first case is opened from a penalty finding; later ones directly (one inspection a month)."""
    fine = {"procedure": PenaltyCase.Procedure.SIMPLE, "penalty_kind": PenaltyCase.PenaltyKind.FINE}
    if PenaltyCase.objects.filter(enterprise=cast.enterprise).exists():
        case = case_services.case_open(
            enterprise=cast.enterprise,
            item=ItemFactory(department=cast.market),
            actor=cast.market_officer,
            facts="未按规定公示食品经营许可证",
            fine_amount=Decimal(amount),
            **fine,
        )
    else:
        case = penalty_case(cast, fine_amount=Decimal(amount), **fine)
    return case_services.case_decide(case=case, actor=cast.market_officer, note="当场处罚")


def served_fine(cast, *, amount="1000", served_days_ago=0) -> Fine:
    case = decided_fine_case(cast, amount)
    served_at = timezone.now() - timedelta(days=served_days_ago)
    PenaltyCase.objects.filter(pk=case.pk).update(decision_served_at=served_at)
    case.refresh_from_db()
    existing = Fine.objects.filter(case=case).first()
    if existing is not None:  # the case service opened it on service already
        Fine.objects.filter(pk=existing.pk).update(
            served_on=timezone.localdate(served_at),
            due_date=timezone.localdate(served_at) + timedelta(days=15),
            original_due_date=timezone.localdate(served_at) + timedelta(days=15),
        )
        existing.refresh_from_db()
        return existing
    return fine_open(case)


def notify(order, *, transaction_id=None, amount=None, secret=None, client=None):
    """Post the gateway's signed notification of ``order`` to the callback; the response."""
    body = notification_body(
        reference=order.reference,
        transaction_id=transaction_id or f"SIMTEST{uuid.uuid4().hex[:12].upper()}",
        amount=order.amount if amount is None else amount,
    )
    return (client or Client()).post(
        reverse("payments:callback"),
        data=body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(body, secret)},
    )


def ensure_waiver_policy():
    """The data migration's default policy, made again where a transactional test has flushed the tables."""
    if not LateFeeWaiverPolicy.objects.exists():
        LateFeeWaiverPolicy.objects.create(name="自动履行免加罚：申请强制执行前主动缴清罚款")
