"""The staff admin runs the same services as the API; the demo data is idempotent."""

import pytest
from django.core.management import call_command

from guidance.models import Booking, Risk, Slot, Theme
from inspections.models import InspectionItem
from programs.models import AuditEntry
from tests.factories import coordinator, officer

from .factories import book, make_slot, make_theme

pytestmark = pytest.mark.django_db


def test_a_coordinator_confirms_and_cancels_with_a_reason_from_the_admin(client):
    boss = coordinator()
    slot = make_slot(make_theme())
    one, two = book(slot), book(slot)
    client.force_login(boss)
    assert client.get("/admin/guidance/booking/").status_code == 200
    assert client.get(f"/admin/guidance/booking/{one.pk}/change/").status_code == 200
    client.post("/admin/guidance/booking/", {"action": "action_confirm", "_selected_action": [one.pk], "reason": ""})
    client.post(
        "/admin/guidance/booking/", {"action": "action_cancel", "_selected_action": [two.pk], "reason": "重复预约"}
    )
    assert Booking.objects.get(pk=one.pk).status == "confirmed"
    cancelled = Booking.objects.get(pk=two.pk)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "重复预约")
    assert AuditEntry.objects.get(object_id=two.pk, new_value="cancelled").actor == boss
    slot.refresh_from_db()
    assert slot.booked == 1


def test_assigning_officers_in_the_admin_goes_through_the_service_and_is_audited(client):
    theme = make_theme()
    booking = book(make_slot(theme))
    department = theme.departments.get()
    inspector = officer(department=department)
    client.force_login(coordinator())
    response = client.post(
        f"/admin/guidance/booking/{booking.pk}/change/",
        {
            "departments": [department.pk],
            "officers": [inspector.pk],
            "summary": "",
            "guidance-advice-booking-TOTAL_FORMS": 0,
            "guidance-advice-booking-INITIAL_FORMS": 0,
            "guidance-risk-booking-TOTAL_FORMS": 0,
            "guidance-risk-booking-INITIAL_FORMS": 0,
            "programs-auditentry-content_type-object_id-TOTAL_FORMS": 0,
            "programs-auditentry-content_type-object_id-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert list(Booking.objects.get(pk=booking.pk).officers.all()) == [inspector]
    assert AuditEntry.objects.get(object_id=booking.pk, field="officers").new_value == inspector.username


def test_an_officer_does_not_see_bookings_of_other_departments_in_the_admin(client):
    slot = make_slot(make_theme())
    booking = book(slot)
    client.force_login(officer())
    page = client.get("/admin/guidance/booking/")
    assert page.status_code == 200
    assert booking.reference not in page.text


def test_seed_demo_makes_thirteen_themes_a_month_of_slots_and_bookings_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = (Theme.objects.count(), Slot.objects.count(), Booking.objects.count(), Risk.objects.count())
    call_command("seed_demo", verbosity=0)
    assert counts == (Theme.objects.count(), Slot.objects.count(), Booking.objects.count(), Risk.objects.count())
    assert counts[0] == 13
    assert counts[1] >= 28  # 2 counties × 4 weekly templates × 4 weeks, less what has passed this week
    assert set(Booking.objects.values_list("status", flat=True)) >= {"requested", "confirmed", "completed", "no_show"}
    assert InspectionItem.objects.filter(code__startswith="G-").count() >= 13
    for theme in Theme.objects.all():
        assert theme.items.exists() and theme.departments.exists(), theme.code


def test_withdrawing_a_slot_cancels_its_bookings_with_the_reason_and_tells_them(client):
    from programs.models import Notification

    slot = make_slot(make_theme())
    booking = book(slot)
    client.force_login(coordinator())
    refused = client.post(
        "/admin/guidance/slot/", {"action": "withdraw", "_selected_action": [slot.pk], "reason": ""}, follow=True
    )
    assert refused.status_code == 200
    assert Slot.objects.get(pk=slot.pk).is_withdrawn is False
    client.post("/admin/guidance/slot/", {"action": "withdraw", "_selected_action": [slot.pk], "reason": "台风预警"})
    slot.refresh_from_db()
    booking.refresh_from_db()
    assert (slot.is_withdrawn, slot.booked, booking.status) == (True, 0, "cancelled")
    assert "台风预警" in booking.cancel_reason
    assert Notification.objects.filter(dedupe_key=f"guidance:booking:{booking.pk}:cancelled:sms").exists()
    assert AuditEntry.objects.get(object_id=slot.pk, field="withdrawn").reason == "台风预警"
