"""A year plan in a browser, in Chinese, on a desktop: a department officer drafts it in the admin (entries of two
months), submits it; the department head approves and publishes it and reads the month by month table; after
the coordination of a month the table shows what was executed and cut, each figure a link to its entries."""

from datetime import date

import pytest
from django.conf import settings
from django.utils import timezone

from inspections import services
from inspections.grades import grade_policies_ensure
from inspections.models import GradePolicy, PlanEntry, YearPlan
from programs.models import Department, Grade
from tests.browser.conftest import screenshot, sign_in
from tests.factories import DepartmentFactory, EnterpriseFactory, coordinator, officer, region_tree
from tests.inspections.factories import ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def pick(page, select_id: str, term: str, choice: str) -> None:
    """Choose ``choice`` in an autocomplete picker after typing ``term``."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", term)
    page.wait_for_function(
        """term => {
            const options = [...document.querySelectorAll(".select2-results__option")];
            return options.length > 0 && options.every(o => !o.classList.contains("loading-results")
                && o.textContent.includes(term));
        }""",
        arg=term,
    )
    page.locator(".select2-results__option", has_text=choice).first.click()


def run_action(page, label: str) -> None:
    page.goto("/admin/inspections/yearplan/")
    page.check("#result_list input.action-select")
    page.select_option("select[name=action]", label=label)
    page.click("button[name=index]")
    page.wait_for_load_state()


def test_an_officer_submits_a_year_plan_and_the_head_approves_publishes_and_follows_its_months(page, request):
    tree = region_tree()
    department = DepartmentFactory(
        name="市场监督管理局", kind=Department.Kind.MARKET_SUPERVISION, region=tree["county"]
    )
    drafter, head = officer(department), officer(department)
    department.head = head
    department.save()
    item = ItemFactory(department=department, code="SC-001", name="食品经营许可检查")
    EnterpriseFactory(region=tree["village"], name="甬江食品有限公司")
    EnterpriseFactory(region=tree["village"], name="东钱湖餐饮有限公司", grade=Grade.GREEN)
    year = timezone.localdate().year + 1
    grade_policies_ensure()  # a transactional test may have flushed the migration's rows
    GradePolicy.objects.filter(grade=Grade.GREEN).update(sampling_percent=0)  # every green one is left alone

    sign_in(page, drafter.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto("/admin/inspections/yearplan/add/")
    assert page.input_value("input[name=year]") == str(year)
    for row, (month, name) in enumerate([(3, "甬江食品"), (3, "东钱湖餐饮"), (6, "甬江食品")]):
        page.select_option(f"select[name=entries-{row}-month_of_year]", value=str(month))
        pick(page, f"id_entries-{row}-enterprise", name, name)
        page.select_option(f"select[name=entries-{row}-items]", value=str(item.pk))
    screenshot(page, "year-plan-drafted")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    plan = YearPlan.objects.get()
    assert (plan.department, plan.year, plan.status, plan.entries.count()) == (department, year, "draft", 3)
    assert "计划条目" in page.inner_text("#content")

    run_action(page, "将所选年计划报送部门负责人")
    assert "已报送 1 份年计划。" in page.inner_text(".messagelist")
    plan.refresh_from_db()
    assert plan.status == YearPlan.Status.SUBMITTED
    # The officer who submitted cannot approve: refused by name, the plan stays submitted.
    run_action(page, "批准所选年计划（部门负责人）")
    assert "只有部门负责人可以审批本部门的年计划。" in page.inner_text(".messagelist")
    plan.refresh_from_db()
    assert plan.status == YearPlan.Status.SUBMITTED

    page.context.clear_cookies()
    sign_in(page, head.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    run_action(page, "批准所选年计划（部门负责人）")
    assert "已批准 1 份。" in page.inner_text(".messagelist")
    run_action(page, "发布所选年计划：报送其全部条目")
    assert "已发布 1 份。" in page.inner_text(".messagelist")
    screenshot(page, "year-plan-published-list")
    assert set(PlanEntry.objects.values_list("status", flat=True)) == {PlanEntry.Status.SUBMITTED}

    # The coordination of March: one entry executed, the green enterprise's cut (left alone).
    services.month_coordinate(region=tree["county"], month=date(year, 3, 1), actor=coordinator(region=tree["county"]))

    page.goto(f"/admin/inspections/yearplan/{plan.pk}/change/")
    table = page.locator("table.year-plan-months")
    assert "已发布" in page.inner_text("#content")
    march = table.locator("tbody tr").nth(2)
    cells = march.locator("td").all_inner_texts()
    assert cells == ["三月", "2", "2", "0", "1", "1", "50.0 %", "50.0 %"], cells
    june = table.locator("tbody tr").nth(5).locator("td").all_inner_texts()
    assert june == ["六月", "1", "1", "1", "0", "0", "0.0 %", "0.0 %"], june
    screenshot(page, "year-plan-months")

    march.locator("td").nth(4).locator("a").click()  # the executed entry of March
    page.wait_for_url("**/admin/inspections/planentry/**")
    records = page.inner_text("#result_list")
    assert "甬江食品有限公司" in records and "东钱湖餐饮有限公司" not in records
    screenshot(page, "year-plan-executed-entries")
