"""Every figure the indicators API computes is on the dashboard, as the API computes it, under its label, with a
link to the records behind it; and the dashboard's statement count does not grow with the months it shows."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guidance import services as guidance_services
from guidance.models import Mode
from guidance.selectors import bookings_accepted_by_month, guidance_indicators
from inspections import services as inspection_services
from inspections.models import Finding, Inspection, LenientListEntry, PlanEntry
from inspections.selectors import inspection_indicators, inspections_completed_by_month
from inspections.services import cases as case_services
from portal import dashboard
from programs import grids
from programs.models import Enterprise
from tests.factories import EnterpriseFactory
from tests.guidance.factories import BookingFactory, SlotFactory, ThemeFactory, visit_started
from tests.inspections.factories import ItemFactory, PlanEntryFactory
from tests.portal.test_localisation import problems
from tests.workshops.factories import PositionFactory, RegistrationFactory, ResidentFactory, WorkshopFactory
from workshops import services as workshop_services
from workshops.models import Activity
from workshops.selectors import people_employed_by_month, workshop_indicators

pytestmark = pytest.mark.django_db


def _inspections(cast, month):
    """A joint visit of two departments with the code shown (the fire item, a simple one, checked by the market
    officer on its behalf), an entry cut as a duplicate, findings of both kinds (a lenient one decided without
    penalty, one rectified on time), a visit carried out without showing the code, with an overdue finding, an
    entry cut by hand and one still pending (these two of the department's year plan)."""
    today = timezone.localdate()
    fire_item, market_item = ItemFactory(department=cast.fire, simple=True), ItemFactory(department=cast.market)
    LenientListEntry.objects.create(item=market_item, kind=LenientListEntry.Kind.FIRST_VIOLATION)
    joint, late = cast.enterprise, EnterpriseFactory(region=cast.village)
    PlanEntryFactory(department=cast.fire, enterprise=joint, items=[fire_item], month=month, actor=cast.fire_officer)
    officer = cast.market_officer
    for enterprise in (joint, joint, late):
        PlanEntryFactory(department=cast.market, enterprise=enterprise, items=[market_item], month=month, actor=officer)
    inspection_services.month_coordinate(region=cast.county, month=month, actor=cast.coordinator)
    visit, late = (
        inspection_services.inspection_schedule(
            inspection=Inspection.objects.get(enterprise=enterprise, month=month),
            week_start=month - timedelta(days=month.weekday()),
            officers=[officer],
            actor=cast.coordinator,
        )
        for enterprise in (joint, late)
    )
    inspection_services.inspection_show_code(inspection=visit, actor=officer)
    visit = inspection_services.inspection_start(inspection=visit, actor=officer)
    general = inspection_services.finding_record(
        inspection=visit, item=fire_item, severity="general", description="灭火器过期", deadline=today, actor=officer
    )
    major = inspection_services.finding_record(
        inspection=visit, item=market_item, severity="major", description="无证经营", deadline=today, actor=officer
    )
    inspection_services.finding_decide(finding=major, decision=Finding.Decision.NO_PENALTY, actor=officer)
    inspection_services.evidence_submit(finding=general, actor=cast.enterprise_user, note="已更换灭火器")
    inspection_services.finding_reinspect(finding=general, actor=officer, rectified=True)
    inspection_services.inspection_complete(inspection=visit, actor=officer)

    late = inspection_services.inspection_start(inspection=late, actor=officer)  # the code not shown
    overdue = inspection_services.finding_record(
        inspection=late, item=market_item, severity="general", description="台账缺失", deadline=today, actor=officer
    )
    Finding.objects.filter(pk=overdue.pk).update(deadline=today - timedelta(days=1))  # the deadline has passed
    inspection_services.inspection_complete(inspection=late, actor=officer, code_not_shown_reason="no_signal")
    for pending in range(2):
        entry = PlanEntryFactory(
            department=cast.market, enterprise=EnterpriseFactory(region=cast.village), month=month, actor=officer
        )
    inspection_services.plan_entry_cut(entry=entry, actor=cast.coordinator, reason="近期已检查")
    # The last two entries belong to the department's year plan (its month arrangement).
    plan = inspection_services.year_plan_create(department=cast.market, year=month.year, actor=officer)
    PlanEntry.objects.filter(pk__in=PlanEntry.objects.order_by("-pk").values("pk")[:2]).update(year_plan=plan)
    EnterpriseFactory(region=cast.village, grade="green")
    EnterpriseFactory(region=cast.village, grade="gray")


def _guidance(cast):
    """A visit held on site with two risks (one rectified) and feedback, one online, a no-show, a cancellation."""
    boss = cast.coordinator
    onsite = SlotFactory(themes=[ThemeFactory(title="开办餐饮")], capacity=5, mode=Mode.ONSITE, region=cast.county)
    online = SlotFactory(themes=[ThemeFactory(title="消防安全")], capacity=5, mode=Mode.ONLINE, region=cast.county)
    for slot, risks, no_show in ((onsite, 2, False), (online, 0, False), (online, 0, True)):
        booking = BookingFactory(slot=slot)
        guidance_services.booking_confirm(booking=booking, actor=boss)
        booking = visit_started(booking)
        if no_show:
            guidance_services.booking_mark_no_show(booking=booking, actor=boss)
            continue
        made = [
            guidance_services.risk_record(booking=booking, actor=boss, description=f"隐患{n}") for n in range(risks)
        ]
        for risk in made[:1]:
            guidance_services.risk_submit_evidence(risk=risk, actor=boss, note="已整改")
            guidance_services.risk_confirm(risk=risk, actor=boss)
        booking = guidance_services.booking_complete(booking=booking, actor=boss)
        guidance_services.feedback_submit(booking=booking, satisfaction=5 - risks, actor=None)
    cancelled = BookingFactory(slot=SlotFactory(themes=[ThemeFactory()], region=cast.county))
    guidance_services.booking_cancel(booking=cancelled, actor=boss, reason="企业取消")


def _workshops(cast, month):
    """A workshop employing two residents (one low-income and disabled) with income records, a market it took part
    in with a supply point outside the city, a live-stream and a training."""
    today = timezone.localdate()
    organiser = cast.organiser
    workshop = WorkshopFactory(village=cast.village, opened_on=month.replace(month=1) - timedelta(days=400))
    position = PositionFactory(workshop=workshop, openings=5)
    for low_income, income in ((True, "3600.00"), (False, "2400.00")):
        resident = ResidentFactory(village=cast.village, is_low_income=low_income, has_disability=low_income)
        registration = RegistrationFactory(resident=resident, position=position)
        workshop_services.registration_record_home_visit(registration=registration, actor=cast.grid_worker)
        workshop_services.registration_accept(registration=registration, actor=organiser)
        employment = workshop_services.registration_employ(
            registration=registration, actor=organiser, start_date=month.replace(month=1)
        )
        workshop_services.income_record(employment=employment, month=month, income=Decimal(income), actor=organiser)
    workshop_services.market_record(
        actor=organiser,
        title="海岛大市集",
        held_on=today,
        visitors=1500,
        participations=[{"workshop": workshop, "stalls": 12, "revenue": Decimal("31200.00"), "products_offered": 8}],
        supply_points=[{"workshop": workshop, "city": "杭州", "address": "西湖区文三路1号"}],
    )
    for kind, figures in (
        (Activity.Kind.LIVE_STREAM, {"sessions": 3, "revenue": Decimal("5400.50")}),
        (Activity.Kind.TRAINING, {"participants": 20}),
    ):
        workshop_services.activity_record(
            actor=organiser, workshop=workshop, kind=kind, title=str(kind.label), held_on=today, **figures
        )


def _grids(cast):
    """A grid of the village with two micro-grids, the cast's enterprise (a key one) in the first."""
    boss = cast.coordinator
    grid = grids.grid_create(community=cast.village, name="第一网格", code="G01", actor=boss)
    first = grids.micro_grid_create(grid=grid, name="微网格01", code="G01-01", actor=boss)
    grids.micro_grid_create(grid=grid, name="微网格02", code="G01-02", actor=boss)
    Enterprise.objects.filter(pk=cast.enterprise.pk).update(is_key=True)
    grids.enterprise_micro_grid_assign(enterprise=cast.enterprise, micro_grid=first, actor=boss)


def _penalty_cases(cast):
    """Three penalty cases opened today: one decided on the spot and taken to reconsideration, one with an office
    visit (not zero-trip), one cancelled (not counted)."""
    cases, officer = [], cast.market_officer
    for facts in ("未明码标价", "超范围经营", "事实不清"):
        cases.append(
            case_services.case_open(
                enterprise=cast.enterprise, item=ItemFactory(department=cast.market), actor=officer,
                procedure="simple", penalty_kind="warning", facts=facts,
            )
        )
    decided = case_services.case_decide(case=cases[0], actor=officer)
    case_services.review_record(
        case=decided, actor=officer, kind="reconsideration", filed_on=timezone.localdate(), body="区人民政府"
    )
    case_services.case_record_office_visit(case=cases[1], actor=officer, note="到窗口递交材料")
    case_services.case_cancel(case=cases[2], actor=officer, reason="事实不清")


def every_program(cast) -> None:
    """Records in every program this month, in the cast's county, made through the services."""
    month = timezone.localdate().replace(day=1)
    _inspections(cast, month)
    _penalty_cases(cast)
    _guidance(cast)
    _workshops(cast, month)
    _grids(cast)


@pytest.fixture
def records(cast):
    every_program(cast)
    return cast


# What an indicators answer holds that is not a figure, and why it is not one on the dashboard.
NOT_FIGURES = {
    "region": "the region asked for: the dashboard's filter",
    "region_name": "the region asked for: the dashboard's filter",
    "start": "the period asked for: the dashboard's filter",
    "end": "the period asked for: the dashboard's filter",
    "period": "the period asked for: the dashboard's filter",
    "grades.map": "drawn as the grade-by-region chart",
    "guidance.by_theme": "drawn as the bookings-by-theme chart",
    "grids.by_grid": "drawn as the key-enterprises-by-grid chart",
    "guidance.by_county": "the figures above by county: the region filter shows each county's",
    "inspections.year_plan.departments": "the year-plan figures above by department: their lists filter by it",
    "workshops.breakdown": "answered only when asked (?breakdown=1): the figures above by region",
}
# Lists whose entries are figures each: the key of an entry.
LIST_ENTRIES = {"grades.conversions": lambda row: (f"{row['from']}-{row['to']}", row["count"])}
# Figures whose list holds exactly the records counted (the others' lists hold the records they are computed
# from: the employments of the people employed, the markets whose stalls are summed, the entries of a rate).
COUNTED = {
    *(f"inspections.plan_entries.{k}" for k in ("submitted", "executed", "cut", "pending", "delegated")),
    *(f"inspections.plan_entries.{k}" for k in ("cut_duplicate", "cut_leave_alone")),
    *(f"inspections.year_plan.{k}" for k in ("planned", "pending", "executed", "cut", "outside_plan")),
    *(f"inspections.inspections.{k}" for k in ("inspections", "joint", "started", "completed", "carried_out")),
    *(f"inspections.inspections.{k}" for k in ("code_shown", "code_not_shown")),
    *(f"inspections.findings.{k}" for k in ("major", "general", "no_penalty", "lenient_proposed", "deadlines_due")),
    "inspections.findings.overdue_open",
    *(f"grades.enterprises.{k}" for k in ("red", "yellow", "green", "gray", "graded", "total")),
    *(f"guidance.{k}" for k in ("bookings_accepted", "bookings_cancelled", "risks_found", "risks_rectified")),
    *(f"guidance.{k}" for k in ("no_shows", "satisfaction_responses")),
    *(f"guidance.{k}" for k in ("visits_held", "visits_held_online", "visits_held_onsite")),
    *(f"guidance.{k}" for k in ("sessions_held", "sessions_held_online", "sessions_held_onsite", "follow_up_sessions")),
    "workshops.markets.count",
    *(f"grids.{k}" for k in ("grids", "micro_grids", "enterprises_assigned", "key_enterprises")),
    "grids.key_enterprises_assigned",
    "workshops.live_streams.count",
    "workshops.trainings.count",
}
API = {
    "workshops": "/api/v1/indicators/workshops/",
    "inspections": "/api/v1/indicators/inspections/",
    "grades": "/api/v1/indicators/grades/",
    "guidance": "/api/v1/indicators/guidance/",
    "grids": "/api/v1/indicators/grids/",
}
FIGURE = re.compile(r'<div class="figure" data-key="(?P<key>[^"]+)">(?P<body>.*?)</div>', re.S)


def leaves(value, path: str):
    """(key, value) of every figure in an indicators answer, walking mappings and the lists of figures."""
    if path in NOT_FIGURES or path.rpartition(".")[2] in NOT_FIGURES:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}")
    elif isinstance(value, list):
        assert path in LIST_ENTRIES, f"{path}: a list the test does not know"
        for row in value:
            key, figure = LIST_ENTRIES[path](row)
            yield f"{path}.{key}", figure
    else:
        yield path, value


