"""The year plan (年计划): drafted and submitted by a department, approved by its head (never by its submitter),
published into the months' coordination (月安排); what is executed and cut traces back to it, and the year's
figures are the same counted over the year or month by month."""

import calendar
import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from inspections import selectors, services
from inspections.models import GradePolicy, Inspection, PlanEntry, YearPlan
from inspections.services import plans as plan_services
from programs import imports
from programs.audit import audit_history
from programs.models import Grade
from programs.services import TransitionError
from tests.factories import EnterpriseFactory, officer

from .factories import ItemFactory, PlanEntryFactory

pytestmark = pytest.mark.django_db

YEAR = 2024


@pytest.fixture
def cast(cast):
    """The market department gets a head: an officer other than ``market_officer``, who drafts and submits."""
    cast.head = officer(cast.market)
    cast.market.head = cast.head
    cast.market.full_clean()
    cast.market.save()
    cast.market_item = ItemFactory(department=cast.market)
    cast.fire_item = ItemFactory(department=cast.fire)
    # No green enterprise is sampled: every green one is left alone (the sample otherwise depends on ids).
    GradePolicy.objects.filter(grade=Grade.GREEN).update(sampling_percent=0)
    return cast


def draft_plan(cast, months=(1, 6), enterprises=None):
    plan = plan_services.year_plan_create(department=cast.market, year=YEAR, actor=cast.market_officer)
    for month in months:
        for enterprise in enterprises or [cast.enterprise]:
            services.plan_entry_create(
                department=cast.market,
                enterprise=enterprise,
                items=[cast.market_item],
                month=date(YEAR, month, 1),
                actor=cast.market_officer,
                year_plan=plan,
            )
    return plan


def published_plan(cast, **kwargs):
    plan = draft_plan(cast, **kwargs)
    plan = plan_services.year_plan_submit(plan=plan, actor=cast.market_officer)
    plan = plan_services.year_plan_approve(plan=plan, actor=cast.head)
    return plan_services.year_plan_publish(plan=plan, actor=cast.head)


def coordinate(cast, month):
    return services.month_coordinate(region=cast.county, month=date(YEAR, month, 1), actor=cast.coordinator)


def test_a_department_drafts_submits_the_head_approves_and_publishes(cast):
    plan = draft_plan(cast)
    entries = list(plan.entries.order_by("month"))
    assert [e.status for e in entries] == [PlanEntry.Status.DRAFT] * 2

    plan = plan_services.year_plan_submit(plan=plan, actor=cast.market_officer)
    assert (plan.status, plan.submitted_by) == (YearPlan.Status.SUBMITTED, cast.market_officer)
    plan = plan_services.year_plan_approve(plan=plan, actor=cast.head)
    assert (plan.status, plan.approved_by) == (YearPlan.Status.APPROVED, cast.head)
    assert plan.approved_at is not None
    # Approved is not yet published: nothing reaches the months' coordination.
    assert not PlanEntry.objects.filter(status=PlanEntry.Status.SUBMITTED).exists()

    plan = plan_services.year_plan_publish(plan=plan, actor=cast.head)
    assert plan.status == YearPlan.Status.PUBLISHED
    for entry in plan.entries.all():
        assert (entry.status, entry.submitted_at) == (PlanEntry.Status.SUBMITTED, plan.published_at)
        assert audit_history(entry).first().new_value == PlanEntry.Status.SUBMITTED
    history = [(a.field, a.old_value, a.new_value, a.actor) for a in reversed(audit_history(plan))]
    assert history == [
        ("created", "", "draft", cast.market_officer),
        ("status", "draft", "submitted", cast.market_officer),
        ("status", "submitted", "approved", cast.head),
        ("status", "approved", "published", cast.head),
    ]


def test_only_the_department_head_approves_and_never_the_submitter(cast):
    plan = plan_services.year_plan_submit(plan=draft_plan(cast), actor=cast.market_officer)
    for someone in (cast.market_officer, cast.fire_officer, cast.coordinator, officer(cast.market)):
        with pytest.raises(PermissionDenied):
            plan_services.year_plan_approve(plan=plan, actor=someone)
    # The head who submits the plan themselves cannot approve it either.
    plan = plan_services.year_plan_return(plan=plan, actor=cast.head, reason="补充六月")
    plan = plan_services.year_plan_submit(plan=plan, actor=cast.head)
    with pytest.raises(PermissionDenied):
        plan_services.year_plan_approve(plan=plan, actor=cast.head)
    plan.refresh_from_db()
    assert plan.status == YearPlan.Status.SUBMITTED


