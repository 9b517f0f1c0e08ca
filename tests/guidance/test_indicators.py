"""Guidance indicators: bookings accepted, visits held online / on site, no-shows, risks found and rectified,
satisfaction; by theme and county; within the caller's scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guidance import services
from guidance.models import Mode
from guidance.selectors import guidance_indicators
from tests.factories import EnterpriseFactory, coordinator, enterprise_user, officer, region_tree

from .factories import BookingFactory, SlotFactory, ThemeFactory, visit_started

pytestmark = pytest.mark.django_db


def held(slot, boss, *, risks=0, rectify=0, satisfaction=None, no_show=False):
    booking = BookingFactory(slot=slot)
    services.booking_confirm(booking=booking, actor=boss)
    booking = visit_started(booking)
    if no_show:
        return services.booking_mark_no_show(booking=booking, actor=boss)
    made = [services.risk_record(booking=booking, actor=boss, description=f"隐患{i}") for i in range(risks)]
    for risk in made[:rectify]:
        services.risk_submit_evidence(risk=risk, actor=boss, note="已整改")
        services.risk_confirm(risk=risk, actor=boss)
    booking = services.booking_complete(booking=booking, actor=boss)
    if satisfaction:
        services.feedback_submit(booking=booking, satisfaction=satisfaction, actor=None)
    return booking


def test_the_indicators_count_what_the_article_publishes_for_the_callers_scope(api_as):
    boss = coordinator()
    restaurant, fire = ThemeFactory(title="开办餐饮"), ThemeFactory(title="消防安全")
    onsite = SlotFactory(themes=[restaurant], capacity=10, mode=Mode.ONSITE)
    online = SlotFactory(themes=[fire], capacity=10, mode=Mode.ONLINE)
    held(onsite, boss, risks=3, rectify=2, satisfaction=5)
    held(onsite, boss, risks=1, rectify=0, satisfaction=4)
    held(online, boss, risks=0, satisfaction=3)
    held(online, boss, no_show=True)
    services.booking_cancel(booking=BookingFactory(slot=SlotFactory(themes=[fire])), actor=boss, reason="企业取消")
    BookingFactory(slot=SlotFactory(themes=[restaurant]))  # still to come
    beilun = region_tree("330206", "北仑区")["county"]
    held(SlotFactory(themes=[fire], region=beilun), coordinator(region=beilun), risks=2)  # another county

    today = timezone.localdate()
    figures = guidance_indicators(user=boss, start=today - timedelta(days=7), end=today)
    assert figures["bookings_accepted"] == 6
    assert figures["bookings_cancelled"] == 1
    assert (figures["visits_held"], figures["visits_held_onsite"], figures["visits_held_online"]) == (3, 2, 1)
    assert figures["no_shows"] == 1
    assert figures["no_show_rate"] == 0.25
    assert (figures["risks_found"], figures["risks_rectified"]) == (4, 2)
    assert (figures["satisfaction_average"], figures["satisfaction_responses"]) == (4.0, 3)
    by_theme = {row["theme"]: row for row in figures["by_theme"]}
    assert (by_theme["开办餐饮"]["accepted"], by_theme["开办餐饮"]["held"]) == (3, 2)
    assert (by_theme["消防安全"]["held"], by_theme["消防安全"]["no_show"]) == (1, 1)
    assert [row["county_code"] for row in figures["by_county"]] == ["330212"]

    city = coordinator(region=region_tree()["city"])
    both = guidance_indicators(user=city, start=today - timedelta(days=7), end=today)
    assert both["visits_held"] == 4 and both["risks_found"] == 6
    only_beilun = guidance_indicators(user=city, region=beilun, start=today - timedelta(days=7), end=today)
    assert (only_beilun["visits_held"], only_beilun["risks_found"]) == (1, 2)
    last_year = guidance_indicators(user=boss, start=today - timedelta(days=400), end=today - timedelta(days=300))
    assert last_year["bookings_accepted"] == last_year["visits_held"] == 0
    assert last_year["no_show_rate"] is None

    response = api_as(boss).get(f"/api/v1/indicators/guidance/?start={today - timedelta(days=7)}&end={today}")
    assert response.status_code == 200
    assert response.json()["visits_held"] == 3
    assert api_as(boss).get("/api/v1/indicators/guidance/?start=2026-13-01").status_code == 400
    assert api_as(enterprise_user(EnterpriseFactory())).get("/api/v1/indicators/guidance/").status_code == 403
    assert api_as(officer()).get("/api/v1/indicators/guidance/").json()["visits_held"] == 0
