"""The coordination (统筹) of a month: every submitted plan entry of a region becomes part of one inspection per
enterprise, or is cut (a duplicate, or an enterprise the grade policy leaves alone)."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Region, User
from programs.queue import enqueue_on_commit
from programs.roles import COORDINATORS, require_role
from programs.services import transition

from .. import grades
from ..models import PLAN_ENTRY_MOVES, Coordination, Inspection, PlanEntry
from ._common import cut_entry, inspection_for, lead_department, month_start


def _month_entries(*, region: Region, month: date):
    return PlanEntry.objects.filter(
        month=month_start(month),
        status=PlanEntry.Status.SUBMITTED,
        enterprise__region__code__startswith=region.prefix,
    )


def coordination_start(*, region: Region, month: date, actor: User) -> Coordination:
    """Queue the coordination of a month; the task reports progress on the returned row."""
    require_role(actor, *COORDINATORS)
    if not actor.is_superuser and not region.code.startswith(actor.region.prefix):
        raise PermissionDenied(_("This region is outside yours."))
    coordination = Coordination.objects.create(region=region, month=month_start(month), started_by=actor)
    enqueue_on_commit("inspections.coordinate_month", coordination.pk)
    return coordination


STALLED_AFTER = timedelta(minutes=2)


def stalled_coordinations(*, now=None):
    return Coordination.objects.filter(
        status=Coordination.Status.QUEUED, created_at__lt=(now or timezone.now()) - STALLED_AFTER
    )


def month_coordinate(*, region: Region, month: date, actor: User) -> Coordination:
    """Coordinate a month now, in this process (the admin action and small months)."""
    require_role(actor, *COORDINATORS)
    coordination = Coordination.objects.create(region=region, month=month_start(month), started_by=actor)
    return coordination_run(coordination_id=coordination.pk)


def coordination_run(*, coordination_id: int) -> Coordination:
    """Coordinate every submitted entry of the month in the region, one enterprise per transaction.

    For each enterprise: if the grade policy leaves it alone, its entries are cut; otherwise a department's
    second entry is a duplicate and cut, and the rest become one inspection (joint when it serves more than
    one department), joining the enterprise's inspection of the month if one is not started yet. Entries whose
    items are all simple are carried out by another department on their behalf. Entries are locked and
    re-checked, so a second run, or two at once, changes nothing.
    """
    # Claimed once (compare-and-set): a redelivered task finds the row running or done and leaves it. A run
    # cut short stays "running"; starting a new coordination of the month picks up what is still submitted.
    claimed = Coordination.objects.filter(pk=coordination_id, status=Coordination.Status.QUEUED).update(
        status=Coordination.Status.RUNNING
    )
    coordination = Coordination.objects.select_related("region", "started_by").get(pk=coordination_id)
    if not claimed:
        return coordination
    actor = coordination.started_by
    enterprise_ids = sorted(
        set(
            _month_entries(region=coordination.region, month=coordination.month).values_list("enterprise_id", flat=True)
        )
    )
    Coordination.objects.filter(pk=coordination_id).update(total=len(enterprise_ids), processed=0)
    left_alone = grades.left_alone_ids(enterprise_ids=enterprise_ids, month=coordination.month)
    try:
        for enterprise_id in enterprise_ids:
            executed, cut, created = _coordinate_enterprise(
                enterprise_id=enterprise_id,
                month=coordination.month,
                leave_alone=enterprise_id in left_alone,
                actor=actor,
            )
            Coordination.objects.filter(pk=coordination_id).update(
                processed=F("processed") + 1,
                executed=F("executed") + executed,
                cut=F("cut") + cut,
                inspections_created=F("inspections_created") + created,
            )
    except (DatabaseError, ValidationError) as exc:  # anything else is a bug: the run stays "running", as if cut short
        Coordination.objects.filter(pk=coordination_id).update(
            status=Coordination.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    Coordination.objects.filter(pk=coordination_id).update(status=Coordination.Status.DONE, finished_at=timezone.now())
    coordination.refresh_from_db()
    return coordination


@transaction.atomic
def _coordinate_enterprise(*, enterprise_id: int, month: date, leave_alone: bool, actor: User) -> tuple[int, int, int]:
    entries = list(
        PlanEntry.objects.select_for_update()
        .filter(enterprise_id=enterprise_id, month=month, status=PlanEntry.Status.SUBMITTED)
        .select_related("department")
        .order_by("submitted_at", "pk")
    )
    if not entries:
        return 0, 0, 0
    now = timezone.now()
    cut = 0
    if leave_alone:
        for entry in entries:
            cut_entry(entry, PlanEntry.CutReason.LEAVE_ALONE, _("Green enterprise not due: left alone."), actor, now)
        return 0, len(entries), 0
    kept: dict[int, PlanEntry] = {}
    for entry in entries:
        if entry.department_id in kept:
            note = _("Duplicate of plan entry #%(id)s.") % {"id": kept[entry.department_id].pk}
            cut_entry(entry, PlanEntry.CutReason.DUPLICATE, note, actor, now)
            cut += 1
        else:
            kept[entry.department_id] = entry
    kept_entries = list(kept.values())
    for entry in kept_entries:
        entry.item_list = list(entry.items.all())
    # Entries of simple items only are carried out by a department that goes anyway (部门代检查).
    goers = [e for e in kept_entries if not all(item.simple for item in e.item_list)]
    existing = Inspection.objects.filter(
        enterprise_id=enterprise_id, month=month, status__in=[Inspection.Status.PLANNED, Inspection.Status.SCHEDULED]
    ).exists()
    if goers or existing:
        for entry in kept_entries:
            entry.delegated = entry not in goers
    else:
        lead = lead_department(kept_entries)
        for entry in kept_entries:
            entry.delegated = entry.department_id != lead.pk
    inspection, created = inspection_for(kept_entries, actor=actor)
    for entry in kept_entries:
        transition(
            instance=entry,
            to=PlanEntry.Status.EXECUTED,
            actor=actor,
            allowed=PLAN_ENTRY_MOVES,
            reason=_("Delegated to %(department)s.") % {"department": inspection.lead_department}
            if entry.delegated
            else "",
            changes={"inspection": inspection, "delegated": entry.delegated, "decided_at": now},
        )
    return len(kept_entries), cut, int(created)
