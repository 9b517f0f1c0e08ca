"""Issue 16, point 2: the API's plan entries read their items' ids from a list the page prefetched
(``programs.selectors.prefetch_as_list``); an entry read alone reads them from the relation. Both must give the
same JSON, in the catalogue's order, and the list a fixed number of statements whatever its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections.models import InspectionItem
from programs.models import User
from tests.factories import DepartmentFactory, EnterpriseFactory, UserFactory, region_tree

from .factories import MONTH, ItemFactory, PlanEntryFactory

pytestmark = pytest.mark.django_db
# The caller's token, the count, the page (with the department and the enterprise joined), the items' ids.
PAGE_STATEMENTS = 4


def _entries(count: int, department) -> list:
    """``count`` submitted entries of the department, the first with three items made out of their code order."""
    items = [ItemFactory(department=department, code=code) for code in ("ITEM-C", "ITEM-A", "ITEM-B")]
    first = PlanEntryFactory(department=department, enterprise=EnterpriseFactory(), items=items)
    return [first, *(PlanEntryFactory(department=department, enterprise=EnterpriseFactory()) for _ in range(count - 1))]


def test_each_listed_entry_is_the_entry_read_alone(api_as):
    department = DepartmentFactory(region=region_tree()["county"])
    entries = _entries(3, department)
    client = api_as(UserFactory(role=User.Role.COORDINATOR, region=region_tree()["county"]))
    listed = client.get(f"/api/v1/plan-entries/?month={MONTH.isoformat()}")
    assert listed.status_code == 200
    rows = {row["id"]: row for row in listed.json()["results"]}
    assert sorted(rows) == sorted(entry.pk for entry in entries)
    for entry in entries:
        alone = client.get(f"/api/v1/plan-entries/{entry.pk}/")
        assert alone.status_code == 200
        assert rows[entry.pk] == alone.json()
    codes = dict(InspectionItem.objects.values_list("pk", "code"))
    first = rows[entries[0].pk]
    assert [codes[pk] for pk in first["items"]] == ["ITEM-A", "ITEM-B", "ITEM-C"]
    assert first["department_name"] == department.name
    assert first["inspection"] is None


def test_the_list_reads_a_fixed_number_of_statements(api_as):
    department = DepartmentFactory(region=region_tree()["county"])
    client = api_as(UserFactory(role=User.Role.COORDINATOR, region=region_tree()["county"]))
    counts = []
    for more in (1, 6):
        for _ in range(more):
            PlanEntryFactory(department=department, enterprise=EnterpriseFactory())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/plan-entries/?month={MONTH.isoformat()}")
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    assert response.json()["count"] == 7
    assert counts == [PAGE_STATEMENTS, PAGE_STATEMENTS]
