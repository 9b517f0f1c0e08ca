"""Reads of the inspections app. Every list goes through ``programs.selectors.scope``; the indicators are
computed from the records, live, for a region and a period."""

from datetime import date, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from programs.models import Enterprise, Grade, Region, User
from programs.selectors import in_region, percent, prefetch_as_list, scope

from . import case_selectors, complaint_selectors, fine_selectors, grades, repair_selectors, request_selectors
from .codes import normalize_code
from .models import (
    Coordination,
    Finding,
    GradeChange,
    GradePolicy,
    Inspection,
    InspectionItem,
    ItemCheck,
    LenientListEntry,
    ObservationPeriod,
    PlanEntry,
    YearPlan,
)

# --- Catalogue and plans ----------------------------------------------------------------------------------


def item_list(*, user: User) -> QuerySet[InspectionItem]:
    """The catalogue is reference data for every staff member."""
    lenient = LenientListEntry.objects.filter(is_active=True).order_by("kind")
    return (
        InspectionItem.objects.filter(is_active=True)
        .select_related("department")
        .prefetch_related(Prefetch("lenient_entries", queryset=lenient))
        .order_by("code")
    )


def plan_entry_list(*, user: User) -> QuerySet[PlanEntry]:
    """The API's plan entries: their items' ids in a plain list (``prefetch_as_list``), and the inspection as its
    id only (the entry's answer shows no more of it)."""
    items = InspectionItem.objects.only("pk")
    entries = PlanEntry.objects.select_related("department", "enterprise").prefetch_related(
        prefetch_as_list("items", items)
    )
    return scope(entries, user, region="region_code", department="department_id").order_by(
        "-month", "enterprise_id", "id"
    )


def year_plan_list(*, user: User) -> QuerySet[YearPlan]:
    plans = YearPlan.objects.select_related("department__head", "submitted_by", "approved_by")
    return scope(plans, user, region="department__region", department="department_id").order_by(
        "-year", "department_id"
    )


# What an entry counts as once submitted: planned (submitted or later), pending, executed, cut.
_PLANNED = ~Q(status__in=[PlanEntry.Status.DRAFT, PlanEntry.Status.WITHDRAWN])
_PLAN_FIGURES = {
    "planned": Count("pk", filter=_PLANNED),
    "pending": Count("pk", filter=Q(status=PlanEntry.Status.SUBMITTED)),
    "executed": Count("pk", filter=Q(status=PlanEntry.Status.EXECUTED)),
    "cut": Count("pk", filter=Q(status=PlanEntry.Status.CUT)),
}


def _with_rates(row: dict) -> dict:
    return {
        **row,
        "coordination_rate": percent(row["executed"], row["planned"]),
        "reduction_rate": percent(row["cut"], row["planned"]),
    }


def year_plan_months(plan: YearPlan) -> list[dict]:
    """A year plan month by month: its entries (drafts included), planned (submitted by publishing), pending,
    executed and cut, with the rates; what the coordination of each month made of the plan."""
    rows = {
        row["month"]: row
        for row in plan.entries.values("month").annotate(
            entries=Count("pk", filter=~Q(status=PlanEntry.Status.WITHDRAWN)), **_PLAN_FIGURES
        )
    }
    empty = {"entries": 0, "planned": 0, "pending": 0, "executed": 0, "cut": 0}
    months = []
    for number in range(1, 13):
        month = date(plan.year, number, 1)
        row = rows.get(month, empty)
        months.append(_with_rates({"month": month, **{key: row[key] for key in empty}}))
    return months


def coordination_list(*, user: User) -> QuerySet[Coordination]:
    return scope(Coordination.objects.select_related("region", "started_by"), user, region="region")


# --- Inspections and findings ------------------------------------------------------------------------------


def inspection_list(*, user: User) -> QuerySet[Inspection]:
    inspections = Inspection.objects.select_related(
        "enterprise__region", "lead_department", "code_shown_by"
    ).prefetch_related("departments", "officers", "items")
    return scope(
        inspections, user, region="region_code", department="departments", enterprise="enterprise_id"
    ).order_by("week_start", "month", "id")