def test_a_head_moved_to_another_department_decides_nothing_on_the_old_ones_plan(cast):
    plan = plan_services.year_plan_submit(plan=draft_plan(cast), actor=cast.market_officer)
    cast.head.department = cast.fire  # moved; the market department has not named its new head yet
    cast.head.save()
    with pytest.raises(PermissionDenied):
        plan_services.year_plan_approve(plan=plan, actor=cast.head)
    with pytest.raises(PermissionDenied):
        plan_services.year_plan_return(plan=plan, actor=cast.head, reason="已调岗")
    plan.refresh_from_db()
    assert plan.status == YearPlan.Status.SUBMITTED


def test_the_head_returns_with_a_reason_and_the_department_amends_and_resubmits(cast):
    plan = plan_services.year_plan_submit(plan=draft_plan(cast, months=(1,)), actor=cast.market_officer)
    with pytest.raises(ValidationError) as closed:
        services.plan_entry_create(
            department=cast.market,
            enterprise=cast.enterprise,
            items=[cast.market_item],
            month=date(YEAR, 3, 1),
            actor=cast.market_officer,
            year_plan=plan,
        )
    assert closed.value.error_dict["year_plan"][0].code == "year_plan_closed"
    with pytest.raises(TransitionError) as no_reason:
        plan_services.year_plan_return(plan=plan, actor=cast.head, reason=" ")
    assert "reason" in no_reason.value.error_dict

    plan = plan_services.year_plan_return(plan=plan, actor=cast.head, reason="三月漏报")
    assert (plan.status, plan.return_reason) == (YearPlan.Status.RETURNED, "三月漏报")
    services.plan_entry_create(
        department=cast.market,
        enterprise=cast.enterprise,
        items=[cast.market_item],
        month=date(YEAR, 3, 1),
        actor=cast.market_officer,
        year_plan=plan,
    )
    plan = plan_services.year_plan_submit(plan=plan, actor=cast.market_officer)
    assert (plan.status, plan.return_reason, plan.entries.count()) == (YearPlan.Status.SUBMITTED, "", 2)
    assert audit_history(plan).filter(new_value="returned", reason="三月漏报").exists()


def test_a_plan_takes_only_its_departments_entries_of_its_year_and_its_entries_wait_for_publication(cast):
    plan = draft_plan(cast, months=(2,))
    with pytest.raises(ValidationError) as other_year:
        services.plan_entry_create(
            department=cast.market,
            enterprise=cast.enterprise,
            items=[cast.market_item],
            month=date(YEAR + 1, 1, 1),
            actor=cast.market_officer,
            year_plan=plan,
        )
    assert other_year.value.error_dict["month"][0].code == "other_year"
    with pytest.raises(PermissionDenied):
        plan_services.year_plan_create(department=cast.market, year=YEAR + 1, actor=cast.fire_officer)
    with pytest.raises(ValidationError) as twice:
        plan_services.year_plan_create(department=cast.market, year=YEAR, actor=cast.market_officer)
    assert twice.value.error_dict["year"][0].code == "exists"
    with pytest.raises(TransitionError) as alone:
        services.plan_entry_submit(entry=plan.entries.get(), actor=cast.market_officer)
    assert alone.value.code == "in_year_plan"
    empty = plan_services.year_plan_create(department=cast.fire, year=YEAR, actor=cast.fire_officer)
    with pytest.raises(ValidationError) as nothing:
        plan_services.year_plan_submit(plan=empty, actor=cast.fire_officer)
    assert nothing.value.code == "year_plan_empty"