def shown_on(page) -> dict:
    """What the page shows for each figure: its value, its label and its link, as a reader sees them."""
    shown = {}
    for match in FIGURE.finditer(page.text):
        body = match["body"]
        link = re.match(r'\s*<a href="([^"]+)">', body)
        shown[match["key"]] = {
            "value": html.unescape(re.search(r'<span class="value">(.*?)</span>', body).group(1)),
            "label": html.unescape(re.search(r'<span class="label">(.*?)</span>', body).group(1)),
            "link": html.unescape(link.group(1)) if link else None,
        }
    return shown


def may_see(user, model: str) -> bool:
    """Whether the user may open the admin list of ``model`` (a figure without a list: no)."""
    if not model:
        return False
    model_admin = admin.site._registry[apps.get_model(model)]
    return model_admin.has_view_permission(SimpleNamespace(user=user))


def as_answered(value):
    """A figure as the API's JSON writes it (amounts as exact decimal strings)."""
    return str(value) if isinstance(value, Decimal) else value


def test_every_figure_of_the_indicators_api_is_on_the_dashboard_as_the_api_computes_it(client, api_as, records):
    user = records.coordinator
    client.force_login(user)
    page = client.get("/admin/")
    start, end = page.context["period"]
    figures = {f.key: f for _title, section in page.context["dashboard"]["sections"] for f in section}
    shown = shown_on(page)
    api = api_as(user)
    checked, zero = [], []
    for program, url in API.items():
        answer = api.get(url, {"start": start.isoformat(), "end": end.isoformat()})
        assert answer.status_code == 200, url
        for key, value in leaves(answer.json(), program):
            assert key in figures, f"{key} = {value} is not on the dashboard (add a row to portal/dashboard_figures.py)"
            figure = figures[key]
            assert as_answered(figure.value) == value, key
            assert key in shown, f"{key} is not on the page"
            assert shown[key]["value"] == dashboard.display(figure.value, figure.kind), key
            assert shown[key]["label"] == figure.label and figure.label.strip(), key
            assert shown[key]["link"] or not may_see(user, figure.records), f"{key}: no link to its records"
            checked.append(key)
            zero += [key] if value in (0, None, "0.00") else []
    assert len(checked) >= 70
    # The data set has records in every program: most figures are not zero.
    for must in (
        "inspections.plan_entries.pending",
        "inspections.year_plan.planned",
        "inspections.year_plan.outside_plan",
        "inspections.plan_entries.cut_duplicate",
        "inspections.findings.no_penalty",
        "inspections.findings.overdue_open",
        "inspections.inspections.delegated_checks",
        "inspections.inspections.code_not_shown_by_reason.no_signal",
        "workshops.markets.revenue",
        "workshops.markets.supply_points_outside_city",
        "guidance.risks_rectified",
        "grades.enterprises.red",
        "grids.key_enterprises_assigned",
    ):
        assert must in checked and must not in zero, must
    # Every figure on the page is one the API answers (no stale row), and written the locale's way.
    assert set(shown) == set(checked)
    assert shown["workshops.markets.revenue"]["value"] == "31,200.00"
    assert shown["workshops.markets.average_revenue_per_stall"]["value"] == "2,600.00"
    assert shown["guidance.no_show_rate"]["value"] == "33.3 %"


