"""The dashboard in every language and for every role: ISO dates in the filter, the current year beside the
last full year with records, each role's own programs, month labels in the language's format, and figures
that open the records of the region filtered."""

import re
from datetime import date

import pytest
from django.utils import timezone

from portal import dashboard
from tests.factories import DepartmentFactory, EnterpriseFactory, coordinator, officer, region_tree
from tests.inspections.factories import PlanEntryFactory
from tests.workshops.factories import grid_worker, organiser

pytestmark = pytest.mark.django_db

WORKSHOPS, INSPECTIONS, GUIDANCE = "共富工坊", "涉企行政检查", "预约式行政指导"


def _titles(page):
    return [title for title, _figures in page.context["dashboard"]["sections"]]


def _figure(page, section, label):
    [figure] = [
        f
        for title, figures in page.context["dashboard"]["sections"]
        if title == section
        for f in figures
        if f.label == label
    ]
    return figure


def test_the_date_inputs_carry_iso_values_in_chinese(client):
    client.force_login(coordinator())
    page = client.get("/admin/")
    year = timezone.localdate().year
    assert re.search(rf'<input type="date" name="start" value="{year}-01-01"', page.text)
    assert re.search(r'<input type="date" name="end" value="\d{4}-\d{2}-\d{2}"', page.text)


def test_the_filter_sent_by_a_date_input_works_in_chinese_and_in_english(client):
    client.force_login(coordinator())
    for language in ("zh-hans", "en"):
        client.post("/i18n/setlang/", {"language": language, "next": "/admin/"})
        page = client.get("/admin/", {"start": "2024-01-01", "end": "2024-12-31", "compare": ""})
        assert page.context["dashboard_form"].is_valid(), language
        assert page.context["period"] == (date(2024, 1, 1), date(2024, 12, 31))
        assert 'value="2024-12-31"' in page.text


def test_organisers_and_grid_workers_see_the_workshops_only(client):
    for user in (organiser(), grid_worker()):
        client.force_login(user)
        page = client.get("/admin/")
        assert _titles(page) == [WORKSHOPS]
        assert [title for title, _svg in page.context["dashboard"]["charts"]] == ["月度趋势"]


def test_officers_see_inspections_grades_and_guidance_and_coordinators_all_three(client):
    client.force_login(officer())
    assert _titles(client.get("/admin/")) == [INSPECTIONS, "执法办案", "四色检查法", GUIDANCE, "企业服务"]
    client.force_login(coordinator())
    assert _titles(client.get("/admin/")) == [
        WORKSHOPS, INSPECTIONS, "执法办案", "四色检查法", GUIDANCE, "企业服务", "网格"
    ]


def test_the_first_page_shows_the_last_full_year_with_records_beside_this_year(client):
    # Like the Ningbo demo: the plans are of 2024, nothing was recorded last year.
    this_year = timezone.localdate().year
    for _ in range(3):
        PlanEntryFactory(month=date(this_year - 2, 3, 1))
    client.force_login(coordinator())
    page = client.get("/admin/")
    assert page.context["compare_year"] == this_year - 2
    submitted = _figure(page, INSPECTIONS, "报送计划数")
    assert (submitted.value, submitted.compare) == (0, 3)
    assert f"month__gte={this_year - 2}-01-01" in submitted.compare_link
    assert f"{this_year - 2}年：" in page.text


def test_without_earlier_records_there_is_no_comparison(client):
    client.force_login(coordinator())
    page = client.get("/admin/")
    assert page.context["compare_year"] is None
    assert all(f.compare is None for _title, figures in page.context["dashboard"]["sections"] for f in figures)


def test_counts_as_they_stand_today_are_not_compared(client):
    PlanEntryFactory(month=date(timezone.localdate().year - 1, 5, 1))
    client.force_login(coordinator())
    graded = _figure(client.get("/admin/"), "四色检查法", "已赋色企业")
    assert graded.compare is None and graded.state


def test_month_labels_come_from_the_language(client):
    months = [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    from django.utils import translation

    with translation.override("zh-hans"):
        assert dashboard.month_labels(months) == ["2025年11月", "12月", "2026年1月", "2月"]
    with translation.override("en"):
        assert dashboard.month_labels(months) == ["Nov 2025", "Dec", "Jan 2026", "Feb"]


def test_a_figure_opens_the_records_of_the_region_and_period_filtered(client):
    ours = region_tree()  # 鄞州区, inside the coordinator's city
    other = region_tree("330206", "北仑区")
    year = timezone.localdate().year
    PlanEntryFactory(month=date(year, 1, 1), enterprise=EnterpriseFactory(region=ours["village"], name="鄞州的企业"))
    PlanEntryFactory(
        month=date(year, 1, 1),
        enterprise=EnterpriseFactory(region=other["village"], name="北仑的企业"),
        department=DepartmentFactory(region=other["county"]),
    )
    client.force_login(coordinator())
    page = client.get("/admin/", {"region": ours["county"].pk, "start": f"{year}-01-01", "end": f"{year}-12-31"})
    submitted = _figure(page, INSPECTIONS, "报送计划数")
    assert submitted.value == 1 and f"in_region={ours['county'].code}" in submitted.link
    records = client.get(submitted.link)
    assert records.status_code == 200
    assert "鄞州的企业" in records.text and "北仑的企业" not in records.text


def test_the_region_filter_names_places_by_their_path(client):
    tree = region_tree()
    client.force_login(coordinator())
    page = client.get("/admin/")
    assert f">{tree['city'].name} {tree['county'].name} {tree['town'].name}</option>" in page.text
