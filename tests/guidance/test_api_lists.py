"""Issue 16, point 2: the API's booking lists read their bookings' relations from ``Prefetch(to_attr=...)``
lists (``selectors._booking_queryset(as_lists=True)``); a booking answered alone (retrieve, an action) reads
them from the relations. Both must give the same JSON, and the list a fixed number of statements."""

import json

import pytest

from guidance import selectors, services
from guidance.api import GuidanceBookingSerializer
from guidance.models import Booking
from programs.models import Department
from tests.factories import DepartmentFactory, EnterpriseFactory, coordinator, enterprise_user, officer, region_tree

from .factories import BookingFactory, SlotFactory, ThemeFactory, claimed, visit_started

pytestmark = pytest.mark.django_db


def _bookings(enterprise, count):
    """``count`` bookings of the enterprise: the first with everything filled in (two departments and two
    officers, a slot offering two themes, two risks one of them on an item, a first and a follow-up session with
    their officers), the others requested only (empty relations)."""
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme, ThemeFactory()], capacity=count + 1)
    fire = theme.departments.get()
    market = DepartmentFactory(kind=Department.Kind.MARKET_SUPERVISION, region=region_tree()["county"])
    inspector, colleague = officer(department=fire), officer(department=market)
    full, *others = (
        claimed(BookingFactory(slot=slot, theme=theme, not_registered=False, credit_code=enterprise.credit_code))
        for _ in range(count)
    )
    services.booking_confirm(booking=full, actor=coordinator(), departments=[fire], officers=[inspector, colleague])
    full = visit_started(full)
    item = theme.items.get()
    risk = services.risk_record(booking=full, actor=inspector, description="灭火器过期", item=item, suggestion="更换")
    services.session_record(booking=full, actor=inspector, officers=[inspector], summary="现场查看后厨")
    full.refresh_from_db()
    services.risk_record(booking=full, actor=inspector, description="疏散通道堆物")
    services.risk_submit_evidence(risk=risk, actor=inspector, note="已更换")
    services.risk_confirm(risk=risk, actor=inspector)
    services.session_record(booking=full, actor=inspector, officers=[inspector, colleague], summary="复查")
    return [full, *others]


def test_the_list_answers_each_booking_as_its_retrieve_and_its_actions_do(api_as, rf):
    enterprise = EnterpriseFactory()
    full, *others = _bookings(enterprise, 3)
    client = api_as(enterprise_user(enterprise))
    listed = client.get("/api/v1/guidance/bookings/?page_size=50").json()["results"]
    assert {row["id"] for row in listed} == {full.pk, *(b.pk for b in others)}
    [row] = [row for row in listed if row["id"] == full.pk]
    assert row["departments"] and len(row["officers"]) == 2 and len(row["slot"]["themes"]) == 2
    assert len(row["risks"]) == 2 and row["risks"][0]["item_name"]
    assert [len(s["officers"]) for s in row["sessions"]] == [1, 2]
    request = rf.get("/")
    for row in listed:
        retrieved = client.get(f"/api/v1/guidance/bookings/{row['id']}/")
        assert retrieved.status_code == 200
        assert retrieved.json() == row
        # As an action answers it: ``booking_detail``, the relations read through their managers.
        detail = selectors.booking_detail(booking=Booking(pk=row["id"]))
        assert json.loads(json.dumps(GuidanceBookingSerializer(detail, context={"request": request}).data)) == row
    # The officer's own visits are a list for the API too.
    inspector = full.officers.get(department=full.theme.departments.get())
    visits = api_as(inspector).get("/api/v1/guidance/visits/").json()["results"]
    assert visits == [row for row in listed if row["id"] == full.pk]


def test_the_booking_list_reads_a_page_in_a_fixed_number_of_statements(api_as, django_assert_num_queries):
    enterprise = EnterpriseFactory()
    _bookings(enterprise, 6)
    client = api_as(enterprise_user(enterprise))
    # The token with its user, the count, the page, then one statement each for the departments, the officers,
    # the slots' themes, the risks (with their items), the sessions and the sessions' officers (not the sessions'
    # departments, which the list does not show). The oldest first: the filled-in booking is on both pages.
    for size in (2, 6):
        with django_assert_num_queries(9):
            response = client.get(f"/api/v1/guidance/bookings/?ordering=created_at&page_size={size}")
        assert len(response.json()["results"]) == size
