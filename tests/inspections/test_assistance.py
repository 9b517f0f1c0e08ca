"""Joint assistance (联合帮扶): a rectification problem crossing departments, opened from a finding, its tasks done
by their owners in two departments, closed by the lead (not by a participant), seen by the enterprise."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inspections import services
from inspections.models import AssistanceCase, AssistanceTask
from inspections.request_selectors import assistance_indicators, assistance_list
from programs.models import AuditEntry, Enterprise, Notification
from tests.factories import DepartmentFactory, EnterpriseFactory, enterprise_user, officer, region_tree

from .factories import InspectionFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(cast):
    inspection = InspectionFactory(cast=cast)
    return services.finding_record(
        inspection=inspection,
        item=inspection.items.first(),
        severity="general",
        description="厂区消防通道被临时堆放的原料占用，需协调用地",
        deadline=timezone.localdate() + timedelta(days=20),
        actor=cast.market_officer,
    )


def _open(cast, finding, **more):
    fields = {"lead_department": cast.market, "departments": [cast.fire], "actor": cast.market_officer, **more}
    return services.assistance_open(
        finding=finding,
        title="消防通道与原料堆场整改",
        problem="原料无处堆放，消防通道被占，需市场监管与消防联合帮扶",
        target_on=timezone.localdate() + timedelta(days=30),
        **fields,
    )


def test_a_case_opened_from_a_finding_is_solved_by_two_departments_and_closed_by_its_lead(cast, finding, client):
    case = _open(cast, finding)
    assert (case.enterprise, case.finding, case.lead_department) == (cast.enterprise, finding, cast.market)
    assert list(case.departments.all()) == [cast.fire]
    week = timezone.localdate() + timedelta(days=7)
    market_task = services.assistance_task_add(
        case=case,
        department=cast.market,
        owner=cast.market_officer,
        title="指导原料规范堆放",
        deadline=week,
        actor=cast.market_officer,
    )
    fire_task = services.assistance_task_add(
        case=case,
        department=cast.fire,
        owner=cast.fire_officer,
        title="现场核查消防通道",
        deadline=week,
        actor=cast.market_officer,
    )
    assert Notification.objects.filter(
        recipient=cast.fire_officer, dedupe_key__endswith=f"task:{fire_task.pk}:reminder"
    )
    with pytest.raises(PermissionDenied):  # only the owner marks a task done
        services.assistance_task_done(task=fire_task, actor=cast.market_officer)
    with pytest.raises(ValidationError) as refused:  # not before every task is done
        services.assistance_close(case=case, resolution="已解决", actor=cast.market_officer)
    assert refused.value.code == "tasks_open"
    services.assistance_task_done(task=market_task, actor=cast.market_officer, note="已划定堆放区")
    services.assistance_task_done(task=fire_task, actor=cast.fire_officer, note="通道已畅通")
    assert not Notification.objects.filter(
        dedupe_key__contains=":reminder", status="pending", recipient=cast.fire_officer
    )

    with pytest.raises(PermissionDenied):  # a participant does not close it
        services.assistance_close(case=case, resolution="已解决", actor=cast.fire_officer)
    solved = services.assistance_close(
        case=case, resolution="划定原料堆放区，消防通道恢复畅通", actor=cast.market_officer
    )
    assert (solved.status, solved.closed_by) == (AssistanceCase.Status.SOLVED, cast.market_officer)
    assert AuditEntry.objects.filter(object_id=case.pk, action="assistance.close", new_value="solved").count() == 1
    assert set(AssistanceTask.objects.values_list("status", flat=True)) == {"done"}

    # The enterprise sees it in its area: the case, the tasks, the resolution; another enterprise does not.
    client.force_login(cast.enterprise_user)
    listing = client.get("/inspections/mine/requests/")
    assert "消防通道与原料堆场整改" in listing.text
    page = client.get(f"/inspections/mine/assistance/{case.pk}/")
    assert page.status_code == 200
    for shown in ("现场核查消防通道", "划定原料堆放区，消防通道恢复畅通", cast.fire.name):
        assert shown in page.text
    assert "/inspections/mine/requests/" in client.get("/enterprise/").text
    client.force_login(enterprise_user(EnterpriseFactory(region=cast.village)))
    assert client.get(f"/inspections/mine/assistance/{case.pk}/").status_code == 404

    today = timezone.localdate()
    figures = assistance_indicators(user=cast.coordinator, region=None, start=today, end=today)
    assert figures == {"opened": 1, "solved": 1, "open": 0, "tasks_overdue": 0}


def test_a_case_crosses_departments(cast, finding):
    with pytest.raises(ValidationError) as refused:
        services.assistance_open(
            finding=finding,
            title="t",
            problem="p",
            lead_department=cast.market,
            departments=[cast.market],
            target_on=timezone.localdate(),
            actor=cast.market_officer,
        )
    assert refused.value.error_dict["departments"][0].code == "needs_participants"


def test_only_the_lead_department_or_a_coordinator_opens_a_case(cast, finding):
    with pytest.raises(PermissionDenied):
        services.assistance_open(
            finding=finding,
            title="t",
            problem="p",
            lead_department=cast.market,
            departments=[cast.fire],
            target_on=timezone.localdate(),
            actor=cast.fire_officer,
        )
    case = services.assistance_open(
        finding=finding,
        title="t",
        problem="p",
        lead_department=cast.market,
        departments=[cast.fire],
        target_on=timezone.localdate(),
        actor=cast.coordinator,
    )
    assert case.opened_by == cast.coordinator


def test_a_task_goes_to_an_officer_of_a_department_taking_part(cast, finding):
    case = _open(cast, finding)
    other = ItemFactory().department  # a department not taking part
    deadline = timezone.localdate() + timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        services.assistance_task_add(
            case=case,
            department=other,
            owner=cast.fire_officer,
            title="x",
            deadline=deadline,
            actor=cast.market_officer,
        )
    assert refused.value.error_dict["department"][0].code == "not_taking_part"
    with pytest.raises(ValidationError) as refused:
        services.assistance_task_add(
            case=case,
            department=cast.fire,
            owner=cast.market_officer,
            title="x",
            deadline=deadline,
            actor=cast.market_officer,
        )
    assert refused.value.error_dict["owner"][0].code == "not_an_officer"
    with pytest.raises(PermissionDenied):  # a participant does not set the tasks
        services.assistance_task_add(
            case=case,
            department=cast.fire,
            owner=cast.fire_officer,
            title="x",
            deadline=deadline,
            actor=cast.fire_officer,
        )


def test_a_case_opened_from_a_request_or_an_observation_period_is_the_enterprise_s(cast, finding):
    filed = services.request_file(
        enterprise=cast.enterprise,
        actor=cast.enterprise_user,
        category="infrastructure",
        title="道路",
        description="施工",
    )
    case = _open(cast, None, request=filed)
    assert (case.enterprise, case.request) == (cast.enterprise, filed)
    assert list(assistance_list(user=cast.fire_officer)) == [case]  # a participant sees it
    assert list(assistance_list(user=cast.enterprise_user)) == [case]
    assert list(assistance_list(user=enterprise_user(EnterpriseFactory(region=cast.village)))) == []


def test_a_case_opened_from_an_observation_period_follows_its_finding(cast, finding):
    Enterprise.objects.filter(pk=cast.enterprise.pk).update(is_four_new=True)
    finding.enterprise.refresh_from_db()
    period = services.observation_open(finding=finding, days=30, actor=cast.market_officer)
    case = _open(cast, None, observation_period=period)
    assert (case.enterprise, case.finding, case.observation_period) == (cast.enterprise, finding, period)
    with pytest.raises(ValidationError) as refused:
        _open(cast, finding, observation_period=period)
    assert refused.value.code == "one_source"


def test_a_case_takes_only_departments_of_the_actor_s_area(cast, finding):
    far_away = DepartmentFactory(region=region_tree("330203", "海曙区")["county"])
    for lead, departments, named in (
        (far_away, [cast.fire], "lead_department"),
        (cast.market, [far_away], "departments"),
    ):
        with pytest.raises(ValidationError) as refused:
            _open(cast, finding, lead_department=lead, departments=departments, actor=cast.coordinator)
        assert refused.value.error_dict[named][0].code == "out_of_area"
    assert not AssistanceCase.objects.exists()


def test_no_task_is_added_to_a_case_closed_meanwhile(cast, finding):
    case = _open(cast, finding)
    services.assistance_cancel(case=AssistanceCase.objects.get(pk=case.pk), reason="重复立案", actor=cast.coordinator)
    with pytest.raises(ValidationError) as refused:  # ``case`` was read while it was still open
        services.assistance_task_add(
            case=case,
            department=cast.fire,
            owner=cast.fire_officer,
            title="核查",
            deadline=timezone.localdate() + timedelta(days=3),
            actor=cast.market_officer,
        )
    assert refused.value.code == "case_closed"
    assert not AssistanceTask.objects.filter(case=case).exists()


def test_an_officer_s_assistance_figures_count_their_department_s_list(cast, finding):
    _open(cast, finding)
    bystander = officer(DepartmentFactory(region=cast.county))  # a department of the county not taking part
    today = timezone.localdate()
    for user in (cast.market_officer, cast.fire_officer, bystander, cast.coordinator):
        figures = assistance_indicators(user=user, region=None, start=today, end=today)
        assert figures["opened"] == figures["open"] == assistance_list(user=user).count(), user
    assert assistance_list(user=bystander).count() == 0
