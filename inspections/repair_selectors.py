"""Reads of the lenient lists and of credit repair: the lists, the cases an enterprise may repair, the applications
in the caller's scope, and their indicators (part of the inspections indicator answer)."""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from programs.models import Region, User
from programs.selectors import in_region, scope

from .models import Finding, LenientList, LenientListEntry, PenaltyCase, RepairApplication


def lenient_list_list(*, user: User) -> QuerySet[LenientList]:
    """The published lists are reference data for every staff member, with their entries."""
    entries = LenientListEntry.objects.select_related("item").order_by("item__code")
    return (
        LenientList.objects.select_related("issuer")
        .prefetch_related(Prefetch("entries", queryset=entries))
        .order_by("kind", "-valid_from", "id")
    )


def repair_case_list(*, user: User) -> QuerySet[PenaltyCase]:
    cases = PenaltyCase.objects.select_related("enterprise", "department")
    return scope(cases, user, region="enterprise__region", department="department_id", enterprise="enterprise_id")


def repair_application_list(*, user: User) -> QuerySet[RepairApplication]:
    applications = RepairApplication.objects.select_related(
        "case", "enterprise", "department", "rule", "decided_by"
    ).prefetch_related("evidence")
    return scope(
        applications, user, region="enterprise__region", department="department_id", enterprise="enterprise_id"
    ).order_by("-submitted_at", "-id")


def lenient_indicators(*, user: User, region: Region | None = None, start: date, end: date) -> dict:
    """No-penalty decisions made in [start, end] by the list that applied (the article: 3,800+), and those made
    without a list (after an observation period, on other grounds)."""
    findings = in_region(
        scope(Finding.objects.all(), user, region="region_code", enterprise="enterprise_id"),
        region,
        "region_code",
    ).filter(decision=Finding.Decision.NO_PENALTY, decided_at__date__gte=start, decided_at__date__lte=end)
    counts = findings.aggregate(
        total=Count("pk"),
        without_list=Count("pk", filter=Q(lenient_entry__isnull=True)),
        **{kind: Count("pk", filter=Q(lenient_entry__kind=kind)) for kind in LenientList.Kind.values},
    )
    return {
        "no_penalty_decisions": counts.pop("total"),
        "by_list": {kind: counts[kind] for kind in LenientList.Kind.values},
        "without_list": counts["without_list"],
    }


def credit_repair_indicators(*, user: User, region: Region | None = None, start: date, end: date) -> dict:
    """Applications made and decided in [start, end], the enterprises repaired (the article: 360+), and the
    applications waiting now, overdue among them."""
    applications = in_region(
        scope(
            RepairApplication.objects.all(),
            user,
            region="enterprise__region",
            department="department_id",
            enterprise="enterprise_id",
        ),
        region,
        "enterprise__region",
    )
    submitted = Q(submitted_at__date__gte=start, submitted_at__date__lte=end)
    decided = Q(decided_at__date__gte=start, decided_at__date__lte=end)
    approved = decided & Q(status=RepairApplication.Status.APPROVED)
    waiting = Q(status=RepairApplication.Status.SUBMITTED)
    figures = applications.aggregate(  # one statement
        applications=Count("pk", filter=submitted),
        approved=Count("pk", filter=approved),
        refused=Count("pk", filter=decided & Q(status=RepairApplication.Status.REFUSED)),
        enterprises_repaired=Count("enterprise", distinct=True, filter=approved),
        pending=Count("pk", filter=waiting),
        overdue=Count("pk", filter=waiting & Q(review_due__lt=timezone.now())),
    )
    return figures
