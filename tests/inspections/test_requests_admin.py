"""The staff admin of requests and joint assistance: every change through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections import services
from inspections.models import AssistanceCase, AssistanceTask, EnterpriseRequest, RequestRoute
from tests.factories import EnterpriseFactory, MicroGridFactory, grid_manager

from .factories import InspectionFactory

pytestmark = pytest.mark.django_db


def management(page) -> dict:
    """The management forms of the page's inlines, as the browser sends them back."""
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        form = inline.formset.management_form
        data.update({f"{form.prefix}-{name}": form[name].value() or 0 for name in form.fields})
    return data


def test_a_grid_manager_files_in_the_admin_for_an_enterprise_of_their_grid_only(cast, client):
    RequestRoute.objects.create(region=cast.village, category="", department=cast.fire)
    mine, other = MicroGridFactory(grid__community=cast.village), MicroGridFactory(grid__community=cast.village)
    manager = grid_manager(mine, region=cast.county, is_staff=True)
    inside = EnterpriseFactory(region=cast.village, micro_grid=mine)
    outside = EnterpriseFactory(region=cast.village, micro_grid=other)
    client.force_login(manager)
    url = "/admin/inspections/enterpriserequest/add/"
    form = {
        "category": "policy",
        "title": "人才政策",
        "description": "咨询",
        "channel": "grid",
        **management(client.get(url)),
    }
    done = client.post(url, {**form, "enterprise": inside.pk})
    assert done.status_code == 302, done.content[:2000]
    assert EnterpriseRequest.objects.get().filed_by == manager
    refused = client.post(url, {**form, "enterprise": outside.pk})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors["enterprise"]
    assert EnterpriseRequest.objects.count() == 1


def test_the_lead_sets_tasks_their_owners_mark_them_done_and_the_lead_closes(cast, client):
    inspection = InspectionFactory(cast=cast)
    finding = services.finding_record(
        inspection=inspection,
        item=inspection.items.first(),
        severity="general",
        description="堆场占用通道",
        deadline=timezone.localdate() + timedelta(days=10),
        actor=cast.market_officer,
    )
    case = services.assistance_open(
        finding=finding,
        title="联合整改",
        problem="跨部门",
        lead_department=cast.market,
        departments=[cast.fire],
        target_on=timezone.localdate() + timedelta(days=20),
        actor=cast.market_officer,
    )
    for user in (cast.market_officer, cast.fire_officer):
        user.is_staff = True
        user.save()
    url = f"/admin/inspections/assistancecase/{case.pk}/change/"
    client.force_login(cast.market_officer)
    data = management(client.get(url))
    task = {"tasks-0-department": cast.fire.pk, "tasks-0-owner": cast.fire_officer.pk, "tasks-0-title": "核查通道"}
    saved = client.post(url, {**data, **task, "tasks-0-deadline": timezone.localdate().isoformat(), "resolution": ""})
    assert saved.status_code == 302
    added = AssistanceTask.objects.get()
    assert (added.owner, added.department) == (cast.fire_officer, cast.fire)

    tasks = "/admin/inspections/assistancetask/"
    client.force_login(cast.market_officer)  # not the owner: refused by row
    client.post(tasks, {"action": "action_task_done", "_selected_action": [added.pk], "apply": "1", "reason": "好"})
    assert AssistanceTask.objects.get().status == "open"
    client.force_login(cast.fire_officer)
    client.post(tasks, {"action": "action_task_done", "_selected_action": [added.pk], "apply": "1", "reason": "已畅通"})
    assert AssistanceTask.objects.get().status == "done"

    # A participant's change page shows the resolution read-only; the lead records it and the case is solved.
    assert "resolution" not in client.get(url).context["adminform"].form.fields
    client.force_login(cast.market_officer)
    page = client.get(url)
    closed = client.post(url, {**management(page), "resolution": "通道已恢复畅通"})
    assert closed.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_by) == (AssistanceCase.Status.SOLVED, cast.market_officer)


@pytest.mark.parametrize(
    "query",
    [
        "answered_on_time__exact=1&answered_at__date__gte=2026-01-01",
        "rating__gte=4&rated_at__date__lte=2026-12-31",
        "status__in=submitted,in_progress&due_at__lt=2026-12-02T00:00:00%2B08:00",  # a time, as the figure links
        "channel__in=grid,phone,visit",
        "escalated_at__date__gte=2026-01-01",
    ],
)
def test_the_dashboard_lists_of_requests_open(cast, client, query):
    client.force_login(cast.coordinator)
    page = client.get(f"/admin/inspections/enterpriserequest/?{query}")
    assert page.status_code == 200  # a filter the list does not know redirects with ?e=1
