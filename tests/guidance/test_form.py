"""The public booking form at /guidance/: free slots, an error next to each bad field, one booking per submit,
CSRF and rate limiting, no JavaScript needed."""

import os
import re
import time

import pytest
from django.core import mail
from django.test import Client

from guidance.models import Booking, Slot
from programs.models import Enterprise
from programs.services import notifications_send_due
from tests.factories import EnterpriseFactory, enterprise_user

from .factories import BookingFactory, SlotFactory, ThemeFactory, claimed

pytestmark = pytest.mark.django_db


def form_data(slot, **overrides):
    page = Client().get(f"/guidance/book/{slot.themes.get().code}/")
    key = re.search(r'name="submission_key" value="(\w+)"', page.text).group(1)
    return {
        "slot": slot.pk,
        "not_registered": "on",
        "business_name": "周女士的面馆（筹）",
        "contact_name": "周女士",
        "contact_phone": "13900000001",
        "contact_email": "zhou@example.cn",
        "address": "北仑区梅山街道1号",
        "needs": "油烟净化器安装位置、消防和垃圾分类",
        "consent": "on",
        "submission_key": key,
        **overrides,
    }


def test_the_theme_page_lists_the_themes_and_the_booking_page_its_free_slots_without_javascript(client):
    theme = ThemeFactory(title="开办餐饮")
    free = SlotFactory(themes=[theme], capacity=2)
    full = SlotFactory(themes=[theme], capacity=1)
    BookingFactory(slot=full)
    assert "开办餐饮" in client.get("/guidance/").text
    page = client.get(f"/guidance/book/{theme.code}/")
    assert page.status_code == 200
    assert f'value="{free.pk}"' in page.text
    # A full time is offered as its waitlist, named so.
    assert re.search(rf'value="{full.pk}"[^>]*>[^<]*候补', page.text)
    assert "csrfmiddlewaretoken" in page.text
    # Without JavaScript the district picker has its own button; a script only saves that click.
    assert 'name="show_district"' in page.text
    assert 'name="viewport"' in page.text


def test_someone_about_to_open_a_restaurant_books_with_a_name_and_gets_a_reference(client):
    slot = SlotFactory()
    response = client.post(f"/guidance/book/{slot.themes.get().code}/", form_data(slot))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.enterprise, booking.credit_code, booking.business_name) == (None, "", "周女士的面馆（筹）")
    confirmation = client.get(response["Location"])
    assert booking.reference in confirmation.text
    notifications_send_due()
    assert any(booking.reference in m.subject for m in mail.outbox)


def test_a_registered_enterprise_is_matched_by_its_credit_code_typed_loosely(client):
    enterprise = EnterpriseFactory()
    slot = SlotFactory()
    loose = " " + enterprise.credit_code.lower() + " "
    data = form_data(slot, not_registered="", credit_code=loose, business_name="")
    assert client.post(f"/guidance/book/{slot.themes.get().code}/", data).status_code == 302
    booking = Booking.objects.get()
    # Matched, but a stranger may have typed it: not the enterprise's own until one of its users claims it.
    assert (booking.enterprise, booking.unverified_enterprise, booking.credit_code, booking.business_name) == (
        None,
        enterprise,
        enterprise.credit_code,
        enterprise.name,
    )
    assert Enterprise.objects.count() == 1


def test_each_bad_field_gets_its_own_error_and_nothing_is_booked(client):
    slot = SlotFactory()
    data = form_data(
        slot,
        not_registered="",
        credit_code="",
        business_name="",
        contact_name="",
        contact_phone="abc",
        contact_email="not-an-email",
        address="",
        consent="",
    )
    response = client.post(f"/guidance/book/{slot.themes.get().code}/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {
        "credit_code",
        "business_name",
        "contact_name",
        "contact_phone",
        "contact_email",
        "address",
        "consent",
    }
    assert 'id="id_contact_phone_errors"' in response.text  # shown next to the field
    assert not Booking.objects.exists()


def test_a_credit_code_with_a_wrong_check_character_is_refused_on_its_field(client):
    enterprise = EnterpriseFactory()
    wrong = enterprise.credit_code[:-1] + ("0" if enterprise.credit_code[-1] != "0" else "1")
    slot = SlotFactory()
    data = form_data(slot, not_registered="", credit_code=wrong)
    response = client.post(f"/guidance/book/{slot.themes.get().code}/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["credit_code"]


def test_a_missing_or_withdrawn_slot_is_named_on_the_slot_field(client):
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme], capacity=1)
    data = form_data(slot)
    Slot.objects.filter(pk=slot.pk).update(is_withdrawn=True)
    response = client.post(f"/guidance/book/{theme.code}/", data)
    assert response.status_code == 400
    assert "slot" in response.context["form"].errors
    response = client.post(f"/guidance/book/{theme.code}/", {**data, "slot": ""})
    assert "slot" in response.context["form"].errors


def test_a_double_submit_makes_one_booking(client):
    slot = SlotFactory()
    data = form_data(slot)
    first = client.post(f"/guidance/book/{slot.themes.get().code}/", data)
    second = client.post(f"/guidance/book/{slot.themes.get().code}/", data)
    assert first.status_code == second.status_code == 302
    # Both lead to the same booking's page (the signed links may differ by their time stamp).
    assert first["Location"].split(":")[0] == second["Location"].split(":")[0]
    assert Booking.objects.count() == 1
    slot.refresh_from_db()
    assert slot.booked == 1


def test_the_form_refuses_a_post_without_the_csrf_token():
    slot = SlotFactory()
    response = Client(enforce_csrf_checks=True).post(f"/guidance/book/{slot.themes.get().code}/", form_data(slot))
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_too_many_posts_from_one_address_are_turned_away(client, settings, own_cache):
    settings.PUBLIC_FORM_RATE = "5/h"  # an hour's window: the test cannot straddle a window boundary in practice
    slot = SlotFactory()
    data = form_data(slot, contact_phone="x")
    address = f"10.{os.getpid() % 250}.{time.time_ns() % 250}.7"  # its own counter, whoever else runs tests
    statuses = [
        client.post(f"/guidance/book/{slot.themes.get().code}/", data, REMOTE_ADDR=address).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [400] * 5
    # django-ratelimit refuses with its PermissionDenied subclass: 429 once RatelimitMiddleware is installed.
    assert statuses[5] in (403, 429)
    assert not Booking.objects.exists()


def test_a_signed_in_enterprise_user_sees_all_its_bookings_and_no_one_elses(client):
    mine, theirs = EnterpriseFactory(), EnterpriseFactory()
    slot = SlotFactory()
    own = claimed(BookingFactory(slot=slot, not_registered=False, credit_code=mine.credit_code))
    other = claimed(BookingFactory(slot=slot, not_registered=False, credit_code=theirs.credit_code))
    client.force_login(enterprise_user(mine))
    page = client.get("/guidance/mine/")
    assert own.reference in page.text
    assert other.reference not in page.text
