"""Roles on every API view, the admin pages for coordinators and officers, and the actions that call services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections import api as inspections_api
from inspections import services
from inspections.models import Inspection, PlanEntry
from programs.models import Grade
from programs.rest import HasRole
from tests.factories import EnterpriseFactory

from .factories import MONTH, InspectionFactory, PlanEntryFactory

pytestmark = pytest.mark.django_db

VIEWS = [
    inspections_api.ItemViewSet,
    inspections_api.PlanEntryViewSet,
    inspections_api.CoordinationViewSet,
    inspections_api.InspectionViewSet,
    inspections_api.FindingViewSet,
    inspections_api.ObservationPeriodViewSet,
    inspections_api.GradeChangeViewSet,
    inspections_api.GradePolicyViewSet,
    inspections_api.DueEnterpriseViewSet,
    inspections_api.InspectionIndicatorView,
    inspections_api.GradeIndicatorView,
]


@pytest.mark.parametrize("view", VIEWS)
def test_every_inspections_view_declares_its_roles(view):
    assert view.permission_classes == [HasRole]
    assert "read_roles" in vars(view) and "allowed_roles" in vars(view)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/inspections/inspection/",
        "/admin/inspections/planentry/",
        "/admin/inspections/finding/",
        "/admin/inspections/gradedenterprise/?grade__exact=yellow",
        "/admin/inspections/gradechange/",
        "/admin/inspections/gradepolicy/",
        "/admin/inspections/inspectionitem/",
        "/admin/inspections/observationperiod/",
    ],
)
def test_admin_lists_open_for_coordinators_and_officers(cast, client, url):
    InspectionFactory(cast=cast)
    for user in (cast.coordinator, cast.market_officer):
        client.force_login(user)
        assert client.get(url).status_code == 200, (url, user.role)


def test_an_officer_sees_only_inspections_of_their_department_in_the_admin(cast, client):
    InspectionFactory(cast=cast)
    client.force_login(cast.fire_officer)
    assert cast.enterprise.name not in client.get("/admin/inspections/inspection/").content.decode()
    client.force_login(cast.market_officer)
    assert cast.enterprise.name in client.get("/admin/inspections/inspection/").content.decode()
    client.force_login(cast.fire_officer)
    page = client.get(f"/admin/inspections/inspection/{Inspection.objects.get().pk}/change/")
    assert page.status_code == 302  # not in their scope: the admin sends them back


def test_the_grade_admin_shows_coloured_badges(cast, client):
    EnterpriseFactory(grade=Grade.RED)
    client.force_login(cast.coordinator)
    assert 'class="badge red"' in client.get("/admin/inspections/gradedenterprise/").content.decode()


def test_cancelling_from_the_admin_asks_for_a_reason_and_calls_the_service(cast, client):
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, actor=cast.market_officer)
    services.month_coordinate(region=cast.enterprise.region, month=MONTH, actor=cast.coordinator)
    inspection = Inspection.objects.get()
    client.force_login(cast.coordinator)
    url = "/admin/inspections/inspection/"
    asked = client.post(url, {"action": "cancel", "_selected_action": [inspection.pk]})
    assert asked.status_code == 200 and "reason" in asked.content.decode()
    client.post(url, {"action": "cancel", "_selected_action": [inspection.pk], "apply": "1", "reason": "企业已停业"})
    inspection.refresh_from_db()
    assert (inspection.status, inspection.cancel_reason) == (Inspection.Status.CANCELLED, "企业已停业")
    assert PlanEntry.objects.get().cut_reason == PlanEntry.CutReason.INSPECTION_CANCELLED


def test_coordinating_from_the_admin_queues_the_month(cast, client, django_capture_on_commit_callbacks):
    entry = PlanEntryFactory(
        department=cast.market,
        enterprise=cast.enterprise,
        month=timezone.localdate().replace(day=1) + timedelta(days=40),
        actor=cast.market_officer,
    )
    client.force_login(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/inspections/planentry/", {"action": "coordinate_month", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.status == PlanEntry.Status.EXECUTED
