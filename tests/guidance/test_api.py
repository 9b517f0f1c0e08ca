"""The REST API for the mobile app: who sees which bookings, what each role may do, and list query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guidance import api as guidance_api
from guidance import services
from guidance.models import Booking
from programs.rest import HasRole
from tests.factories import EnterpriseFactory, UserFactory, coordinator, enterprise_user, officer, region_tree

from .factories import BookingFactory, SlotFactory, ThemeFactory, claimed

pytestmark = pytest.mark.django_db


def test_every_guidance_view_declares_its_roles():
    views = [
        guidance_api.ThemeViewSet,
        guidance_api.SlotViewSet,
        guidance_api.BookingViewSet,
        guidance_api.RiskViewSet,
        guidance_api.OfficerVisitViewSet,
        guidance_api.IndicatorsView,
    ]
    for view in views:
        assert view.permission_classes == [HasRole], view
        assert "read_roles" in vars(view) and "allowed_roles" in vars(view), view


def test_an_enterprise_user_books_through_the_app_and_the_booking_is_its_enterprises(api_as):
    enterprise = EnterpriseFactory()
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme])
    client = api_as(enterprise_user(enterprise))
    themes = client.get("/api/v1/guidance/themes/").json()
    assert [t["code"] for t in themes] == [theme.code]
    slots = client.get(f"/api/v1/guidance/slots/?theme={theme.pk}").json()["results"]
    assert [s["id"] for s in slots] == [slot.pk]
    payload = {"theme": theme.pk, "slot": slot.pk, "contact_name": "王先生", "contact_phone": "13800000000"}
    response = client.post(
        "/api/v1/guidance/bookings/", {**payload, "address": "测试路1号", "consent": True}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["enterprise"], body["business_name"], body["status"]) == (enterprise.pk, enterprise.name, "requested")
    missing = client.post("/api/v1/guidance/bookings/", {**payload, "consent": False}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["error"]["fields"]) == {"consent", "address"}


def test_a_full_slot_is_not_offered_and_a_booking_for_it_is_a_conflict(api_as):
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme], capacity=1)
    BookingFactory(slot=slot)
    client = api_as(enterprise_user())
    assert client.get(f"/api/v1/guidance/slots/?theme={theme.pk}").json()["results"] == []
    response = client.post(
        "/api/v1/guidance/bookings/",
        {
            "theme": theme.pk,
            "slot": slot.pk,
            "contact_name": "王",
            "contact_phone": "13800000000",
            "address": "x",
            "consent": True,
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_full"
    assert "slot" in response.json()["error"]["fields"]


def test_an_enterprise_cannot_see_or_touch_another_enterprises_bookings(api_as):
    mine, theirs = EnterpriseFactory(), EnterpriseFactory()
    slot = SlotFactory()
    own = claimed(BookingFactory(slot=slot, not_registered=False, credit_code=mine.credit_code))
    other = claimed(BookingFactory(slot=slot, not_registered=False, credit_code=theirs.credit_code))
    client = api_as(enterprise_user(mine))
    listed = client.get("/api/v1/guidance/bookings/").json()["results"]
    assert [b["reference"] for b in listed] == [own.reference]
    assert client.get(f"/api/v1/guidance/bookings/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/guidance/bookings/{other.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert client.get(f"/api/v1/guidance/bookings/{other.pk}/letter/").status_code == 404
    assert Booking.objects.get(pk=other.pk).status == "requested"


def test_an_enterprise_reschedules_and_cancels_its_own_booking_through_the_app(api_as):
    enterprise = EnterpriseFactory()
    theme = ThemeFactory()
    first, second = SlotFactory(themes=[theme]), SlotFactory(themes=[theme])
    booking = claimed(BookingFactory(slot=first, not_registered=False, credit_code=enterprise.credit_code))
    client = api_as(enterprise_user(enterprise))
    moved = client.post(f"/api/v1/guidance/bookings/{booking.pk}/reschedule/", {"slot": second.pk})
    assert moved.status_code == 200, moved.content
    assert moved.json()["slot"]["id"] == second.pk
    assert client.post(f"/api/v1/guidance/bookings/{booking.pk}/cancel/", {"reason": "改期"}).json()["status"] == (
        "cancelled"
    )
    assert client.post(f"/api/v1/guidance/bookings/{booking.pk}/cancel/", {"reason": "again"}).status_code == 409


def test_roles_that_may_not_act_are_refused(api_as):
    booking = BookingFactory()
    resident = UserFactory(role="resident", is_staff=False, region=None)
    assert api_as(resident).get("/api/v1/guidance/bookings/").status_code == 403
    assert api_as(resident).get("/api/v1/indicators/guidance/").status_code == 403
    inspector = officer()
    assert api_as(inspector).post(f"/api/v1/guidance/bookings/{booking.pk}/confirm/").status_code == 403
    # Coordinators and officers book for callers on the phone (test_phone_bookings); an organiser does not book.
    organiser = UserFactory(role="organiser", region=coordinator().region)
    assert api_as(organiser).post("/api/v1/guidance/bookings/", {}, format="json").status_code == 403
    assert api_as(enterprise_user()).get("/api/v1/guidance/visits/").status_code == 403


def test_officers_see_the_visits_of_their_department_and_their_own_list(api_as):
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme])
    assigned, unassigned = BookingFactory(slot=slot), BookingFactory(slot=slot)
    inspector = officer(department=theme.departments.get())
    services.booking_confirm(booking=assigned, actor=coordinator(), officers=[inspector])
    services.booking_confirm(booking=unassigned, actor=coordinator(), departments=[], officers=[])
    client = api_as(inspector)
    assert [b["id"] for b in client.get("/api/v1/guidance/bookings/").json()["results"]] == [assigned.pk]
    assert [b["id"] for b in client.get("/api/v1/guidance/visits/").json()["results"]] == [assigned.pk]
    assert client.get(f"/api/v1/guidance/bookings/{unassigned.pk}/").status_code == 404


def test_a_coordinator_sees_only_bookings_of_their_region():
    here = SlotFactory()
    there = SlotFactory(region=region_tree("330206", "北仑区")["county"])
    near, far = BookingFactory(slot=here), BookingFactory(slot=there)
    from guidance.selectors import booking_list

    assert list(booking_list(user=coordinator())) == [near]
    beilun = coordinator(region=region_tree("330206", "北仑区")["county"])
    assert list(booking_list(user=beilun)) == [far]


def test_the_booking_list_costs_the_same_queries_for_five_rows_as_for_twenty(api_as):
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme], capacity=30)
    inspector = officer(department=theme.departments.get())
    for _ in range(25):
        booking = BookingFactory(slot=slot)
        services.booking_confirm(booking=booking, actor=coordinator(), officers=[inspector])
        services.risk_record(booking=booking, actor=inspector, description="隐患")
    client = api_as(coordinator())
    counts = []
    for size in (5, 20):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/guidance/bookings/?page_size={size}")
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_coordinator_publishes_a_one_off_slot_in_their_region_only(api_as):
    theme = ThemeFactory()
    client = api_as(coordinator())
    payload = {
        "starts_at": "2030-03-05T09:00:00+08:00",
        "ends_at": "2030-03-05T11:00:00+08:00",
        "mode": "online",
        "capacity": 4,
        "themes": [theme.pk],
    }
    made = client.post("/api/v1/guidance/slots/", {**payload, "region": region_tree()["county"].pk}, format="json")
    assert made.status_code == 201, made.content
    elsewhere = region_tree("330206", "北仑区")["county"].pk
    assert client.post("/api/v1/guidance/slots/", {**payload, "region": elsewhere}, format="json").status_code == 403
