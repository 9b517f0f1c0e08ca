"""Plans and the coordination of a month: merge into joint inspections, cut duplicates and left-alone
enterprises, every entry ends executed or cut, re-running changes nothing."""

import pytest
from django.utils import timezone

from inspections import services
from inspections.models import Coordination, Inspection, PlanEntry
from programs.models import Department, Grade
from programs.services import TransitionError
from tests.conftest import failures, released_together
from tests.factories import DepartmentFactory, EnterpriseFactory, officer

from .factories import MONTH, ItemFactory, PlanEntryFactory

pytestmark = pytest.mark.django_db


def coordinate(cast, month=MONTH):
    return services.month_coordinate(region=cast.enterprise.region.parent.parent, month=month, actor=cast.coordinator)


def test_entries_of_two_departments_for_one_enterprise_become_one_joint_inspection(cast):
    fire_item, market_item = ItemFactory(department=cast.fire), ItemFactory(department=cast.market)
    a = PlanEntryFactory(department=cast.fire, enterprise=cast.enterprise, items=[fire_item])
    b = PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, items=[market_item])

    run = coordinate(cast)

    inspection = Inspection.objects.get()
    assert inspection.is_joint
    assert set(inspection.departments.all()) == {cast.fire, cast.market}
    assert set(inspection.items.all()) == {fire_item, market_item}
    assert inspection.status == Inspection.Status.PLANNED
    for entry in (a, b):
        entry.refresh_from_db()
        assert (entry.status, entry.inspection_id) == (PlanEntry.Status.EXECUTED, inspection.pk)
    assert (run.status, run.total, run.processed, run.executed, run.cut, run.inspections_created) == (
        Coordination.Status.DONE,
        1,
        1,
        2,
        0,
        1,
    )


def test_the_comprehensive_enforcement_bureau_leads_when_it_takes_part(cast):
    bureau = DepartmentFactory(name="综合行政执法局", kind=Department.Kind.COMPREHENSIVE_ENFORCEMENT)
    PlanEntryFactory(
        department=cast.market, enterprise=cast.enterprise, items=ItemFactory.create_batch(3, department=cast.market)
    )
    PlanEntryFactory(department=bureau, enterprise=cast.enterprise)
    coordinate(cast)
    assert Inspection.objects.get().lead_department == bureau


def test_a_second_entry_of_the_same_department_is_cut_as_a_duplicate(cast):
    first = PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    second = PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    coordinate(cast)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == PlanEntry.Status.EXECUTED
    assert (second.status, second.cut_reason) == (PlanEntry.Status.CUT, PlanEntry.CutReason.DUPLICATE)
    assert f"#{first.pk}" in second.cut_note
    assert not Inspection.objects.get().is_joint


def test_entries_for_different_enterprises_make_separate_single_inspections(cast):
    other = EnterpriseFactory(region=cast.enterprise.region)
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    PlanEntryFactory(department=cast.market, enterprise=other)
    coordinate(cast)
    assert Inspection.objects.count() == 2
    assert not Inspection.objects.filter(is_joint=True).exists()


def test_rerunning_coordination_changes_nothing(cast):
    PlanEntryFactory(department=cast.fire, enterprise=cast.enterprise)
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    coordinate(cast)
    before = list(PlanEntry.objects.order_by("pk").values_list("status", "inspection_id", "cut_reason"))

    again = coordinate(cast)

    assert list(PlanEntry.objects.order_by("pk").values_list("status", "inspection_id", "cut_reason")) == before
    assert Inspection.objects.count() == 1
    assert (again.total, again.executed, again.cut, again.inspections_created) == (0, 0, 0, 0)


def test_an_entry_submitted_after_coordination_joins_the_enterprise_s_inspection(cast):
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    coordinate(cast)
    late = PlanEntryFactory(department=cast.fire, enterprise=cast.enterprise)
    coordinate(cast)
    inspection = Inspection.objects.get()
    late.refresh_from_db()
    assert late.inspection == inspection
    assert inspection.is_joint


def test_drafts_are_not_coordinated_and_do_not_count_as_submitted(cast):
    draft = services.plan_entry_create(
        department=cast.market,
        enterprise=cast.enterprise,
        items=[ItemFactory(department=cast.market)],
        month=MONTH,
        actor=cast.market_officer,
    )
    coordinate(cast)
    draft.refresh_from_db()
    assert draft.status == PlanEntry.Status.DRAFT
    assert not Inspection.objects.exists()


def test_a_green_enterprise_outside_the_sample_is_left_alone(cast):
    cast.enterprise.grade = Grade.GREEN
    cast.enterprise.save()
    # Completed inspections recently: not due for another year under the green policy.
    from inspections.models import Inspection as InspectionModel

    InspectionModel.objects.create(
        enterprise=cast.enterprise,
        month=MONTH,
        lead_department=cast.market,
        status=InspectionModel.Status.COMPLETED,
        completed_at=timezone.make_aware(timezone.datetime(2024, 5, 20, 10)),
    )
    entry = PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    coordinate(cast)
    entry.refresh_from_db()
    assert (entry.status, entry.cut_reason) == (PlanEntry.Status.CUT, PlanEntry.CutReason.LEAVE_ALONE)