def test_a_published_plan_feeds_its_months_coordination_and_the_results_trace_back(cast):
    second = EnterpriseFactory(region=cast.village, grade=Grade.GREEN)
    plan = published_plan(cast, months=(1, 6), enterprises=[cast.enterprise, second])
    # Another department's entry outside any year plan, for the same enterprise and month: one joint inspection.
    outside = PlanEntryFactory(
        department=cast.fire, enterprise=cast.enterprise, items=[cast.fire_item], month=date(YEAR, 6, 1)
    )

    june = coordinate(cast, 6)

    assert (june.executed, june.cut) == (2, 1)  # the green enterprise is left alone
    inspection = Inspection.objects.get(month=date(YEAR, 6, 1))
    assert inspection.is_joint
    planned_june = plan.entries.get(month=date(YEAR, 6, 1), enterprise=cast.enterprise)
    assert (planned_june.status, planned_june.inspection) == (PlanEntry.Status.EXECUTED, inspection)
    outside.refresh_from_db()
    assert (outside.status, outside.year_plan) == (PlanEntry.Status.EXECUTED, None)
    assert plan.entries.get(month=date(YEAR, 6, 1), enterprise=second).cut_reason == PlanEntry.CutReason.LEAVE_ALONE

    months = {row["month"].month: row for row in selectors.year_plan_months(plan)}
    assert len(months) == 12
    assert months[1] == {
        "month": date(YEAR, 1, 1),
        "entries": 2,
        "planned": 2,
        "pending": 2,
        "executed": 0,
        "cut": 0,
        "coordination_rate": 0.0,
        "reduction_rate": 0.0,
    }
    assert (months[6]["planned"], months[6]["executed"], months[6]["cut"], months[6]["pending"]) == (2, 1, 1, 0)
    assert (months[6]["coordination_rate"], months[6]["reduction_rate"]) == (50.0, 50.0)
    assert months[3]["planned"] == 0 and months[3]["coordination_rate"] is None


def _figures(row):
    return {key: row[key] for key in ("planned", "pending", "executed", "cut")}


def test_the_years_figures_are_the_same_counted_over_the_year_and_month_by_month(cast):
    others = EnterpriseFactory.create_batch(3, region=cast.village)
    green = EnterpriseFactory(region=cast.village, grade=Grade.GREEN)
    market_plan = published_plan(cast, months=(1, 4, 7, 10, 12), enterprises=[cast.enterprise, others[0], green])
    fire_plan = plan_services.year_plan_create(department=cast.fire, year=YEAR, actor=cast.fire_officer)
    fire_head = officer(cast.fire)
    cast.fire.head = fire_head
    cast.fire.save()
    for month in (4, 7, 9):
        for enterprise in (cast.enterprise, others[1]):
            services.plan_entry_create(
                department=cast.fire,
                enterprise=enterprise,
                items=[cast.fire_item],
                month=date(YEAR, month, 1),
                actor=cast.fire_officer,
                year_plan=fire_plan,
            )
    fire_plan = plan_services.year_plan_submit(plan=fire_plan, actor=cast.fire_officer)
    fire_plan = plan_services.year_plan_approve(plan=fire_plan, actor=fire_head)
    plan_services.year_plan_publish(plan=fire_plan, actor=cast.coordinator)  # a coordinator may publish too
    # Outside the plans: a duplicate of a planned entry (cut), and an entry of its own.
    PlanEntryFactory(
        department=cast.market, enterprise=cast.enterprise, items=[cast.market_item], month=date(YEAR, 4, 1)
    )
    PlanEntryFactory(department=cast.fire, enterprise=others[2], items=[cast.fire_item], month=date(YEAR, 9, 1))
    # A draft outside any plan, and next year's plan not published yet, count nowhere.
    unpublished = plan_services.year_plan_create(department=cast.market, year=YEAR + 1, actor=cast.market_officer)
    services.plan_entry_create(
        department=cast.market,
        enterprise=cast.enterprise,
        items=[cast.market_item],
        month=date(YEAR, 5, 1),
        actor=cast.market_officer,
    )
    assert unpublished.entries.count() == 0
    for month in (1, 4, 7, 9):  # October and December are left pending
        coordinate(cast, month)
    entry = PlanEntry.objects.filter(year_plan=market_plan, month=date(YEAR, 10, 1)).first()
    services.plan_entry_cut(entry=entry, actor=cast.coordinator, reason="企业停业")

    year = selectors.inspection_indicators(user=cast.coordinator, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))
    by_month = [
        selectors.inspection_indicators(
            user=cast.coordinator, start=date(YEAR, m, 1), end=date(YEAR, m, calendar.monthrange(YEAR, m)[1])
        )
        for m in range(1, 13)
    ]
    totals = {
        key: sum(month["year_plan"][key] for month in by_month) for key in ("planned", "pending", "executed", "cut")
    }
    assert _figures(year["year_plan"]) == totals
    assert year["year_plan"]["outside_plan"] == sum(month["year_plan"]["outside_plan"] for month in by_month) == 2
    assert _figures(year["year_plan"]) == {"planned": 21, "pending": 5, "executed": 12, "cut": 4}
    assert year["year_plan"]["coordination_rate"] == selectors.percent(totals["executed"], totals["planned"])
    assert year["year_plan"]["reduction_rate"] == selectors.percent(totals["cut"], totals["planned"])
    # The plan entries' own figures: every submitted entry is in a plan or outside one.
    assert year["plan_entries"]["submitted"] == year["year_plan"]["planned"] + year["year_plan"]["outside_plan"]

    # Per department: over the year, month by month, and from the year plan itself.
    departments = {row["department"]: row for row in year["year_plan"]["departments"]}
    assert set(departments) == {cast.market.pk, cast.fire.pk}
    for plan in (market_plan, fire_plan):
        monthly = [
            next((row for row in month["year_plan"]["departments"] if row["department"] == plan.department_id), None)
            for month in by_month
        ]
        summed = {key: sum(row[key] for row in monthly if row) for key in ("planned", "pending", "executed", "cut")}
        from_plan = {key: sum(row[key] for row in selectors.year_plan_months(plan)) for key in summed}
        assert _figures(departments[plan.department_id]) == summed == from_plan
    assert _figures(departments[cast.fire.pk]) == {"planned": 6, "pending": 0, "executed": 6, "cut": 0}

    # The officer sees the same figures for their own department.
    own = selectors.inspection_indicators(user=cast.market_officer, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))
    assert [row["department"] for row in own["year_plan"]["departments"]] == [cast.market.pk]
    assert _figures(own["year_plan"]) == _figures(departments[cast.market.pk])


