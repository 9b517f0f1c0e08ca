"""Reads of fines: the fines and the deferral / instalment requests in the caller's scope, and the fine indicators
(the ``fines`` part of the inspections indicator answer)."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from programs.models import Region, User
from programs.selectors import scope

from .models import Fine, FineArrangement

SCOPE = {"region": "case__enterprise__region", "department": "case__department_id", "enterprise": "case__enterprise_id"}
ZERO = Decimal("0.00")


def fine_list(*, user: User) -> QuerySet[Fine]:
    fines = Fine.objects.select_related("case__enterprise", "case__department", "waiver_policy").prefetch_related(
        "instalments"
    )
    return scope(fines, user, **SCOPE)


def fine_arrangement_list(*, user: User) -> QuerySet[FineArrangement]:
    arrangements = FineArrangement.objects.select_related("fine__case__enterprise", "requested_by", "decided_by")
    return scope(
        arrangements,
        user,
        region="fine__case__enterprise__region",
        department="fine__case__department_id",
        enterprise="fine__case__enterprise_id",
    )


def fine_indicators(*, user: User, region: Region | None = None, start: date, end: date) -> dict:
    """Fines paid in [start, end] (count, and the fine and late fee paid), the automatic-fulfilment waivers among
    them (免加罚: count and the late fee waived), and enforcement applied for in the period."""
    fines = scope(Fine.objects.all(), user, **SCOPE)
    if region is not None:
        fines = fines.filter(case__enterprise__region__code__startswith=region.prefix)
    paid = Q(status=Fine.Status.PAID, paid_at__date__gte=start, paid_at__date__lte=end)
    figures = fines.aggregate(  # one statement
        paid=Count("pk", filter=paid),
        paid_amount=Coalesce(Sum(F("principal_paid") + F("late_fee_paid"), filter=paid), ZERO),
        late_fees_paid=Coalesce(Sum("late_fee_paid", filter=paid), ZERO),
        waived=Count("pk", filter=paid & Q(late_fee_waived__gt=0)),
        waived_amount=Coalesce(Sum("late_fee_waived", filter=paid), ZERO),
        enforcement_applied=Count(
            "pk", filter=Q(enforcement_applied_at__date__gte=start, enforcement_applied_at__date__lte=end)
        ),
    )
    return {
        key: figures[key]
        for key in ("paid", "paid_amount", "waived", "waived_amount", "late_fees_paid", "enforcement_applied")
    }