@pytest.mark.parametrize("who, in_county", [("coordinator", False), ("coordinator", True), ("organiser", False)])
def test_each_figure_opens_the_list_of_the_records_behind_it(client, records, who, in_county):
    """The coordinator's figures (for all of the region, and for a county chosen: the lists filtered by it), and
    the organiser's (who may see the employments and incomes behind the people employed; the coordinator not)."""
    user = getattr(records, who)
    client.force_login(user)
    today = timezone.localdate()
    query = {"start": today.replace(month=1, day=1).isoformat(), "end": today.isoformat(), "compare": ""}
    if in_county:
        query["region"] = records.county.pk
    board = client.get("/admin/", query).context["dashboard"]
    figures = {f.key: f for _title, section in board["sections"] for f in section}
    for key, figure in figures.items():
        assert figure.link or not may_see(user, figure.records), key
        assert not in_county or figure.link is None or f"in_region={records.county.code}" in figure.link, key
        if figure.link is None:
            continue
        records_page = client.get(figure.link)
        assert records_page.status_code == 200, (key, figure.link)  # an unknown filter redirects with ?e=1
        if key in COUNTED or key.startswith("grades.conversions."):
            assert records_page.context["cl"].result_count == figure.value, (key, figure.link)
    assert {key for key in COUNTED if key.partition(".")[0] in {k.partition(".")[0] for k in figures}} <= set(figures)


