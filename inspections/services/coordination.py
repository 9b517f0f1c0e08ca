"""The coordination (统筹) of a month: every submitted plan entry of a region becomes part of one inspection per
enterprise, or is cut (a duplicate, or an enterprise the grade policy leaves alone)."""

from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import audit_bulk, audit_each
from programs.models import Department, Enterprise, Region, User
from programs.queue import enqueue_on_commit
from programs.roles import COORDINATORS, require_role

from .. import grades
from ..models import Coordination, Inspection, PlanEntry
from ._common import month_start


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


# Enterprises per transaction: each chunk is a fixed number of statements (lock the entries, read their items,
# the grade policy and the inspections they may join, insert the inspections, their departments and items, update
# the entries, one audit insert), whatever its size, so the month costs about 20 statements per 500 enterprises.
CHUNK = 500
OPEN = (Inspection.Status.PLANNED, Inspection.Status.SCHEDULED)


def coordination_run(*, coordination_id: int) -> Coordination:
    """Coordinate every submitted entry of the month in the region, set-based, ``CHUNK`` enterprises per
    transaction.

    For each enterprise: if the grade policy leaves it alone, its entries are cut; otherwise a department's
    second entry is a duplicate and cut, and the rest become one inspection (joint when it serves more than
    one department), joining the enterprise's inspection of the month if one is not started yet. Entries whose
    items are all simple are carried out by another department on their behalf. A chunk's entries are locked
    (in one order, so two runs never deadlock) and re-checked, so a second run, or two at once, changes nothing.
    """
    # Claimed once (compare-and-set): a redelivered task finds the row running or done and leaves it. A run
    # cut short stays "running"; starting a new coordination of the month picks up what is still submitted.
    claimed = Coordination.objects.filter(pk=coordination_id, status=Coordination.Status.QUEUED).update(
        status=Coordination.Status.RUNNING
    )
    coordination = Coordination.objects.select_related("region", "started_by").get(pk=coordination_id)
    if not claimed:
        return coordination
    # The enterprise ids as 8-byte integers (0.8 MB for 100,000), read through a server-side cursor.
    enterprise_ids = array(
        "q",
        _month_entries(region=coordination.region, month=coordination.month)
        .order_by("enterprise_id")
        .values_list("enterprise_id", flat=True)
        .distinct()
        .iterator(chunk_size=10_000),
    )
    Coordination.objects.filter(pk=coordination_id).update(total=len(enterprise_ids), processed=0)
    try:
        for start in range(0, len(enterprise_ids), CHUNK):
            _coordinate_chunk(
                coordination_id=coordination_id,
                enterprise_ids=enterprise_ids[start : start + CHUNK].tolist(),
                month=coordination.month,
                actor=coordination.started_by,
            )
    except (DatabaseError, ValidationError) as exc:  # anything else is a bug: the run stays "running", as if cut short
        Coordination.objects.filter(pk=coordination_id).update(
            status=Coordination.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    Coordination.objects.filter(pk=coordination_id).update(status=Coordination.Status.DONE, finished_at=timezone.now())
    coordination.refresh_from_db()
    return coordination


@dataclass
class _Entry:
    pk: int
    enterprise_id: int
    department_id: int
    mode: str
    region_code: str  # the enterprise's, which its inspection stores (StoresRegionCode)
    items: list[tuple[int, bool]] = field(default_factory=list)  # (item id, simple)
    delegated: bool = False


@dataclass
class _Open:
    """The enterprise's not-yet-started inspection of the month (the first one), and whom it serves already."""

    pk: int
    mode: str
    lead_department_id: int
    served: set[int] = field(default_factory=set)


def _lead(entries: list[_Entry], kinds: dict[int, str]) -> int:
    """The comprehensive enforcement bureau leads when it takes part; otherwise the department with most items
    (``_common.lead_department`` on plain rows)."""

    def rank(entry):
        comprehensive = kinds[entry.department_id] == Department.Kind.COMPREHENSIVE_ENFORCEMENT
        return (not comprehensive, -len(entry.items), entry.department_id)

    return min(entries, key=rank).department_id


@transaction.atomic
def _coordinate_chunk(*, coordination_id: int, enterprise_ids: list[int], month: date, actor: User) -> None:
    # The enterprises first, then their entries: the order every writer of a stored division code takes
    # (programs.models.StoresRegionCode), so a move of one of them waits for the chunk instead of deadlocking it.
    list(
        Enterprise.objects.select_for_update(no_key=True)
        .filter(pk__in=enterprise_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    entries = [
        _Entry(*row)
        for row in PlanEntry.objects.select_for_update()
        .filter(enterprise_id__in=enterprise_ids, month=month, status=PlanEntry.Status.SUBMITTED)
        .order_by("enterprise_id", "submitted_at", "pk")
        .values_list("pk", "enterprise_id", "department_id", "mode", "region_code")
    ]
    by_pk = {entry.pk: entry for entry in entries}
    items = PlanEntry.items.through.objects.filter(planentry_id__in=list(by_pk))
    for entry_id, item_id, simple in items.values_list("planentry_id", "inspectionitem_id", "inspectionitem__simple"):
        by_pk[entry_id].items.append((item_id, simple))
    by_enterprise: dict[int, list[_Entry]] = defaultdict(list)
    for entry in entries:
        by_enterprise[entry.enterprise_id].append(entry)
    left_alone = grades.left_alone_ids(enterprise_ids=list(by_enterprise), month=month) if by_enterprise else set()
    opened = _open_inspections([e for e in by_enterprise if e not in left_alone], month)
    kinds = dict(Department.objects.filter(pk__in={e.department_id for e in entries}).values_list("pk", "kind"))
    now = timezone.now()
    audit: list[tuple[int, str, str, str]] = []  # (entry, old, new, reason)
    cut_alone: list[int] = []
    duplicates: dict[int, str] = {}  # entry → its note
    fresh: list[tuple[list[_Entry], int]] = []  # (kept entries, lead) of each inspection to create
    joins: list[tuple[_Open, list[_Entry]]] = []  # an open inspection and the kept entries joining it
    alone_note = _("Green enterprise not due: left alone.")
    for enterprise_id, group in by_enterprise.items():
        if enterprise_id in left_alone:
            cut_alone += [entry.pk for entry in group]
            audit += [(entry.pk, PlanEntry.Status.SUBMITTED, PlanEntry.Status.CUT, alone_note) for entry in group]
            continue
        kept: dict[int, _Entry] = {}
        for entry in group:
            if entry.department_id in kept:
                note = _("Duplicate of plan entry #%(id)s.") % {"id": kept[entry.department_id].pk}
                duplicates[entry.pk] = note
                audit.append((entry.pk, PlanEntry.Status.SUBMITTED, PlanEntry.Status.CUT, note))
            else:
                kept[entry.department_id] = entry
        kept_entries = list(kept.values())
        # Entries of simple items only are carried out by a department that goes anyway (部门代检查).
        goers = {e.pk for e in kept_entries if not all(simple for _item, simple in e.items)}
        existing = opened.get(enterprise_id)
        lead = None if goers or existing else _lead(kept_entries, kinds)
        for entry in kept_entries:
            entry.delegated = entry.pk not in goers if lead is None else entry.department_id != lead
        if existing is None:
            fresh.append((kept_entries, _lead([e for e in kept_entries if not e.delegated] or kept_entries, kinds)))
        else:
            joins.append((existing, kept_entries))
    inspections = _create_inspections(fresh, month, actor)
    inspections.update(_join_open(joins))
    executed = [entry for kept_entries, _lead_id in fresh for entry in kept_entries]
    executed += [entry for _open, kept_entries in joins for entry in kept_entries]
    _add_departments_and_items(executed, inspections)
    leads = {kept[0].enterprise_id: lead for kept, lead in fresh}
    leads.update({kept[0].enterprise_id: inspection.lead_department_id for inspection, kept in joins})
    names = {pk: str(d) for pk, d in Department.objects.in_bulk(set(leads.values())).items()} if leads else {}
    for entry in executed:
        lead_name = names[leads[entry.enterprise_id]]
        reason = _("Delegated to %(department)s.") % {"department": lead_name} if entry.delegated else ""
        audit.append((entry.pk, PlanEntry.Status.SUBMITTED, PlanEntry.Status.EXECUTED, reason))
    _execute(executed, inspections, now)
    _cut(cut_alone, duplicates, alone_note, now)
    audit_each(model=PlanEntry, rows=audit, actor=actor, at=now)
    Coordination.objects.filter(pk=coordination_id).update(
        processed=F("processed") + len(enterprise_ids),
        executed=F("executed") + len(executed),
        cut=F("cut") + len(cut_alone) + len(duplicates),
        inspections_created=F("inspections_created") + len(fresh),
    )


def _open_inspections(enterprise_ids: list[int], month: date) -> dict[int, _Open]:
    """Each enterprise's first not-yet-started inspection of the month, locked, with the departments it serves
    (its participants and the departments of the entries it already carries out)."""
    if not enterprise_ids:
        return {}
    opened: dict[int, _Open] = {}
    rows = (
        Inspection.objects.select_for_update()
        .filter(enterprise_id__in=enterprise_ids, month=month, status__in=OPEN, origin=Inspection.Origin.PLAN)
        .order_by("pk")
        .values_list("enterprise_id", "pk", "mode", "lead_department_id")
    )
    for enterprise_id, *values in rows:
        opened.setdefault(enterprise_id, _Open(*values))
    by_pk = {inspection.pk: inspection for inspection in opened.values()}
    if by_pk:
        participants = Inspection.departments.through.objects.filter(inspection_id__in=list(by_pk))
        carried = PlanEntry.objects.filter(inspection_id__in=list(by_pk))
        for query in (participants, carried):
            for inspection_id, department_id in query.values_list("inspection_id", "department_id"):
                by_pk[inspection_id].served.add(department_id)
    return opened


def _mode(entries: list[_Entry]) -> str:
    return PlanEntry.Mode.ON_SITE if any(e.mode == PlanEntry.Mode.ON_SITE for e in entries) else PlanEntry.Mode.OFF_SITE


def _create_inspections(fresh: list[tuple[list[_Entry], int]], month: date, actor: User) -> dict[int, int]:
    """One insert of the new inspections (joint when their entries are of several departments) and one of their
    audit rows; their ids by enterprise."""
    created = Inspection.objects.bulk_create(
        [
            Inspection(
                enterprise_id=kept[0].enterprise_id,
                region_code=kept[0].region_code,  # bulk_create skips the save() that would look it up
                month=month,
                lead_department_id=lead,
                mode=_mode(kept),
                is_joint=len({e.department_id for e in kept}) > 1,
            )
            for kept, lead in fresh
        ]
    )
    audit_bulk(
        model=Inspection,
        changes=[(inspection.pk, "") for inspection in created],
        new=Inspection.Status.PLANNED,
        field="created",
        actor=actor,
    )
    return {inspection.enterprise_id: inspection.pk for inspection in created}


def _join_open(joins: list[tuple[_Open, list[_Entry]]]) -> dict[int, int]:
    """The open inspections grown by new entries: on-site when one of them is, joint when they now serve more
    than one department. Their ids by enterprise."""
    on_site = [o.pk for o, kept in joins if o.mode != PlanEntry.Mode.ON_SITE and _mode(kept) == PlanEntry.Mode.ON_SITE]
    if on_site:
        Inspection.objects.filter(pk__in=on_site).update(mode=PlanEntry.Mode.ON_SITE)
    joint = {o.pk: len(o.served | {e.department_id for e in kept}) > 1 for o, kept in joins}
    for value in (True, False):
        ids = [pk for pk, is_joint in joint.items() if is_joint is value]
        if ids:
            Inspection.objects.filter(pk__in=ids).update(is_joint=value)
    return {kept[0].enterprise_id: o.pk for o, kept in joins}


def _add_departments_and_items(executed: list[_Entry], inspections: dict[int, int]) -> None:
    """The participants (the departments that go) and the items of every entry, one insert each; a pair
    already there is kept (as ``add()`` does)."""
    departments = {(inspections[e.enterprise_id], e.department_id) for e in executed if not e.delegated}
    Through = Inspection.departments.through
    Through.objects.bulk_create(
        [Through(inspection_id=i, department_id=d) for i, d in sorted(departments)], ignore_conflicts=True
    )
    items = {(inspections[e.enterprise_id], item) for e in executed for item, _simple in e.items}
    Through = Inspection.items.through
    Through.objects.bulk_create(
        [Through(inspection_id=i, inspectionitem_id=item) for i, item in sorted(items)], ignore_conflicts=True
    )


def _execute(executed: list[_Entry], inspections: dict[int, int], now) -> None:
    """The kept entries executed, each pointing at its enterprise's inspection (compare-and-set on the status):
    on PostgreSQL one update joined to the arrays of ids, inspections and delegations; elsewhere one update per
    delegated value."""
    if not executed:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE inspections_planentry p SET status = %s, inspection_id = v.inspection, "
                "delegated = v.delegated, decided_at = %s "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::boolean[]) AS v(id, inspection, delegated) "
                "WHERE p.id = v.id AND p.status = %s",
                [
                    PlanEntry.Status.EXECUTED,
                    now,
                    [e.pk for e in executed],
                    [inspections[e.enterprise_id] for e in executed],
                    [e.delegated for e in executed],
                    PlanEntry.Status.SUBMITTED,
                ],
            )
        return
    for delegated in (False, True):
        group = [e for e in executed if e.delegated is delegated]
        if not group:
            continue
        enterprise_ids = {e.enterprise_id for e in group}
        PlanEntry.objects.filter(pk__in=[e.pk for e in group], status=PlanEntry.Status.SUBMITTED).update(
            status=PlanEntry.Status.EXECUTED,
            inspection_id=Case(*[When(enterprise_id=e, then=Value(inspections[e])) for e in sorted(enterprise_ids)]),
            delegated=delegated,
            decided_at=now,
        )


def _cut(left_alone: list[int], duplicates: dict[int, str], alone_note: str, now) -> None:
    submitted = PlanEntry.objects.filter(status=PlanEntry.Status.SUBMITTED)
    if left_alone:
        submitted.filter(pk__in=left_alone).update(
            status=PlanEntry.Status.CUT, cut_reason=PlanEntry.CutReason.LEAVE_ALONE, cut_note=alone_note, decided_at=now
        )
    if duplicates and connection.vendor == "postgresql":  # each its own note: one update joined to the arrays
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE inspections_planentry p SET status = %s, cut_reason = %s, cut_note = v.note, "
                "decided_at = %s FROM unnest(%s::bigint[], %s::text[]) AS v(id, note) "
                "WHERE p.id = v.id AND p.status = %s",
                [
                    PlanEntry.Status.CUT,
                    PlanEntry.CutReason.DUPLICATE,
                    now,
                    list(duplicates),
                    list(duplicates.values()),
                    PlanEntry.Status.SUBMITTED,
                ],
            )
    elif duplicates:
        submitted.filter(pk__in=list(duplicates)).update(
            status=PlanEntry.Status.CUT,
            cut_reason=PlanEntry.CutReason.DUPLICATE,
            cut_note=Case(*[When(pk=pk, then=Value(note)) for pk, note in duplicates.items()]),
            decided_at=now,
        )
