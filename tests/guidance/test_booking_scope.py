"""A booking stores its region's division code (issue 16): the staff's scope is a prefix on the table's own index,
and the code follows the booking when it is moved to a slot elsewhere."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guidance import selectors, services
from guidance.models import Booking
from tests.factories import coordinator, region_tree

from .factories import BookingFactory, SlotFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def visible(user) -> set[int]:
    return set(selectors.booking_list(user=user).values_list("pk", flat=True))


def test_a_booking_is_seen_by_its_regions_staff_and_follows_a_move_to_another_county():
    yinzhou, beilun = region_tree()["county"], region_tree("330206", "北仑区")["county"]
    theme = ThemeFactory()
    booking = BookingFactory(slot=SlotFactory(region=yinzhou, themes=[theme]))
    assert Booking.objects.get(pk=booking.pk).region_code == yinzhou.code
    here, there = coordinator(region=yinzhou), coordinator(region=beilun)
    assert (booking.pk in visible(here), booking.pk in visible(there)) == (True, False)

    services.booking_reschedule(booking=booking, slot=SlotFactory(region=beilun, themes=[theme]), actor=None)
    assert Booking.objects.get(pk=booking.pk).region_code == beilun.code
    assert (booking.pk in visible(here), booking.pk in visible(there)) == (False, True)


def test_the_scope_reads_the_bookings_own_column():
    with CaptureQueriesContext(connection) as queries:
        list(selectors.booking_list(user=coordinator()))
    sql = next(query["sql"] for query in queries.captured_queries if 'FROM "guidance_booking"' in query["sql"])
    assert '"guidance_booking"."region_code"' in sql and '"programs_region"."code"' not in sql.split("WHERE")[1]
