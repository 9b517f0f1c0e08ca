"""Grids (网格): a grid manager (网格管家) sees only the enterprises of their grids, through the one scope rule,
in the API, the admin and every list with an enterprise; the services that lay grids out and assign people."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guidance import selectors as guidance_selectors
from guidance.models import Booking
from inspections import selectors as inspection_selectors
from inspections import services as inspection_services
from inspections.models import Finding
from programs import demo, grids
from programs.grid_selectors import grid_indicators
from programs.models import AuditEntry, Enterprise, Grid, GridAssignment, MicroGrid, Region, User
from programs.selectors import enterprise_list, scope
from tests.factories import EnterpriseFactory, UserFactory, grid_manager, region_tree
from tests.guidance.factories import BookingFactory
from tests.inspections.factories import InspectionFactory

pytestmark = pytest.mark.django_db


class Layout:
    """In the cast's village: grid A (micro-grids A1, A2) and grid B (B1), an enterprise in each micro-grid
    (the cast's in A1) and one in none; the manager of grid A."""

    def __init__(self, cast):
        boss = self.boss = cast.coordinator
        self.grid_a = grids.grid_create(community=cast.village, name="第一网格", code="G01", actor=boss)
        self.grid_b = grids.grid_create(community=cast.village, name="第二网格", code="G02", actor=boss)
        self.a1 = grids.micro_grid_create(grid=self.grid_a, name="微网格01", code="G01-01", actor=boss)
        self.a2 = grids.micro_grid_create(grid=self.grid_a, name="微网格02", code="G01-02", actor=boss)
        self.b1 = grids.micro_grid_create(grid=self.grid_b, name="微网格01", code="G02-01", actor=boss)
        self.in_a1, self.in_a2 = cast.enterprise, EnterpriseFactory(region=cast.village)
        self.in_b1, self.in_none = EnterpriseFactory(region=cast.village), EnterpriseFactory(region=cast.village)
        for enterprise, micro_grid in ((self.in_a1, self.a1), (self.in_a2, self.a2), (self.in_b1, self.b1)):
            grids.enterprise_micro_grid_assign(enterprise=enterprise, micro_grid=micro_grid, actor=boss)
        self.manager_a = grid_manager(self.grid_a, region=cast.county)


@pytest.fixture
def layout(cast):
    return Layout(cast)


def ids(rows) -> set[int]:
    return {row.pk for row in rows}


# --- The scope rule --------------------------------------------------------------------------------------


def test_a_grid_manager_sees_only_their_grids_enterprises(layout):
    assert ids(enterprise_list(user=layout.manager_a)) == {layout.in_a1.pk, layout.in_a2.pk}
    # Other staff of the region see them all, grids or not.
    every = {layout.in_a1.pk, layout.in_a2.pk, layout.in_b1.pk, layout.in_none.pk}
    assert every <= ids(enterprise_list(user=layout.boss))


def test_a_grid_manager_without_a_grid_sees_no_enterprise(cast, layout):
    assert not enterprise_list(user=cast.grid_manager).exists()


def test_a_grid_manager_of_two_micro_grids_sees_both(layout, cast):
    manager = grid_manager(layout.a2, layout.b1, region=cast.county)
    assert ids(enterprise_list(user=manager)) == {layout.in_a2.pk, layout.in_b1.pk}


def test_an_enterprise_moved_to_another_micro_grid_leaves_the_old_managers_view(layout):
    grids.enterprise_micro_grid_assign(enterprise=layout.in_a2, micro_grid=layout.b1, actor=layout.boss)
    assert ids(enterprise_list(user=layout.manager_a)) == {layout.in_a1.pk}
    entry = AuditEntry.objects.filter(action="enterprise.update", object_id=layout.in_a2.pk).latest("id")
    assert entry.data["micro_grid"] == [layout.a2.pk, layout.b1.pk]


def test_an_ended_assignment_ends_the_view_and_the_row_stays(layout):
    assignment = GridAssignment.objects.get(user=layout.manager_a)
    grids.grid_unassign(assignment=assignment, actor=layout.boss)
    grids.grid_unassign(assignment=assignment, actor=layout.boss)  # twice: nothing more
    assert not enterprise_list(user=layout.manager_a).exists()
    assert GridAssignment.objects.get(pk=assignment.pk).ended_at is not None
    assert AuditEntry.objects.filter(action="grid.unassign").count() == 1


def test_the_other_lists_with_an_enterprise_show_a_grid_manager_only_their_grids_rows(cast, layout):
    """Inspections, findings, grade changes, bookings: every list that goes through scope with an enterprise."""
    month = timezone.localdate().replace(day=1)
    mine = InspectionFactory(cast=cast, enterprise=layout.in_a1, month=month)
    other = InspectionFactory(cast=cast, enterprise=layout.in_b1, month=month)
    for inspection in (mine, other):
        inspection_services.finding_record(
            inspection=inspection,
            item=inspection.items.first(),
            severity=Finding.Severity.GENERAL,
            description="灭火器过期",
            deadline=timezone.localdate() + timedelta(days=10),
            actor=cast.market_officer,
        )
    bookings = [BookingFactory(), BookingFactory()]
    for booking, enterprise in zip(bookings, (layout.in_a2, layout.in_b1), strict=True):
        Booking.objects.filter(pk=booking.pk).update(enterprise=enterprise)
    manager = layout.manager_a
    assert ids(inspection_selectors.inspection_list(user=manager)) == {mine.pk}
    assert {f.inspection_id for f in inspection_selectors.finding_list(user=manager)} == {mine.pk}
    assert {c.enterprise_id for c in inspection_selectors.grade_change_list(user=manager)} <= {layout.in_a1.pk}
    assert ids(guidance_selectors.booking_list(user=manager)) == {bookings[0].pk}
    # The coordinator of the region sees both of each.
    assert {mine.pk, other.pk} <= ids(inspection_selectors.inspection_list(user=cast.coordinator))
    assert {b.pk for b in bookings} <= ids(guidance_selectors.booking_list(user=cast.coordinator))


def test_a_grid_manager_still_sees_only_their_regions_rows_without_an_enterprise(cast, layout):
    other = region_tree("330205", "江北区")
    visible = scope(Region.objects.all(), layout.manager_a, region="")
    assert visible.filter(pk=cast.village.pk).exists()
    assert not visible.filter(pk=other["village"].pk).exists()


# --- The services ----------------------------------------------------------------------------------------


def test_only_a_person_of_the_grid_manager_role_is_made_grid_manager(layout, cast):
    with pytest.raises(ValidationError) as refused:
        grids.grid_assign(
            user=cast.grid_worker, role=GridAssignment.Role.GRID_MANAGER, grid=layout.grid_b, actor=layout.boss
        )
    assert refused.value.error_dict["user"][0].code == "not_a_grid_manager"
    # As instructor, a grid worker is welcome.
    grids.grid_assign(user=cast.grid_worker, role=GridAssignment.Role.INSTRUCTOR, grid=layout.grid_b, actor=layout.boss)


def test_assigning_twice_is_one_assignment_with_one_audit_row(layout):
    again = grids.grid_assign(
        user=layout.manager_a, role=GridAssignment.Role.GRID_MANAGER, grid=layout.grid_a, actor=layout.boss
    )
    assert GridAssignment.objects.filter(user=layout.manager_a).count() == 1
    assert again.pk == GridAssignment.objects.get(user=layout.manager_a).pk
    assert AuditEntry.objects.filter(action="grid.assign", object_id=layout.grid_a.pk).count() == 1


def test_a_person_working_elsewhere_is_not_assigned(layout):
    elsewhere = UserFactory(role=User.Role.GRID_MANAGER, region=region_tree("330205", "江北区")["county"])
    with pytest.raises(ValidationError) as refused:
        grids.grid_assign(user=elsewhere, role=GridAssignment.Role.GRID_MANAGER, grid=layout.grid_a, actor=None)
    assert refused.value.error_dict["user"][0].code == "user_out_of_grid"


def test_grids_are_laid_out_by_coordinators_inside_their_area(cast, layout):
    with pytest.raises(PermissionDenied):
        grids.grid_create(community=cast.village, name="第三网格", code="G03", actor=layout.manager_a)
    elsewhere = region_tree("330205", "江北区")["village"]
    with pytest.raises(ValidationError) as refused:
        grids.grid_create(community=elsewhere, name="第一网格", code="G01", actor=cast.coordinator)
    assert refused.value.error_dict["community"][0].code == "region_out_of_scope"
    with pytest.raises(ValidationError) as refused:
        grids.grid_create(community=cast.regions["town"], name="街道网格", code="G09", actor=cast.coordinator)
    assert refused.value.error_dict["community"][0].code == "not_a_community"


def test_an_enterprise_goes_only_into_a_micro_grid_of_its_own_community(cast, layout):
    town = cast.regions["town"]
    other_village = Region.objects.create(code=town.code[:9] + "002", name="鄞州区二村", level="village", parent=town)
    grid = grids.grid_create(community=other_village, name="二村网格", code="G01", actor=cast.coordinator)
    there = grids.micro_grid_create(grid=grid, name="微网格01", code="G01-01", actor=cast.coordinator)
    with pytest.raises(ValidationError) as refused:
        grids.enterprise_micro_grid_assign(enterprise=layout.in_none, micro_grid=there, actor=cast.coordinator)
    assert refused.value.error_dict["micro_grid"][0].code == "micro_grid_other_community"
    assert Enterprise.objects.get(pk=layout.in_none.pk).micro_grid is None


def test_an_officer_cannot_put_an_enterprise_into_another_areas_micro_grid(cast, layout):
    jiangbei = region_tree("330205", "江北区")
    outsider = UserFactory(role=User.Role.COORDINATOR, region=jiangbei["county"])
    with pytest.raises(ValidationError) as refused:
        grids.enterprise_micro_grid_assign(enterprise=layout.in_none, micro_grid=layout.a1, actor=outsider)
    assert refused.value.error_dict["micro_grid"][0].code == "micro_grid_out_of_scope"


# --- The demo: the 118 工业社区 --------------------------------------------------------------------------


def test_the_demo_has_the_118_communitys_grids_and_runs_twice_to_the_same_records():
    demo.seed()
    counts = (
        Grid.objects.count(),
        MicroGrid.objects.count(),
        GridAssignment.objects.count(),
        AuditEntry.objects.count(),
    )
    demo.seed()
    assert counts == (
        Grid.objects.count(),
        MicroGrid.objects.count(),
        GridAssignment.objects.count(),
        AuditEntry.objects.count(),
    )
    community = Region.objects.get(name="118工业社区")
    assert (community.parent.name, community.parent.parent.name, community.level) == ("前江街道", "江北区", "village")
    figures = grid_indicators(user=User.objects.get(username="coordinator"))
    assert (figures["grids"], figures["micro_grids"], figures["key_enterprises_assigned"]) == (5, 77, 164)
    manager = User.objects.get(username="gridmanager")
    assert {e.micro_grid.grid.name for e in enterprise_list(user=manager)} == {"第一网格"}
    assert enterprise_list(user=manager).count() == 42  # 16 micro-grids, ten of them with a third key enterprise
