"""Plan entries, inspections and findings store their enterprise's division code (StoresRegionCode): the region
scope reads it from the rows' own index (no join to the enterprises), and an enterprise that moves takes its rows
along."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from inspections import selectors, services
from inspections.models import Finding, PlanEntry
from programs import services as core_services
from programs.models import User
from tests.factories import DepartmentFactory, EnterpriseFactory, UserFactory, region_tree

from .factories import MONTH, InspectionFactory, PlanEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_counties():
    here, there = region_tree(), region_tree("330283", "奉化区")
    return {
        "here": here,
        "there": there,
        "here_coordinator": UserFactory(role=User.Role.COORDINATOR, region=here["county"]),
        "there_coordinator": UserFactory(role=User.Role.COORDINATOR, region=there["county"]),
        "city_coordinator": UserFactory(role=User.Role.COORDINATOR, region=here["city"]),
    }


def entry_in(tree):
    """A submitted entry of a department of ``tree``'s county for a new enterprise of its village."""
    return PlanEntryFactory(
        department=DepartmentFactory(region=tree["county"]), enterprise=EnterpriseFactory(region=tree["village"])
    )


def test_an_entry_stores_its_enterprises_division_code(two_counties):
    enterprise = EnterpriseFactory(region=two_counties["here"]["village"])
    entry = PlanEntryFactory(enterprise=enterprise)
    assert entry.region_code == two_counties["here"]["village"].code
    entry.refresh_from_db()
    assert entry.region_code == "330212001001"


def test_each_coordinator_sees_the_entries_of_their_area(two_counties):
    ours = entry_in(two_counties["here"])
    theirs = entry_in(two_counties["there"])
    assert list(selectors.plan_entry_list(user=two_counties["here_coordinator"])) == [ours]
    assert list(selectors.plan_entry_list(user=two_counties["there_coordinator"])) == [theirs]
    # The city holds both counties (330212 and 330283 share the city prefix 3302).
    assert set(selectors.plan_entry_list(user=two_counties["city_coordinator"])) == {ours, theirs}


def test_an_enterprise_that_moves_takes_its_rows_along(two_counties, cast):
    enterprise = cast.enterprise  # in the village of "here" (330212)
    visit = InspectionFactory(cast=cast)
    entry = visit.plan_entries.get()
    finding = services.finding_record(
        inspection=visit,
        item=visit.items.get(),
        severity=Finding.Severity.GENERAL,
        description="消防通道堆放杂物",
        deadline=visit.month + timedelta(days=40),
        actor=cast.market_officer,
    )
    assert {visit.region_code, finding.region_code} == {two_counties["here"]["village"].code}
    superuser = UserFactory(is_superuser=True, region=None)
    core_services.enterprise_update(enterprise=enterprise, actor=superuser, region=two_counties["there"]["village"])
    moved = two_counties["there"]["village"].code
    for row in (entry, visit, finding):
        row.refresh_from_db()
        assert row.region_code == moved, row
    here, there = two_counties["here_coordinator"], two_counties["there_coordinator"]
    assert not selectors.plan_entry_list(user=here).exists()
    assert list(selectors.plan_entry_list(user=there)) == [entry]
    assert not selectors.inspection_list(user=here).exists() and not selectors.finding_list(user=here).exists()
    assert list(selectors.inspection_list(user=there)) == [visit]
    assert list(selectors.finding_list(user=there)) == [finding]


def test_the_lists_count_reads_the_entries_alone(two_counties):
    """The API's count (and its page) filter on the stored code: the statement that counts joins no enterprise
    and no region, so it can be answered from the (month, region_code) index."""
    for _n in range(3):
        entry_in(two_counties["here"])
    entry_in(two_counties["there"])
    client = APIClient()
    client.force_authenticate(two_counties["here_coordinator"])
    with CaptureQueriesContext(connection) as statements:
        answer = client.get("/api/v1/plan-entries/", {"month": MONTH.isoformat()})
    assert answer.status_code == 200, answer.content
    assert answer.json()["count"] == 3
    counts = [q["sql"] for q in statements.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the list counted nothing"
    for sql in counts:
        assert "inspections_planentry" in sql
        assert "programs_enterprise" not in sql and "programs_region" not in sql, sql


def test_the_admin_region_filter_reads_the_stored_code(two_counties, client):
    ours = entry_in(two_counties["here"])
    entry_in(two_counties["there"])
    client.force_login(two_counties["city_coordinator"])
    page = client.get("/admin/inspections/planentry/", {"in_region": two_counties["here"]["county"].code})
    assert page.status_code == 200
    shown = list(page.context["cl"].result_list)
    assert shown == [ours]
    assert PlanEntry.objects.count() == 2


@pytest.mark.postgres
def test_the_enterprise_is_locked_before_its_code_is_read_and_before_a_chunks_entries(two_counties, cast):
    """A move of the enterprise (``enterprise_update``: the enterprise FOR UPDATE, then its rows' codes) must not
    slip between an entry's reading of the code and its insert (the entry would keep the old code), nor wait on a
    coordination chunk's locked entries while the chunk waits on the enterprise (a deadlock): every writer locks
    the enterprise first."""
    with CaptureQueriesContext(connection) as made:
        PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, actor=cast.market_officer)
    reads = [q["sql"] for q in made.captured_queries if '"region"."code"' in q["sql"] or "region_code" in q["sql"]]
    locking = [sql for sql in made.captured_queries if "FOR NO KEY UPDATE" in sql["sql"]]
    assert any('FROM "programs_enterprise"' in q["sql"] for q in locking), reads
    with CaptureQueriesContext(connection) as coordinated:
        services.month_coordinate(region=cast.county, month=MONTH, actor=cast.coordinator)
    locks = [q["sql"] for q in coordinated.captured_queries if "FOR " in q["sql"] and "UPDATE" in q["sql"]]
    enterprises = next(i for i, sql in enumerate(locks) if 'FROM "programs_enterprise"' in sql)
    entries = next(i for i, sql in enumerate(locks) if 'FROM "inspections_planentry"' in sql)
    assert enterprises < entries, locks


def test_a_regions_code_cannot_be_changed_in_the_admin(client):
    """Rows store division codes (and every subtree is a code prefix): a reissued code is a new region."""
    region = region_tree()["village"]
    client.force_login(UserFactory(is_superuser=True, region=None))
    page = client.get(f"/admin/programs/region/{region.pk}/change/")
    assert page.status_code == 200
    assert "code" not in page.context["adminform"].form.fields
    assert client.get("/admin/programs/region/add/").context["adminform"].form.fields["code"]
