"""The dashboard is the first page after sign-in and shows the same figures as the indicators API."""

import pytest

from programs.models import Enterprise
from tests.factories import EnterpriseFactory, coordinator, region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded():
    village = region_tree()["village"]
    for grade, count in (("green", 3), ("yellow", 1), ("red", 1), ("gray", 2)):
        for _ in range(count):
            EnterpriseFactory(region=village, grade=grade)
    return Enterprise.objects.all()


def test_the_first_page_after_sign_in_is_the_dashboard(client, graded):
    client.force_login(coordinator())
    page = client.get("/admin/")
    assert page.status_code == 200
    assert 'id="dashboard"' in page.text
    assert "<svg" in page.text


def test_the_dashboard_figures_equal_the_indicators_api(client, api_as, graded):
    user = coordinator()
    client.force_login(user)
    period = {"start": "2026-01-01", "end": "2026-06-30"}
    board = client.get("/admin/", period).context["dashboard"]["indicators"]
    api = api_as(user)
    grades = api.get("/api/v1/indicators/grades/", period).json()
    assert board["grades"]["enterprises"]["graded"] == grades["enterprises"]["graded"] == 5
    assert str(board["grades"]["green_rate"]) == str(grades["green_rate"])
    inspections = api.get("/api/v1/indicators/inspections/", period).json()
    assert board["inspections"]["plan_entries"]["submitted"] == inspections["plan_entries"]["submitted"]
    guidance = api.get("/api/v1/indicators/guidance/", period).json()
    assert board["guidance"]["bookings_accepted"] == guidance["bookings_accepted"]
    workshops = api.get("/api/v1/indicators/workshops/", period).json()
    assert board["workshops"]["people_employed"] == workshops["people_employed"]


def test_a_period_that_ends_before_it_starts_is_refused_on_the_field(client):
    client.force_login(coordinator())
    page = client.get("/admin/", {"start": "2026-06-01", "end": "2026-01-01"})
    assert page.status_code == 200
    assert page.context["dashboard_form"].errors["end"]


def test_each_linked_figure_opens_a_list_the_user_may_see(client, graded):
    client.force_login(coordinator())
    board = client.get("/admin/").context["dashboard"]
    links = [figure.link for _title, figures in board["sections"] for figure in figures if figure.link]
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_staff_switch_the_admin_to_english_and_back(client):
    client.force_login(coordinator())
    assert "指标看板" in client.get("/admin/").text
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    page = client.get("/admin/")
    assert "Dashboard" in page.text and 'id="language-switch"' in page.text
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert "指标看板" in client.get("/admin/").text


def test_the_dashboard_shows_the_grade_conversions_of_the_period(client):
    from datetime import timedelta

    from django.utils import timezone

    from inspections.models import GradeChange

    enterprise = EnterpriseFactory(region=region_tree()["village"], grade="green")
    GradeChange.objects.create(
        enterprise=enterprise,
        old_grade="yellow",
        new_grade="green",
        cause="reinspection",
        changed_at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(coordinator())
    board = client.get("/admin/").context["dashboard"]
    conversions = [f for _title, figures in board["sections"] for f in figures if "→" in f.label]
    assert [(f.label, f.value) for f in conversions] == [("黄 → 绿", 1)]
