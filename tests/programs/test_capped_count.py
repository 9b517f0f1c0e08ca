"""A list's count does not scan the whole scope: it is exact up to API_COUNT_CAP, then the cap with count_capped."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EnterpriseFactory, coordinator

pytestmark = pytest.mark.django_db
LIST = "/api/v1/enterprises/"


@pytest.fixture
def low_cap(settings):
    settings.API_COUNT_CAP = 5


def test_past_the_cap_the_count_is_the_cap_and_says_so(api_as, low_cap):
    EnterpriseFactory.create_batch(12)
    client = api_as(coordinator())
    body = client.get(LIST, {"page_size": 5}).json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (5, True, 5)
    assert body["next"] is not None and "page=2" in body["next"]
    assert body["previous"] is None

    second = client.get(LIST, {"page_size": 5, "page": 2}).json()
    assert (second["count"], second["count_capped"], len(second["results"])) == (5, True, 5)
    assert "page=3" in second["next"]
    assert second["previous"] is not None

    third = client.get(LIST, {"page_size": 5, "page": 3})
    assert third.status_code == 200, third.content  # past the cap, still served by number
    body = third.json()
    assert (len(body["results"]), body["next"], body["count_capped"]) == (2, None, True)
    assert "page=2" in body["previous"]

    seen = [
        row["id"] for page in (1, 2, 3) for row in client.get(LIST, {"page_size": 5, "page": page}).json()["results"]
    ]
    assert len(seen) == len(set(seen)) == 12


def test_a_page_past_the_last_row_is_still_a_404(api_as, low_cap):
    EnterpriseFactory.create_batch(12)
    response = api_as(coordinator()).get(LIST, {"page_size": 5, "page": 4})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_page_that_ends_exactly_at_the_last_row_has_no_next(api_as, low_cap):
    EnterpriseFactory.create_batch(10)
    body = api_as(coordinator()).get(LIST, {"page_size": 5, "page": 2}).json()
    assert (body["count_capped"], len(body["results"]), body["next"]) == (True, 5, None)


def test_under_the_cap_the_count_is_exact(api_as, low_cap):
    EnterpriseFactory.create_batch(4)
    body = api_as(coordinator()).get(LIST, {"page_size": 3}).json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (4, False, 3)
    assert "page=2" in body["next"]
    assert api_as(coordinator()).get(LIST, {"page_size": 3, "page": 3}).status_code == 404


def test_exactly_the_cap_is_not_capped(api_as, low_cap):
    EnterpriseFactory.create_batch(5)
    body = api_as(coordinator()).get(LIST).json()
    assert (body["count"], body["count_capped"], body["next"]) == (5, False, None)


def test_the_count_statement_is_limited(api_as, low_cap):
    EnterpriseFactory.create_batch(7)
    client = api_as(coordinator())
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, [q["sql"] for q in captured.captured_queries]
    assert all("LIMIT 6" in sql.upper() for sql in counts), counts


def test_the_schema_documents_count_capped(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    page = schema["components"]["schemas"]["PaginatedEnterpriseList"]
    assert page["properties"]["count_capped"]["type"] == "boolean"
    assert "count_capped" in page["required"]
    assert "10,000" in page["properties"]["count"]["description"]


def test_the_admin_list_counts_up_to_the_cap_and_says_at_least(client, low_cap):
    """The changelist (RoleScopedAdmin) uses the same capped paginator: no COUNT over the whole scope, the line
    under the list says "5+", and the pages past the cap still list their rows."""
    EnterpriseFactory.create_batch(12)
    client.force_login(coordinator())
    with CaptureQueriesContext(connection) as statements:
        page = client.get("/admin/programs/enterprise/", {"o": "1"})
    assert page.status_code == 200
    counts = [q["sql"] for q in statements.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts
    assert page.context["cl"].paginator.capped
    assert "5+" in page.content.decode()
    # A list shorter than the cap is counted exactly, without the "+".
    exact = client.get("/admin/programs/enterprise/", {"q": EnterpriseFactory(name="独一无二的企业").name})
    assert exact.context["cl"].result_count == 1
    assert not exact.context["cl"].paginator.capped


def test_past_the_cap_the_admin_offers_the_next_page_and_no_select_all(client, low_cap, settings):
    """The page numbers stop at the cap's last page: a full page links the page after it; and "select all N"
    would name fewer rows than the action would run on, so it is not offered."""
    EnterpriseFactory.create_batch(12)
    client.force_login(coordinator())
    last_counted = client.get("/admin/programs/enterprise/", {"o": "1"}).context["cl"]
    per_page = last_counted.list_per_page
    assert per_page > 5  # one page holds every row: no next page past the cap
    page = client.get("/admin/programs/enterprise/", {"o": "1"})
    assert 'class="question' not in page.content.decode()  # no "select all 5 enterprises"

    from programs.admin import RoleScopedAdmin

    settings.API_COUNT_CAP = 5  # counted: 5 rows, pages 1–3 of 2
    original = RoleScopedAdmin.list_per_page
    RoleScopedAdmin.list_per_page = 2
    try:
        first = client.get("/admin/programs/enterprise/", {"o": "1"})
        assert first.context["cl"].paginator.capped
        assert "p=4" not in first.content.decode()  # the counted pages are linked as usual
        last_counted = client.get("/admin/programs/enterprise/", {"o": "1", "p": "3"})
        assert "?o=1&amp;p=4" in last_counted.content.decode()  # … and the one after the cap's last
        beyond = client.get("/admin/programs/enterprise/", {"o": "1", "p": "6"})
        assert beyond.status_code == 200
        assert len(beyond.context["cl"].result_list) == 2  # rows 11–12: past the counted ones, still listed
        assert "p=7" not in beyond.content.decode()  # and nothing after the last row
        after = client.get("/admin/programs/enterprise/", {"o": "1", "p": "5"})
        assert "?o=1&amp;p=6" in after.content.decode()
    finally:
        RoleScopedAdmin.list_per_page = original
