"""The admin changelists at a province's scale (issue 16): one count per page, a region filter that drills down
inside the user's area instead of listing a province's thousands of places, searches a trigram index can serve
on PostgreSQL, and a pinned number of statements per list."""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from guidance.models import Booking
from inspections.models import Finding, Inspection, PlanEntry
from programs.models import Enterprise, Region, User
from programs.trigram import index_name
from tests.factories import EnterpriseFactory, UserFactory, region_tree
from tests.guidance.factories import BookingFactory
from tests.inspections.factories import InspectionFactory
from tests.workshops.factories import PositionFactory, RegistrationFactory, ResidentFactory, WorkshopFactory
from workshops.models import Registration, Resident

SEVEN = [Enterprise, PlanEntry, Inspection, Finding, Booking, Registration, Resident]
MAX_HTML = 150 * 1024


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def villages(town: Region, count: int) -> list[Region]:
    prefix = town.code[:9]
    return Region.objects.bulk_create(
        Region(code=f"{prefix}{n:03d}", name=f"{town.name}{n}村", level=Region.Level.VILLAGE, parent=town)
        for n in range(2, count + 2)
    )


@pytest.fixture
def province(cast):
    """The cast's tree with 120 more villages in its town, and a second city (3303) of 300 villages."""
    villages(cast.regions["town"], 120)
    other = region_tree("330302", "鹿城区")
    villages(other["town"], 300)
    return other


def in_region_codes(html: str) -> set[str]:
    """The places the region filter (the sidebar's last) offers; other filters' links only carry the chosen one."""
    region_filter = re.findall(r"<details data-filter-title=.*?</details>", html, re.S)[-1]
    return set(re.findall(r"in_region=(\d{12})", region_filter))


@pytest.mark.parametrize("model", SEVEN, ids=lambda m: m.__name__)
def test_the_seven_changelists_count_only_the_filtered_rows(model):
    assert admin.site._registry[model].show_full_result_count is False


def test_a_city_coordinators_enterprise_list_is_small_and_offers_only_their_area(client, cast, province):
    city_coordinator = UserFactory(role=User.Role.COORDINATOR, region=cast.regions["city"])
    client.force_login(city_coordinator)
    page = client.get(changelist(Enterprise))
    assert page.status_code == 200
    assert len(page.content) < MAX_HTML
    codes = in_region_codes(page.text)
    assert codes == {cast.county.code}  # the city's one county; nothing of the other city
    assert "鹿城区" not in page.text


def test_the_region_filter_drills_down_one_level_with_a_link_up(client, cast, province):
    client.force_login(cast.coordinator)
    town = cast.regions["town"]
    page = client.get(changelist(Enterprise), {"in_region": town.code})
    assert page.status_code == 200
    assert len(page.content) < MAX_HTML
    codes = in_region_codes(page.text)
    assert cast.county.code in codes  # the link up (the coordinator's own county)
    assert town.code in codes and cast.village.code in codes
    assert len(codes) == 2 + 121  # up, the town, its 121 villages
    assert all(code.startswith(cast.county.prefix) for code in codes)
    assert cast.enterprise.name in page.text


def test_a_place_outside_the_users_area_is_not_offered_and_lists_nothing(client, cast, province):
    client.force_login(cast.coordinator)
    outside = province["town"]
    page = client.get(changelist(Enterprise), {"in_region": outside.code})
    assert page.status_code == 200
    codes = in_region_codes(page.text)
    assert codes == {cast.regions["town"].code}  # the coordinator's county's towns, as if nothing was chosen
    assert "鹿城区" not in page.text
    assert cast.enterprise.name not in page.text  # the scope and the place together: no row


def test_the_enterprise_search_still_finds_by_name_and_credit_code(client, cast):
    other = EnterpriseFactory(name="海鲜加工厂", region=cast.village)
    client.force_login(cast.coordinator)
    by_name = client.get(changelist(Enterprise), {"q": "鲜加工"})
    assert other.name in by_name.text and cast.enterprise.name not in by_name.text
    by_code = client.get(changelist(Enterprise), {"q": cast.enterprise.credit_code[2:12].lower()})
    assert cast.enterprise.name in by_code.text and other.name not in by_code.text