def _statements(user, start, end, compare=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        dashboard.build(user=user, region=None, start=start, end=end, compare=compare)
    return len(queries)


@pytest.mark.parametrize("who", ["coordinator", "market_officer", "organiser"])
def test_the_statement_count_does_not_grow_with_the_months_shown(records, who):
    user = getattr(records, who)
    today = timezone.localdate()
    last_year = today.year - 1
    one_month = (today.replace(day=1), today)
    twelve_months = (today.replace(year=last_year, day=1) + timedelta(days=32), today)
    compare = (date(last_year, 1, 1), date(last_year, 12, 31))
    assert len(dashboard.months_between(*twelve_months)) == 12
    one = _statements(user, *one_month)
    assert _statements(user, *twelve_months) == one
    # The comparison year computes each program's indicators once more, not once a month.
    assert _statements(user, *twelve_months, compare=compare) == _statements(user, *one_month, compare=compare)


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_the_coordinators_page_uncached_keeps_its_statement_count(client, records, django_assert_max_num_queries):
    """Measured on this data set: 56 statements without a comparison year and 95 with one, for one month as for
    twelve (before the trend was one statement per series: 46 for one month, 200 for twelve; 43 and 70 before the
    enforcement, enterprise-service and grid sections added their 13 figures' statements)."""
    client.force_login(records.coordinator)
    today = timezone.localdate()
    counts = {}
    twelve_months_ago = today.replace(year=today.year - 1, day=1) + timedelta(days=32)
    assert len(dashboard.months_between(twelve_months_ago, today)) == 12
    for start in (today.replace(day=1), twelve_months_ago):
        for compare in ("", str(today.year - 1)):
            with django_assert_max_num_queries(60 if not compare else 100) as queries:
                page = client.get("/admin/", {"start": start.isoformat(), "end": today.isoformat(), "compare": compare})
            assert page.status_code == 200
            counts.setdefault(compare, set()).add(len(queries))
    assert all(len(found) == 1 for found in counts.values()), counts


def test_each_monthly_series_equals_the_indicator_of_each_month(records):
    """The trend's one-statement series count each month as the indicators count it for that month alone."""
    user, today = records.coordinator, timezone.localdate()
    months = dashboard.months_between(today.replace(year=today.year - 1), today)
    span = {"user": user, "region": None, "start": months[0][0], "end": today}
    series = [
        (inspections_completed_by_month(**span), lambda **p: inspection_indicators(**p)["inspections"]["completed"]),
        (bookings_accepted_by_month(**span), lambda **p: guidance_indicators(**p)["bookings_accepted"]),
        (people_employed_by_month(**span), lambda **p: workshop_indicators(**p)["people_employed"]),
    ]
    for by_month, indicator in series:
        for first, last in months:
            assert by_month.get(first.replace(day=1), 0) == indicator(user=user, start=first, end=last), first
        assert sum(by_month.values()) > 0


def test_the_dashboard_with_records_in_every_program_reads_in_chinese(client, records):
    for who in ("coordinator", "market_officer", "organiser"):
        client.force_login(getattr(records, who))
        page = client.get("/admin/")
        assert page.status_code == 200
        assert problems("/admin/", page.text) == [], who