@pytest.mark.parametrize("grade", [Grade.RED, Grade.YELLOW, Grade.GRAY])
def test_enterprises_of_other_colours_are_never_left_alone(cast, grade):
    cast.enterprise.grade = grade
    cast.enterprise.save()
    entry = PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    coordinate(cast)
    entry.refresh_from_db()
    assert entry.status == PlanEntry.Status.EXECUTED


def test_the_coordinator_can_override_a_cut_and_the_entry_gets_an_inspection(cast):
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    duplicate = PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    coordinate(cast)
    duplicate.refresh_from_db()
    with pytest.raises(TransitionError):
        services.plan_entry_reinstate(entry=duplicate, actor=cast.coordinator, reason="   ")

    services.plan_entry_reinstate(entry=duplicate, actor=cast.coordinator, reason="different items this time")

    duplicate.refresh_from_db()
    assert duplicate.status == PlanEntry.Status.EXECUTED
    assert duplicate.inspection == Inspection.objects.get()
    assert duplicate.cut_reason == ""


def test_only_a_coordinator_can_override_a_cut(cast):
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    duplicate = PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    coordinate(cast)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.plan_entry_reinstate(entry=duplicate, actor=cast.market_officer, reason="mine")


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (PlanEntry.Status.DRAFT, "reinstate"),
        (PlanEntry.Status.EXECUTED, "submit"),
        (PlanEntry.Status.CUT, "withdraw"),
        (PlanEntry.Status.WITHDRAWN, "submit"),
        (PlanEntry.Status.EXECUTED, "cut"),
    ],
)
def test_illegal_plan_entry_moves_are_refused(cast, status, move):
    entry = PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    PlanEntry.objects.filter(pk=entry.pk).update(status=status)
    entry.refresh_from_db()
    calls = {
        "reinstate": lambda: services.plan_entry_reinstate(entry=entry, actor=cast.coordinator, reason="x"),
        "submit": lambda: services.plan_entry_submit(entry=entry, actor=cast.market_officer),
        "withdraw": lambda: services.plan_entry_withdraw(entry=entry, actor=cast.market_officer),
        "cut": lambda: services.plan_entry_cut(entry=entry, actor=cast.coordinator, reason="x"),
    }
    with pytest.raises(TransitionError):
        calls[move]()
    entry.refresh_from_db()
    assert entry.status == status


def test_a_department_cannot_plan_another_department_s_ordinary_item(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.plan_entry_create(
            department=cast.market,
            enterprise=cast.enterprise,
            items=[ItemFactory(department=cast.fire, simple=False)],
            month=MONTH,
            actor=cast.market_officer,
        )
    assert "items" in caught.value.message_dict


def test_an_officer_cannot_plan_for_another_department(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.plan_entry_create(
            department=cast.fire,
            enterprise=cast.enterprise,
            items=[ItemFactory(department=cast.fire)],
            month=MONTH,
            actor=officer(cast.market),
        )


def test_cancelling_an_inspection_cuts_its_entries_with_the_reason(cast):
    entry = PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    coordinate(cast)
    inspection = Inspection.objects.get()
    with pytest.raises(TransitionError):
        services.inspection_cancel(inspection=inspection, actor=cast.coordinator, reason="")
    services.inspection_cancel(inspection=inspection, actor=cast.coordinator, reason="enterprise closed down")
    entry.refresh_from_db()
    assert (entry.status, entry.cut_reason, entry.cut_note) == (
        PlanEntry.Status.CUT,
        PlanEntry.CutReason.INSPECTION_CANCELLED,
        "enterprise closed down",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinations_of_the_same_month_at_once_execute_each_entry_once(cast):
    enterprises = EnterpriseFactory.create_batch(8, region=cast.enterprise.region)
    for enterprise in enterprises:
        PlanEntryFactory(department=cast.market, enterprise=enterprise, actor=cast.market_officer)
        PlanEntryFactory(department=cast.fire, enterprise=enterprise, actor=cast.fire_officer)
        PlanEntryFactory(department=cast.fire, enterprise=enterprise, actor=cast.fire_officer)
    results = released_together([lambda: coordinate(cast)] * 2)

    assert not failures(results)
    assert Inspection.objects.count() == 8
    assert PlanEntry.objects.filter(status=PlanEntry.Status.EXECUTED).count() == 16
    assert PlanEntry.objects.filter(status=PlanEntry.Status.CUT).count() == 8
    from programs.models import AuditEntry

    assert (
        AuditEntry.objects.filter(content_type__model="planentry", field="status", new_value="executed").count() == 16
    )
    assert sum(Coordination.objects.values_list("executed", flat=True)) == 16