def test_the_plan_import_fills_a_drafted_year_plan(cast):
    plan = plan_services.year_plan_create(department=cast.market, year=YEAR, actor=cast.market_officer)
    second = EnterpriseFactory(region=cast.village)
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "月份", "检查事项编码", "方式", "年计划"])
    sheet.append([cast.enterprise.credit_code, f"{YEAR}-03", cast.market_item.code, "现场", "是"])
    sheet.append([second.credit_code, f"{YEAR}-05", cast.market_item.code, "非现场", "是"])
    sheet.append([second.credit_code, f"{YEAR + 1}-05", cast.market_item.code, "现场", "是"])
    content = io.BytesIO()
    book.save(content)
    refused = imports.import_job_create(
        kind="plan_entries", uploaded=SimpleUploadedFile("plan.xlsx", content.getvalue()), actor=cast.market_officer
    )
    assert refused.status == "invalid"
    assert [(e["row"], e["column"]) for e in refused.errors] == [(4, "年计划")]

    sheet.delete_rows(4)
    content = io.BytesIO()
    book.save(content)
    job = imports.import_job_create(
        kind="plan_entries", uploaded=SimpleUploadedFile("plan.xlsx", content.getvalue()), actor=cast.market_officer
    )
    assert job.status == "validated", job.errors
    imports.import_job_confirm(job=job, actor=cast.market_officer)
    entries = plan.entries.order_by("month")
    assert [(e.month.month, e.status, e.mode) for e in entries] == [
        (3, PlanEntry.Status.DRAFT, PlanEntry.Mode.ON_SITE),
        (5, PlanEntry.Status.DRAFT, PlanEntry.Mode.OFF_SITE),
    ]


