"""The staff admin runs the same services as the API; the demo data is idempotent."""

import re

import pytest
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.core.management import call_command

from guidance import services
from guidance.models import Booking, Risk, Slot, Theme
from inspections.models import InspectionItem
from programs.models import AuditEntry
from tests.factories import DepartmentFactory, coordinator, officer, region_tree

from .factories import BookingFactory, SlotFactory, ThemeFactory, visit_started

pytestmark = pytest.mark.django_db


def test_a_coordinator_confirms_and_cancels_with_a_reason_from_the_admin(client):
    boss = coordinator()
    slot = SlotFactory()
    one, two = BookingFactory(slot=slot), BookingFactory(slot=slot)
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
    theme = ThemeFactory()
    booking = BookingFactory(slot=SlotFactory(themes=[theme]))
    department = theme.departments.get()
    inspector = officer(department=department)
    client.force_login(coordinator())
    response = client.post(
        f"/admin/guidance/booking/{booking.pk}/change/",
        {
            "departments": [department.pk],
            "officers": [inspector.pk],
            "summary": "",
            # The sessions, advice and risks the page shows (read-only: nothing of them is saved here).
            **{
                f"{name}-{count}": 0
                for name in ("sessions", "advice", "risks")
                for count in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
            "programs-auditentry-content_type-object_id-TOTAL_FORMS": 0,
            "programs-auditentry-content_type-object_id-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert list(Booking.objects.get(pk=booking.pk).officers.all()) == [inspector]
    assert AuditEntry.objects.get(object_id=booking.pk, field="officers").new_value == inspector.username


def test_an_officer_does_not_see_bookings_of_other_departments_in_the_admin(client):
    slot = SlotFactory()
    booking = BookingFactory(slot=slot)
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

    slot = SlotFactory()
    booking = BookingFactory(slot=slot)
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


SUMMARY = "现场查看后厨与排烟管道"


def _change_url(booking) -> str:
    return f"/admin/guidance/booking/{booking.pk}/change/"


def _opened(client, booking) -> dict:
    """The booking's admin page as a browser posts it back unchanged: its hidden inputs (the inlines' management
    forms and the like) and the fields it offers for change, with their values as the page was opened."""
    page = client.get(_change_url(booking))
    assert page.status_code == 200
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    form = page.context["adminform"].form
    return {**data, **{name: form[name].value() for name in form.fields}}


def _confirmed(**officers):
    """A confirmed booking, its theme's fire-rescue officer assigned."""
    booking = BookingFactory()
    inspector = officer(department=booking.theme.departments.get(), **officers)
    services.booking_confirm(booking=booking, actor=coordinator(), officers=[inspector])
    return Booking.objects.get(pk=booking.pk), inspector


def _held(booking, inspector):
    return services.booking_complete(booking=visit_started(booking), actor=inspector, summary=SUMMARY)


def _refused(answer, booking):
    """The page came back with the form's errors: nothing saved, nothing logged, no success reported."""
    assert answer.status_code == 200, answer
    assert not LogEntry.objects.filter(object_id=str(booking.pk)).exists()
    assert not [m for m in answer.context["messages"] if m.level == messages.SUCCESS]
    return answer.context["adminform"].form.errors.as_data()


def test_a_summary_changed_on_a_page_opened_before_the_letter_was_issued_is_refused_on_the_field(client):
    booking, inspector = _confirmed()
    booking = _held(booking, inspector)
    client.force_login(inspector)
    opened = _opened(client, booking)
    assert opened["summary"] == SUMMARY  # offered for change: the letter is not issued yet
    booking = services.letter_issue(booking=booking, actor=coordinator())  # meanwhile, at another desk

    answer = client.post(_change_url(booking), {**opened, "summary": "改写的小结"})

    errors = _refused(answer, booking)
    assert [error.code for error in errors["summary"]] == ["letter_issued"]
    assert booking.letter_number in errors["summary"][0].messages[0]
    assert Booking.objects.get(pk=booking.pk).summary == SUMMARY
    assert "summary" not in _opened(client, booking)  # opened again, the page no longer offers it


def test_a_completed_booking_offers_no_pickers_and_its_summary_still_saves(client):
    booking, inspector = _confirmed()
    booking = _held(booking, inspector)
    client.force_login(coordinator())
    opened = _opened(client, booking)
    assert "departments" not in opened and "officers" not in opened

    answer = client.post(_change_url(booking), {**opened, "summary": "补记：排烟管道需改向"})

    assert answer.status_code == 302
    booking.refresh_from_db()
    assert booking.summary == "补记：排烟管道需改向"
    assert list(booking.officers.all()) == [inspector]


def test_pickers_changed_on_a_page_opened_while_the_booking_was_open_are_refused_not_a_server_error(client):
    booking, inspector = _confirmed()
    colleague = officer(department=inspector.department)
    client.force_login(coordinator())
    opened = _opened(client, booking)
    assert opened["officers"] == [inspector.pk]
    _held(booking, inspector)  # meanwhile the visit is held and completed

    answer = client.post(_change_url(booking), {**opened, "officers": [colleague.pk]})

    errors = _refused(answer, booking)
    assert [error.code for error in errors["__all__"]] == ["closed"]
    assert list(Booking.objects.get(pk=booking.pk).officers.all()) == [inspector]


def test_an_officer_of_another_county_is_refused_on_the_field_not_a_server_error(client):
    booking, inspector = _confirmed()
    elsewhere = officer(department=DepartmentFactory(region=region_tree("330203", "海曙区")["county"]))
    client.force_login(coordinator(region=region_tree()["city"]))  # the city's roster spans its counties
    opened = _opened(client, booking)

    answer = client.post(_change_url(booking), {**opened, "officers": [elsewhere.pk]})

    errors = _refused(answer, booking)
    assert "officers" in errors, errors
    assert list(Booking.objects.get(pk=booking.pk).officers.all()) == [inspector]
