"""The set-based coordination gives, entry by entry, what the per-enterprise algorithm it replaced gave (issue 16,
point 6). The old algorithm is kept HERE, as the reference, not in the product: both run on the same generated
month (the reference inside a transaction rolled back), and every entry's status, cut reason and note, delegation,
decision, inspection (lead, mode, joint, participants, items) and audit rows are compared."""

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import grades
from inspections.models import PLAN_ENTRY_MOVES, Coordination, Inspection, PlanEntry
from inspections.services import _common
from inspections.services import coordination as coordination_module
from programs.models import AuditEntry, Department, Grade
from programs.services import transition
from tests.factories import DepartmentFactory, EnterpriseFactory, officer

from .factories import MONTH, ItemFactory

pytestmark = pytest.mark.django_db


# --- The reference: the per-enterprise coordination as it was before issue 16 ------------------------------------


def reference_run(coordination: Coordination) -> None:
    actor = coordination.started_by
    enterprise_ids = sorted(
        set(
            PlanEntry.objects.filter(
                month=coordination.month,
                status=PlanEntry.Status.SUBMITTED,
                enterprise__region__code__startswith=coordination.region.prefix,
            ).values_list("enterprise_id", flat=True)
        )
    )
    Coordination.objects.filter(pk=coordination.pk).update(total=len(enterprise_ids), processed=0)
    left_alone = grades.left_alone_ids(enterprise_ids=enterprise_ids, month=coordination.month)
    for enterprise_id in enterprise_ids:
        leave_alone = enterprise_id in left_alone
        executed, cut, created = reference_enterprise(enterprise_id, coordination.month, leave_alone, actor)
        Coordination.objects.filter(pk=coordination.pk).update(
            processed=F("processed") + 1,
            executed=F("executed") + executed,
            cut=F("cut") + cut,
            inspections_created=F("inspections_created") + created,
        )
    Coordination.objects.filter(pk=coordination.pk).update(status=Coordination.Status.DONE)


@transaction.atomic
def reference_enterprise(enterprise_id, month, leave_alone, actor):
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
            note = _("Green enterprise not due: left alone.")
            _common.cut_entry(entry, PlanEntry.CutReason.LEAVE_ALONE, note, actor, now)
        return 0, len(entries), 0
    kept = {}
    for entry in entries:
        if entry.department_id in kept:
            note = _("Duplicate of plan entry #%(id)s.") % {"id": kept[entry.department_id].pk}
            _common.cut_entry(entry, PlanEntry.CutReason.DUPLICATE, note, actor, now)
            cut += 1
        else:
            kept[entry.department_id] = entry
    kept_entries = list(kept.values())
    for entry in kept_entries:
        entry.item_list = list(entry.items.all())
    goers = [e for e in kept_entries if not all(item.simple for item in e.item_list)]
    existing = Inspection.objects.filter(
        enterprise_id=enterprise_id,
        month=month,
        status__in=[Inspection.Status.PLANNED, Inspection.Status.SCHEDULED],
        origin=Inspection.Origin.PLAN,  # the one inspection_for joins (a complaint's visit is never grown)
    ).exists()
    if goers or existing:
        for entry in kept_entries:
            entry.delegated = entry not in goers
    else:
        lead = _common.lead_department(kept_entries)
        for entry in kept_entries:
            entry.delegated = entry.department_id != lead.pk
    inspection, created = _common.inspection_for(kept_entries, actor=actor)
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


# --- A generated month ----------------------------------------------------------------------------------------


def generate_month(cast, seed: int) -> set[int]:
    """Forty enterprises of every colour, some with an inspection of the month already planned or scheduled (or
    started, which is not joined); one to five entries each from four departments (so duplicates), on-site or
    not, of ordinary and simple items, several submitted at the same instant. The ids of the inspections that
    existed before."""
    rng = random.Random(seed)
    bureau = DepartmentFactory(name="综合行政执法局", kind=Department.Kind.COMPREHENSIVE_ENFORCEMENT)
    departments = [cast.market, cast.fire, bureau, DepartmentFactory(name="应急管理局")]
    items = {
        d.pk: ItemFactory.create_batch(3, department=d) + ItemFactory.create_batch(2, department=d, simple=True)
        for d in departments
    }
    officers = {d.pk: officer(d) for d in departments}
    base = timezone.now() - timedelta(days=3)
    existing = set()
    for n in range(40):
        enterprise = EnterpriseFactory(region=cast.village, grade=rng.choice(list(Grade.values)))
        if enterprise.grade == Grade.GREEN and rng.random() < 0.5:
            Inspection.objects.create(
                enterprise=enterprise,
                month=MONTH - timedelta(days=40),
                lead_department=cast.market,
                status=Inspection.Status.COMPLETED,
                completed_at=timezone.now() - timedelta(days=30),
            )
        if rng.random() < 0.3:
            inspection = Inspection.objects.create(
                enterprise=enterprise,
                month=MONTH,
                lead_department=rng.choice(departments),
                mode=rng.choice(list(PlanEntry.Mode.values)),
                status=rng.choice(["planned", "scheduled", "in_progress"]),
                origin=rng.choice(["plan", "plan", "complaint"]),
            )
            inspection.departments.add(inspection.lead_department)
            existing.add(inspection.pk)
        for _entry in range(rng.randint(1, 5)):
            department = rng.choice(departments)
            entry = PlanEntry.objects.create(
                department=department,
                enterprise=enterprise,
                month=MONTH,
                mode=rng.choice(list(PlanEntry.Mode.values)),
                status=PlanEntry.Status.SUBMITTED,
                created_by=officers[department.pk],
                submitted_at=base + timedelta(minutes=rng.randint(0, 3)),
            )
            entry.items.set(rng.sample(items[department.pk], rng.randint(1, 3)))
        if n % 9 == 0:  # a draft: never coordinated
            PlanEntry.objects.create(
                department=cast.market, enterprise=enterprise, month=MONTH, created_by=officers[cast.market.pk]
            )
    return existing


