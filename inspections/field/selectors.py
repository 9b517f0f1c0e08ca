"""Reads of the officers' field area: the officer's week, one visit with everything the phone needs offline, and
the findings due for re-inspection. Everything goes through the app's scoped selectors."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from programs.models import User

from .. import selectors
from ..models import Finding, Inspection, InspectionItem, ItemCheck, LenientListEntry
from ..services import lenient_proposal

# A finding whose deadline is this close (or past) is due for re-inspection even without evidence.
NEAR_DEADLINE_DAYS = 3


def week_start(today: date | None = None) -> date:
    """The Monday of ``today``'s week, as the week schedule counts weeks."""
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday())


def _visits(*, user: User) -> QuerySet[Inspection]:
    lenient = LenientListEntry.objects.filter(is_active=True).order_by("kind")
    items = InspectionItem.objects.select_related("department").prefetch_related(
        Prefetch("lenient_entries", queryset=lenient)
    )
    return (
        selectors.inspection_list(user=user)
        .prefetch_related(None)
        .prefetch_related("departments", "officers", Prefetch("items", queryset=items.order_by("code")))
    )


def _open_findings(*, user: User, enterprise_ids) -> dict[int, list[Finding]]:
    found = defaultdict(list)
    rows = (
        selectors.finding_list(user=user)
        .prefetch_related(None)
        .filter(enterprise_id__in=list(enterprise_ids))
        .exclude(status=Finding.Status.RECTIFIED)
        .order_by("deadline", "id")
    )
    for finding in rows:
        found[finding.enterprise_id].append(finding)
    return found


@dataclass
class Day:
    day: date | None
    visits: list[Inspection] = field(default_factory=list)


def field_week(*, officer: User, today: date | None = None) -> tuple[date, list[Day], list[Inspection]]:
    """The officer's visits this week by day (a visit with no fixed day last), and the visits of earlier weeks
    still under way. Each visit carries ``other_departments`` and ``open_findings`` (its enterprise's). The
    visits the phone keeps for offline use are these (``week_visit_ids``)."""
    monday = week_start(today)
    mine = _visits(user=officer).filter(officers=officer).exclude(status=Inspection.Status.CANCELLED)
    # One query for both: this week's visits by day, then by enterprise; earlier weeks' by week, oldest first.
    visits = list(
        mine.filter(Q(week_start=monday) | Q(status=Inspection.Status.IN_PROGRESS, week_start__lt=monday)).order_by(
            "-week_start", "visit_date", "enterprise__name", "id"
        )
    )
    week = [visit for visit in visits if visit.week_start == monday]
    earlier = sorted((visit for visit in visits if visit.week_start != monday), key=lambda v: (v.week_start, v.pk))
    findings = _open_findings(user=officer, enterprise_ids={v.enterprise_id for v in visits})
    for visit in visits:
        visit.other_departments = [d for d in visit.departments.all() if d.pk != officer.department_id]
        visit.open_findings = findings.get(visit.enterprise_id, [])
    days = [Day(monday + timedelta(days=n)) for n in range(7)]
    undated = Day(None)
    for visit in week:
        (days[(visit.visit_date - monday).days] if visit.visit_date else undated).visits.append(visit)
    if undated.visits:
        days.append(undated)
    return monday, days, earlier


def week_visit_ids(days: list[Day], earlier: list[Inspection]) -> list[int]:
    """The visits of ``field_week``'s answer the phone keeps for offline use, by id."""
    return sorted([visit.pk for day in days for visit in day.visits] + [visit.pk for visit in earlier])


@dataclass
class VisitItem:
    item: InspectionItem
    mine: bool  # the officer's own department's item
    delegated: bool  # another department's simple item, answered on its behalf (代查)
    answerable: bool
    check: ItemCheck | None
    lenient: LenientListEntry | None


def field_visit(*, user: User, pk: int) -> Inspection | None:
    return _visits(user=user).filter(pk=pk).first()


def field_visit_items(*, inspection: Inspection, user: User) -> list[VisitItem]:
    """Every item of the visit with who answers it, its recorded answer, and the lenient list proposal that a
    finding recorded now would carry (the item is listed and the enterprise has no earlier violation)."""
    department = user.department_id or inspection.lead_department_id
    checks = {
        check.item_id: check
        for check in ItemCheck.objects.filter(inspection=inspection).select_related(
            "checked_by_department", "on_behalf_of", "officer"
        )
    }
    now = timezone.now()
    rows = []
    for item in inspection.items.all():
        mine = item.department_id == department
        listed = bool(item.lenient_entries.all())
        rows.append(
            VisitItem(
                item=item,
                mine=mine,
                delegated=not mine and item.simple,
                answerable=mine or item.simple,
                check=checks.get(item.pk),
                lenient=lenient_proposal(enterprise=inspection.enterprise, item=item, at=now) if listed else None,
            )
        )
    return rows


def field_visit_findings(*, inspection: Inspection, user: User) -> list[Finding]:
    return list(selectors.finding_list(user=user).filter(inspection=inspection).order_by("item__code", "id"))


def reinspections_due(*, officer: User, today: date | None = None) -> QuerySet[Finding]:
    """Findings of the officer's departments to re-inspect: evidence submitted, or the deadline near or past;
    evidence first, then the earliest deadline."""
    today = today or timezone.localdate()
    near = today + timedelta(days=NEAR_DEADLINE_DAYS)
    return (
        selectors.finding_list(user=officer)
        .filter(Q(status=Finding.Status.EVIDENCE_SUBMITTED) | Q(status=Finding.Status.OPEN, deadline__lte=near))
        .annotate(
            evidence_first=Case(
                When(status=Finding.Status.EVIDENCE_SUBMITTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("evidence_first", "deadline", "id")
    )