def inspections_this_week(queryset: QuerySet[Inspection], *, today: date | None = None) -> QuerySet[Inspection]:
    today = today or timezone.localdate()
    return queryset.filter(week_start=today - timedelta(days=today.weekday()))


def inspection_by_code(code: str) -> Inspection | None:
    """The public check of a code: only what the verify page shows is loaded."""
    code = normalize_code(code)
    if not code:
        return None
    return (
        Inspection.objects.select_related("enterprise", "lead_department")
        .prefetch_related("departments")
        .filter(code=code)
        .first()
    )


def finding_list(*, user: User) -> QuerySet[Finding]:
    findings = Finding.objects.select_related(
        "enterprise", "item__department", "inspection", "lenient_entry", "recorded_by"
    ).prefetch_related("photos", "evidence", "reinspections")
    return scope(
        findings,
        user,
        region="region_code",
        department="inspection__departments",
        enterprise="enterprise_id",
    ).order_by("-recorded_at", "-id")


def overdue(queryset: QuerySet[Finding], *, today: date | None = None) -> QuerySet[Finding]:
    return queryset.exclude(status=Finding.Status.RECTIFIED).filter(deadline__lt=today or timezone.localdate())


def observation_period_list(*, user: User) -> QuerySet[ObservationPeriod]:
    periods = ObservationPeriod.objects.select_related("finding__enterprise", "finding__item", "opened_by")
    return scope(
        periods,
        user,
        region="finding__region_code",
        department="finding__inspection__departments",
        enterprise="finding__enterprise_id",
    ).order_by("ends_on", "id")


# --- Grades ------------------------------------------------------------------------------------------------


def grade_change_list(*, user: User) -> QuerySet[GradeChange]:
    changes = GradeChange.objects.select_related("enterprise", "actor", "inspection", "finding")
    return scope(changes, user, region="enterprise__region", enterprise="enterprise_id").order_by("-changed_at", "-id")


def grade_policy_list() -> QuerySet[GradePolicy]:
    return GradePolicy.objects.order_by("grade")


def due_enterprise_list(*, user: User, on: date | None = None) -> QuerySet[Enterprise]:
    enterprises = scope(Enterprise.objects.select_related("region"), user, region="region", enterprise="pk")
    return grades.enterprises_due(queryset=enterprises, on=on or timezone.localdate())


# --- Indicators ----------------------------------------------------------------------------------------------


