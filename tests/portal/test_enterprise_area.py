"""The enterprise area: one page that answers "where do we stand"; and one sign-in page for everyone."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import timezone

from inspections import services as inspection_services
from tests.cast import Cast
from tests.factories import EnterpriseFactory, UserFactory, coordinator, enterprise_user
from tests.guidance.factories import BookingFactory, SlotFactory, ThemeFactory
from tests.inspections.factories import InspectionFactory, ItemFactory

pytestmark = pytest.mark.django_db


def test_an_enterprise_sees_its_grade_open_findings_inspections_and_bookings_on_one_page(client):
    cast = Cast()
    item = ItemFactory(department=cast.market, name="电梯应急电话")
    inspection = InspectionFactory(cast=cast, items=[item])
    inspection_services.finding_record(
        inspection=inspection,
        item=item,
        severity="general",
        description="应急电话不畅通",
        deadline=timezone.localdate() + timedelta(days=10),
        actor=cast.market_officer,
    )
    user = enterprise_user(cast.enterprise)
    booking = BookingFactory(
        slot=SlotFactory(themes=[ThemeFactory(title="消防安全")]),
        credit_code=cast.enterprise.credit_code,
        not_registered=False,
        business_name=cast.enterprise.name,
        actor=user,
    )
    client.force_login(user)
    page = client.get("/enterprise/")
    assert page.status_code == 200
    cast.enterprise.refresh_from_db()
    assert page.context["enterprise"].grade == cast.enterprise.grade
    assert page.context["open_finding_count"] == 1
    assert "电梯应急电话" in page.text
    assert booking.reference in page.text
    assert f"/verify/{inspection.code}/" in page.text


def test_an_enterprise_does_not_see_another_enterprises_records(client):
    cast = Cast()
    InspectionFactory(cast=cast)
    client.force_login(enterprise_user(EnterpriseFactory()))
    page = client.get("/enterprise/")
    assert page.status_code == 200
    assert list(page.context["inspections"]) == []
    assert page.context["open_finding_count"] == 0


def test_staff_are_sent_away_from_the_enterprise_area(client):
    client.force_login(coordinator())
    assert client.get("/enterprise/").status_code == 403


def test_signing_in_takes_each_kind_of_user_to_their_own_first_page(client):
    enterprise = enterprise_user()
    response = client.post("/accounts/login/", {"username": enterprise.username, "password": settings.DEMO_PASSWORD})
    assert response.headers["Location"] == "/enterprise/"
    client.logout()
    staff = coordinator()
    response = client.post("/accounts/login/", {"username": staff.username, "password": settings.DEMO_PASSWORD})
    assert response.headers["Location"] == "/admin/"


def test_a_wrong_password_is_answered_on_the_page(client):
    user = UserFactory()
    page = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert page.status_code == 200
    assert page.context["form"].non_field_errors()


def test_the_enterprise_areas_tables_scroll_sideways_on_a_phone_instead_of_breaking_words(client):
    """At 390 px the guidance bookings table wrapped one Chinese character per line ("开/办/餐/饮"): each table
    now sits in a wrapper that scrolls sideways, and its cells keep their words whole."""
    cast = Cast()
    user = enterprise_user(cast.enterprise)
    booking = BookingFactory(
        slot=SlotFactory(themes=[ThemeFactory(title="开办餐饮")]),
        credit_code=cast.enterprise.credit_code,
        not_registered=False,
        business_name=cast.enterprise.name,
        actor=user,
    )
    client.force_login(user)

    page = client.get("/enterprise/")

    assert page.status_code == 200
    stylesheet = f'<link rel="stylesheet" href="{settings.STATIC_URL}portal/enterprise-area.css">'
    assert stylesheet.replace('href="static/', 'href="/static/') in page.text
    bookings = page.text.split("预约式行政指导</h2>", 1)[1]
    assert bookings.lstrip().startswith('<div class="table-scroll"><table>')
    assert bookings.index(booking.reference) < bookings.index("</table></div>")
    css = Path(finders.find("portal/enterprise-area.css")).read_text()
    assert re.search(r"\.table-scroll\s*\{[^}]*overflow-x:\s*auto", css)
    assert re.search(r"\.table-scroll th, \.table-scroll td\s*\{[^}]*white-space:\s*nowrap", css)