def outcome(existing: set[int]) -> dict:
    """Every entry of the month as the comparison sees it: inspections by what they are, not by their new ids."""

    def inspection_key(inspection):
        if inspection is None:
            return None
        return (
            inspection.enterprise_id,
            inspection.pk if inspection.pk in existing else "new",
            inspection.status,
            inspection.lead_department_id,
            inspection.mode,
            inspection.is_joint,
            tuple(sorted(inspection.departments.values_list("pk", flat=True))),
            tuple(sorted(inspection.items.values_list("pk", flat=True))),
            inspection.week_start,
            inspection.code,
            tuple(
                AuditEntry.objects.filter(content_type__model="inspection", object_id=inspection.pk)
                .order_by("field", "new_value")
                .values_list("field", "old_value", "new_value", "actor_id")
            ),
        )

    entries = {}
    for entry in PlanEntry.objects.filter(month=MONTH).select_related("inspection").order_by("pk"):
        entries[entry.pk] = (
            entry.status,
            entry.cut_reason,
            entry.cut_note,
            entry.delegated,
            entry.decided_at is not None,
            inspection_key(entry.inspection),
            tuple(
                AuditEntry.objects.filter(content_type__model="planentry", object_id=entry.pk)
                .order_by("id")
                .values_list("field", "old_value", "new_value", "reason", "actor_id")
            ),
        )
    month_inspections = Inspection.objects.filter(month=MONTH)
    return {
        "entries": entries,
        "inspections": sorted((inspection_key(i) for i in month_inspections), key=repr),
        "coordination": list(
            Coordination.objects.values_list("status", "total", "processed", "executed", "cut", "inspections_created")
        ),
    }


class _RolledBack(Exception):
    pass


def reference_outcome(cast, existing) -> dict:
    try:
        with transaction.atomic():
            run = Coordination.objects.create(region=cast.county, month=MONTH, started_by=cast.coordinator)
            reference_run(run)
            result = outcome(existing)
            raise _RolledBack
    except _RolledBack:
        return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_set_based_coordination_gives_every_entry_what_the_per_enterprise_one_gave(cast, monkeypatch, seed):
    existing = generate_month(cast, seed)
    expected = reference_outcome(cast, existing)
    assert PlanEntry.objects.filter(month=MONTH, status=PlanEntry.Status.SUBMITTED).count() == len(
        [e for e in expected["entries"].values() if e[0] != PlanEntry.Status.DRAFT]
    )  # rolled back: the month is as generated again
    monkeypatch.setattr(coordination_module, "CHUNK", 7)  # several chunks, enterprises in the same transaction

    from inspections import services

    services.month_coordinate(region=cast.county, month=MONTH, actor=cast.coordinator)

    actual = outcome(existing)
    assert actual["coordination"] == expected["coordination"]
    assert actual["inspections"] == expected["inspections"]
    for pk, reference in expected["entries"].items():
        assert actual["entries"][pk] == reference, f"plan entry {pk}"
    statuses = {e[0] for e in actual["entries"].values()}
    assert {PlanEntry.Status.EXECUTED, PlanEntry.Status.CUT} <= statuses
    reasons = {e[1] for e in actual["entries"].values()}
    assert {PlanEntry.CutReason.DUPLICATE, PlanEntry.CutReason.LEAVE_ALONE} <= reasons
    assert any(e[3] for e in actual["entries"].values())  # some delegated
    assert any(key and key[1] != "new" for key in (e[5] for e in actual["entries"].values()))  # some joined

    services.month_coordinate(region=cast.county, month=MONTH, actor=cast.coordinator)  # again: nothing changes
    assert outcome(existing)["entries"] == actual["entries"]


def test_a_chunk_costs_the_same_statements_for_three_enterprises_or_thirty(cast):
    """Set-based: the statements of a month do not grow with its enterprises (17.8 per enterprise before)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inspections import services
    from tests.inspections.factories import PlanEntryFactory

    def statements(count: int, month) -> int:
        for enterprise in EnterpriseFactory.create_batch(count, region=cast.village):
            PlanEntryFactory(department=cast.market, enterprise=enterprise, month=month, actor=cast.market_officer)
            PlanEntryFactory(department=cast.fire, enterprise=enterprise, month=month, actor=cast.fire_officer)
            PlanEntryFactory(department=cast.fire, enterprise=enterprise, month=month, actor=cast.fire_officer)
        with CaptureQueriesContext(connection) as queries:
            run = services.month_coordinate(region=cast.county, month=month, actor=cast.coordinator)
        assert (run.executed, run.cut, run.inspections_created) == (2 * count, count, count)
        return len(queries)

    few = statements(3, MONTH)
    many = statements(30, MONTH + timedelta(days=31))
    assert many <= few + 2  # (a statement of the grade policy when a green enterprise is among them)
    assert many < 40