def inspection_indicators(*, user: User, region: Region | None = None, start: date, end: date) -> dict:
    """The plan, inspection and finding figures for plan months and visits in [start, end], in the caller's
    scope (narrowed to ``region``). Rates are over submitted entries; an entry not coordinated yet is pending."""
    entries = in_region(
        scope(PlanEntry.objects.all(), user, region="region_code", department="department_id"),
        region,
        "region_code",
    ).filter(month__gte=start.replace(day=1), month__lte=end)
    plan = entries.aggregate(
        submitted=Count("pk", filter=~Q(status__in=[PlanEntry.Status.DRAFT, PlanEntry.Status.WITHDRAWN])),
        executed=Count("pk", filter=Q(status=PlanEntry.Status.EXECUTED)),
        cut=Count("pk", filter=Q(status=PlanEntry.Status.CUT)),
        pending=Count("pk", filter=Q(status=PlanEntry.Status.SUBMITTED)),
        delegated=Count("pk", filter=Q(status=PlanEntry.Status.EXECUTED, delegated=True)),
        cut_duplicate=Count("pk", filter=Q(status=PlanEntry.Status.CUT, cut_reason=PlanEntry.CutReason.DUPLICATE)),
        cut_leave_alone=Count("pk", filter=Q(status=PlanEntry.Status.CUT, cut_reason=PlanEntry.CutReason.LEAVE_ALONE)),
    )
    planned = entries.filter(year_plan__isnull=False)
    by_department = [
        _with_rates({"department": row.pop("department_id"), "name": row.pop("department__name"), **row})
        for row in planned.values("department_id", "department__name")
        .annotate(**_PLAN_FIGURES)
        .order_by("department__name", "department_id")
    ]
    year_plan = _with_rates(planned.aggregate(**_PLAN_FIGURES))
    year_plan["outside_plan"] = entries.filter(_PLANNED, year_plan__isnull=True).count()
    year_plan["departments"] = by_department
    inspections = in_region(
        scope(Inspection.objects.all(), user, region="region_code", enterprise="enterprise_id"),
        region,
        "region_code",
    ).filter(month__gte=start.replace(day=1), month__lte=end)
    visits = inspections.exclude(status=Inspection.Status.CANCELLED).aggregate(
        inspections=Count("pk"),
        joint=Count("pk", filter=Q(is_joint=True)),
        started=Count("pk", filter=Q(status__in=[Inspection.Status.IN_PROGRESS, Inspection.Status.COMPLETED])),
        # The code-shown rate counts visits carried out (completed): the code shown ÷ carried out, 0–100 %.
        code_shown=Count("pk", filter=Q(status=Inspection.Status.COMPLETED, code_shown_at__isnull=False)),
        code_not_shown=Count("pk", filter=Q(status=Inspection.Status.COMPLETED, code_shown_at__isnull=True)),
        completed=Count("pk", filter=Q(status=Inspection.Status.COMPLETED)),
        **{
            f"not_shown_{reason}": Count(
                "pk",
                filter=Q(status=Inspection.Status.COMPLETED, code_shown_at__isnull=True, code_not_shown_reason=reason),
            )
            for reason in Inspection.CodeNotShownReason.values
        },
    )
    visits["carried_out"] = visits["completed"]
    visits["code_not_shown_by_reason"] = {
        reason: visits.pop(f"not_shown_{reason}") for reason in Inspection.CodeNotShownReason.values
    }
    findings = in_region(
        scope(Finding.objects.all(), user, region="region_code", enterprise="enterprise_id"),
        region,
        "region_code",
    )
    recorded = findings.filter(recorded_at__date__gte=start, recorded_at__date__lte=end).aggregate(
        major=Count("pk", filter=Q(severity=Finding.Severity.MAJOR)),
        general=Count("pk", filter=Q(severity=Finding.Severity.GENERAL)),
        no_penalty=Count("pk", filter=Q(decision=Finding.Decision.NO_PENALTY)),
        lenient_proposed=Count("pk", filter=Q(lenient_proposed=True)),
    )
    today = timezone.localdate()
    deadlines = findings.filter(deadline__gte=start, deadline__lte=min(end, today)).aggregate(
        due=Count("pk"),
        on_time=Count("pk", filter=Q(status=Finding.Status.RECTIFIED, rectified_at__date__lte=F("deadline"))),
    )
    delegated_checks = (
        in_region(
            scope(ItemCheck.objects.all(), user, region="inspection__region_code"),
            region,
            "inspection__region_code",
        )
        .filter(on_behalf_of__isnull=False, checked_at__date__gte=start, checked_at__date__lte=end)
        .count()
    )
    return {
        "region": region.code if region else (user.region.code if user.region_id else None),
        "start": start,
        "end": end,
        "plan_entries": {
            **plan,
            "coordination_rate": percent(plan["executed"], plan["submitted"]),
            "reduction_rate": percent(plan["cut"], plan["submitted"]),
        },
        "year_plan": year_plan,
        "inspections": {
            **visits,
            "joint_share": percent(visits["joint"], visits["inspections"], 2),
            "code_shown_rate": percent(visits["code_shown"], visits["carried_out"], 2),
            "delegated_checks": delegated_checks,
        },
        "findings": {
            **recorded,
            "deadlines_due": deadlines["due"],
            "rectified_on_time": deadlines["on_time"],
            "rectified_on_time_rate": percent(deadlines["on_time"], deadlines["due"]),
            "overdue_open": overdue(findings).count(),
        },
        "complaints": complaint_selectors.complaint_indicators(user=user, region=region, start=start, end=end),
        "ordering": complaint_selectors.ordering_indicators(user=user, region=region, start=start, end=end),
        "requests": request_selectors.request_indicators(
            user=user, region=region, start=start, end=end, percent=percent
        ),
        "assistance": request_selectors.assistance_indicators(user=user, region=region, start=start, end=end),
        "lenient": repair_selectors.lenient_indicators(user=user, region=region, start=start, end=end),
        "credit_repair": repair_selectors.credit_repair_indicators(user=user, region=region, start=start, end=end),
        "fines": fine_selectors.fine_indicators(user=user, region=region, start=start, end=end),
        "cases": case_selectors.case_indicators(user=user, region=region, start=start, end=end),
    }