def test_the_year_plan_api_flow(cast, api_as):
    officer_api, head_api = api_as(cast.market_officer), api_as(cast.head)
    created = officer_api.post("/api/v1/year-plans/", {"year": YEAR}, format="json")
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert (plan["department"], plan["status"], plan["head"]) == (cast.market.pk, "draft", cast.head.pk)
    body = {
        "month": f"{YEAR}-03-01",
        "year_plan": plan["id"],
        "entries": [{"enterprise": cast.enterprise.pk, "items": [cast.market_item.pk]}],
    }
    assert officer_api.post("/api/v1/plan-entries/submit-month/", body, format="json").status_code == 201
    assert officer_api.post(f"/api/v1/year-plans/{plan['id']}/submit/").json()["status"] == "submitted"

    refused = officer_api.post(f"/api/v1/year-plans/{plan['id']}/approve/")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    no_reason = head_api.post(f"/api/v1/year-plans/{plan['id']}/return/", {"reason": ""}, format="json")
    assert (no_reason.status_code, list(no_reason.json()["error"]["fields"])) == (400, ["reason"])
    assert head_api.post(f"/api/v1/year-plans/{plan['id']}/approve/").json()["status"] == "approved"
    published = head_api.post(f"/api/v1/year-plans/{plan['id']}/publish/")
    assert published.json()["status"] == "published"
    march = published.json()["months"][2]
    assert (march["month"], march["planned"], march["pending"]) == (f"{YEAR}-03-01", 1, 1)
    again = head_api.post(f"/api/v1/year-plans/{plan['id']}/publish/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "illegal_transition")

    # Another department's officer does not see the plan; the coordinator does.
    assert api_as(cast.fire_officer).get(f"/api/v1/year-plans/{plan['id']}/").status_code == 404
    assert api_as(cast.coordinator).get(f"/api/v1/year-plans/{plan['id']}/").status_code == 200
    entries = officer_api.get(f"/api/v1/plan-entries/?year_plan={plan['id']}").json()["results"]
    assert [(e["status"], e["year_plan"]) for e in entries] == [("submitted", plan["id"])]


def _notices(user):
    from programs.models import Notification

    return list(Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP).order_by("pk"))


def test_the_head_is_told_of_each_submission_once_and_the_submitter_of_a_return_with_its_reason(cast):
    from django.urls import reverse

    plan = draft_plan(cast, months=(1,))
    plan = plan_services.year_plan_submit(plan=plan, actor=cast.market_officer)
    [waiting] = _notices(cast.head)
    assert reverse("admin:inspections_yearplan_change", args=[plan.pk]) in waiting.body
    assert _notices(cast.market_officer) == []
    with pytest.raises(TransitionError):  # a retried submission is refused and tells nobody again
        plan_services.year_plan_submit(plan=plan, actor=cast.market_officer)
    assert len(_notices(cast.head)) == 1

    plan = plan_services.year_plan_return(plan=plan, actor=cast.head, reason="三月漏报")
    [returned] = _notices(cast.market_officer)
    assert "三月漏报" in returned.body
    assert len(_notices(cast.head)) == 1  # the head is not told of their own return

    plan = plan_services.year_plan_submit(plan=plan, actor=cast.market_officer)
    assert len(_notices(cast.head)) == 2  # one per submission
    plan = plan_services.year_plan_approve(plan=plan, actor=cast.head)
    plan_services.year_plan_publish(plan=plan, actor=cast.head)
    assert len(_notices(cast.market_officer)) == 2  # returned, then published
    assert len(_notices(cast.head)) == 2


def test_the_plan_page_offers_only_the_plan_departments_items(cast, client):
    from django.urls import reverse

    from tests.factories import DepartmentFactory, region_tree

    other_district = DepartmentFactory(name="北仑市场监督管理局", region=region_tree("330206", "北仑区")["county"])
    other_item = ItemFactory(department=other_district, simple=True)
    simple_fire_item = ItemFactory(department=cast.fire, simple=True)
    plan = draft_plan(cast, months=(1,))
    client.force_login(cast.market_officer)
    response = client.get(reverse("admin:inspections_yearplan_change", args=[plan.pk]))
    assert response.status_code == 200
    offered = set(response.context["inline_admin_formsets"][0].formset.forms[0].fields["items"].queryset)
    assert offered == {cast.market_item}
    page = response.content.decode()
    assert f">{cast.market_item}</option>" in page
    assert f">{other_item}</option>" not in page
    assert f">{simple_fire_item}</option>" not in page


def test_the_heads_list_shows_the_plans_waiting_for_them_first(cast, client):
    from django.urls import reverse

    waiting = plan_services.year_plan_submit(plan=draft_plan(cast, months=(1,)), actor=cast.market_officer)
    newer = plan_services.year_plan_create(department=cast.market, year=YEAR + 1, actor=cast.market_officer)
    client.force_login(cast.head)
    response = client.get(reverse("admin:inspections_yearplan_changelist"))
    assert response.status_code == 200
    assert [plan.pk for plan in response.context["cl"].result_list] == [waiting.pk, newer.pk]