@pytest.fixture
def every_list(cast):
    """Three rows of each of the seven lists in the cast's county."""
    for _ in range(3):
        enterprise = EnterpriseFactory(region=cast.village)
        inspection = InspectionFactory(cast=cast, enterprise=enterprise)
        Finding.objects.create(
            inspection=inspection,
            enterprise=enterprise,
            item=inspection.items.first(),
            severity=Finding.Severity.GENERAL,
            description="灭火器过期",
            deadline=timezone.localdate() + timedelta(days=10),
            recorded_by=cast.market_officer,
            recorded_at=timezone.now(),
        )
        BookingFactory()
        RegistrationFactory(
            resident=ResidentFactory(village=cast.village),
            position=PositionFactory(workshop=WorkshopFactory(village=cast.village)),
        )
    return cast


# Statements of each list's page for its reader, with three rows of each (a row's statement would add three):
# session, user, scope, the region filter's places, one count, two permission look-ups, the page; a date
# hierarchy adds its range and its days, the booking list its themes filter.
STATEMENTS = {
    Enterprise: 8,
    PlanEntry: 10,
    Inspection: 8,
    Finding: 8,
    Booking: 11,
    Registration: 7,
    Resident: 8,
}


@pytest.mark.parametrize("model", SEVEN, ids=lambda m: m.__name__)
def test_each_changelist_runs_a_pinned_number_of_statements(client, every_list, model, django_assert_max_num_queries):
    reader = every_list.organiser if model in (Registration, Resident) else every_list.coordinator
    client.force_login(reader)
    with django_assert_max_num_queries(STATEMENTS[model]):
        page = client.get(changelist(model))
    assert page.status_code == 200
    assert len(page.content) < MAX_HTML
    assert model.objects.exists() and 'class="paginator"' in page.text


def explain(queryset) -> str:
    """The plan of ``queryset`` with sequential scans priced out (a test table is small enough to scan)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_the_searched_columns_have_trigram_indexes_that_the_search_uses(rf, cast):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%\\_trgm"])
        found = {row[0] for row in cursor.fetchall()}
    expected = {
        index_name(table, column)
        for table, columns in [
            ("programs_enterprise", ("name", "credit_code", "address")),
            ("guidance_booking", ("reference", "business_name", "credit_code", "contact_name")),
            ("inspections_inspection", ("code",)),
            ("workshops_resident", ("name",)),
            ("workshops_registration", ("reference",)),
        ]
        for column in columns
    }
    assert expected <= found, expected - found
    Enterprise.objects.bulk_create(EnterpriseFactory.build_batch(1000, region=cast.village))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE programs_enterprise")
    request = rf.get("/")
    request.user = cast.coordinator
    enterprise_admin = admin.site._registry[Enterprise]
    # The search's own condition (the scope is an index condition of its own; a test table is too small for the
    # planner to choose between them the way it does with a province's data).
    # Unordered: at a test table's size, walking the (name, id) index of the list's order and filtering is as
    # cheap as the trigrams, so an ordered plan would say nothing about the search's own condition.
    searched, _ = enterprise_admin.get_search_results(request, Enterprise.objects.all(), "企业12")
    plan = explain(searched.order_by())
    for column in ("name", "address"):
        assert index_name("programs_enterprise", column) in plan, plan
    # At a test table's size, reading the whole unique index of credit codes is cheaper than the trigrams; without
    # it (dropped in this test's transaction, rolled back after) the search reads its trigram index, not the table.
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX enterprise_unique_credit_code")
    plan = explain(Enterprise.objects.filter(credit_code__icontains=cast.enterprise.credit_code[4:14]).order_by())
    assert index_name("programs_enterprise", "credit_code") in plan, plan