def grade_indicators(*, user: User, region: Region | None = None, start: date, end: date) -> dict:
    """Enterprises per colour, graded count and green rate, conversions in [start, end], and the grade map:
    the same figures for each region one level below the one asked for."""
    enterprises = in_region(scope(Enterprise.objects.all(), user, region="region", enterprise="pk"), region, "region")
    colours = [Grade.RED.value, Grade.YELLOW.value, Grade.GREEN.value, Grade.GRAY.value]
    counts = enterprises.aggregate(**{grade: Count("pk", filter=Q(grade=grade)) for grade in colours})
    graded = counts[Grade.RED] + counts[Grade.YELLOW] + counts[Grade.GREEN]
    changes = in_region(
        scope(GradeChange.objects.all(), user, region="enterprise__region", enterprise="enterprise_id"),
        region,
        "enterprise__region",
    ).filter(changed_at__date__gte=start, changed_at__date__lte=end)
    conversions = [
        {"from": row["old_grade"], "to": row["new_grade"], "count": row["count"]}
        for row in changes.values("old_grade", "new_grade")
        .annotate(count=Count("pk"))
        .order_by("old_grade", "new_grade")
    ]
    base = region or (user.region if user.region_id else None)
    grade_map = []
    if base is not None and base.level != Region.Level.VILLAGE:
        length = {
            Region.Level.PROVINCE: 4,
            Region.Level.CITY: 6,
            Region.Level.COUNTY: 9,
            Region.Level.TOWN: 12,
        }[base.level]
        children = {child.code[:length]: child for child in Region.objects.filter(parent=base).order_by("code")}
        rows = (
            enterprises.annotate(prefix=Substr("region__code", 1, length))
            .values("prefix")
            .annotate(**{grade: Count("pk", filter=Q(grade=grade)) for grade in colours})
        )
        by_prefix = {row["prefix"]: row for row in rows}
        for prefix, child in children.items():
            row = by_prefix.get(prefix, {})
            child_counts = {grade: row.get(grade, 0) for grade in colours}
            child_graded = child_counts[Grade.RED] + child_counts[Grade.YELLOW] + child_counts[Grade.GREEN]
            grade_map.append(
                {
                    "region": child.code,
                    "name": child.name,
                    **child_counts,
                    "graded": child_graded,
                    "green_rate": percent(child_counts[Grade.GREEN], child_graded),
                }
            )
    return {
        "region": base.code if base else None,
        "start": start,
        "end": end,
        "enterprises": {**counts, "total": sum(counts.values()), "graded": graded},
        "green_rate": percent(counts[Grade.GREEN], graded),
        "conversions": conversions,
        "map": grade_map,
    }


# --- Monthly series (the dashboard's trend: one GROUP BY per series, whatever the number of months) ------------


def inspections_completed_by_month(
    *, user: User, region: Region | None = None, start: date, end: date
) -> dict[date, int]:
    """Completed inspections per plan month in [start, end] (first day of the month → count), counted as
    ``inspection_indicators`` counts ``inspections.completed`` for each month."""
    inspections = in_region(
        scope(Inspection.objects.all(), user, region="region_code", enterprise="enterprise_id"),
        region,
        "region_code",
    ).filter(month__gte=start.replace(day=1), month__lte=end, status=Inspection.Status.COMPLETED)
    rows = inspections.annotate(first=TruncMonth("month")).order_by().values("first").annotate(count=Count("pk"))
    return {row["first"]: row["count"] for row in rows}
