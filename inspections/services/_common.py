"""What the parts of the services share: the month, who is an officer of an inspection, the inspection a set of
plan entries joins, and the cut of an entry."""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from programs.models import Department, User
from programs.services import audit_record, transition

from ..models import PLAN_ENTRY_MOVES, Inspection, PlanEntry


def month_start(value: date) -> date:
    return value.replace(day=1)


def is_officer_of(actor: User, departments: Iterable[int]) -> bool:
    return actor.is_superuser or (actor.role == User.Role.OFFICER and actor.department_id in set(departments))


def require_inspection_officer(inspection: Inspection, actor: User) -> None:
    departments = set(inspection.departments.values_list("pk", flat=True)) | {inspection.lead_department_id}
    if not is_officer_of(actor, departments):
        raise PermissionDenied(_("Only an officer of a participating department can do this."))


def lead_department(entries: list[PlanEntry]) -> Department:
    """The comprehensive enforcement bureau leads when it takes part; otherwise the department with most items."""

    def rank(entry):
        comprehensive = entry.department.kind == Department.Kind.COMPREHENSIVE_ENFORCEMENT
        return (not comprehensive, -len(entry.item_list), entry.department_id)

    return min(entries, key=rank).department


def inspection_for(entries: list[PlanEntry], *, actor: User | None) -> tuple[Inspection, bool]:
    """The enterprise's not-yet-started inspection of the month, grown by ``entries``, or a new one."""
    first = entries[0]
    for entry in entries:
        entry.item_list = list(entry.items.all())
    inspection = (
        Inspection.objects.select_for_update()
        .filter(
            enterprise_id=first.enterprise_id,
            month=first.month,
            status__in=[Inspection.Status.PLANNED, Inspection.Status.SCHEDULED],
            origin=Inspection.Origin.PLAN,  # a complaint-triggered visit is never grown by plan entries
        )
        .order_by("pk")
        .first()
    )
    created = inspection is None
    if created:
        lead = lead_department([e for e in entries if not e.delegated] or entries)
        inspection = Inspection.objects.create(
            enterprise_id=first.enterprise_id,
            month=first.month,
            lead_department=lead,
            mode=PlanEntry.Mode.ON_SITE
            if any(e.mode == PlanEntry.Mode.ON_SITE for e in entries)
            else PlanEntry.Mode.OFF_SITE,
        )
        audit_record(obj=inspection, field="created", old="", new=inspection.status, actor=actor)
    elif any(e.mode == PlanEntry.Mode.ON_SITE for e in entries) and inspection.mode != PlanEntry.Mode.ON_SITE:
        Inspection.objects.filter(pk=inspection.pk).update(mode=PlanEntry.Mode.ON_SITE)
    inspection.departments.add(*[e.department_id for e in entries if not e.delegated])
    inspection.items.add(*[item.pk for e in entries for item in e.item_list])
    served = set(inspection.departments.values_list("pk", flat=True)) | set(
        PlanEntry.objects.filter(inspection=inspection).values_list("department_id", flat=True)
    )
    served |= {e.department_id for e in entries}
    Inspection.objects.filter(pk=inspection.pk).update(is_joint=len(served) > 1)
    inspection.refresh_from_db()
    return inspection, created


def cut_entry(entry: PlanEntry, reason: str, note: str, actor: User | None, now: datetime) -> None:
    transition(
        instance=entry,
        to=PlanEntry.Status.CUT,
        actor=actor,
        allowed=PLAN_ENTRY_MOVES,
        reason=note,
        changes={"cut_reason": reason, "cut_note": note, "decided_at": now},
    )
