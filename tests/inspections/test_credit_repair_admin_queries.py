"""The admin list of credit repair applications reads each row's case, its enterprise and the department in the
list's own query: the same number of statements for one application and for five."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.inspections.repair_helpers import apply, fulfilled_case, rules

pytestmark = pytest.mark.django_db
URL = "/admin/inspections/repairapplication/"


def _statements(client) -> int:
    client.get(URL)  # warm the caches
    with CaptureQueriesContext(connection) as captured:
        page = client.get(URL)
    assert page.status_code == 200
    return len(captured)


def test_the_applications_list_reads_in_the_same_statements_for_1_and_5_rows(client, cast):
    rules()
    apply(cast, fulfilled_case(cast, decided_days_ago=100))
    client.force_login(cast.market_officer)
    one = _statements(client)
    for _n in range(4):
        apply(cast, fulfilled_case(cast, decided_days_ago=100))
    five = _statements(client)
    assert client.get(URL).context["cl"].result_count == 5
    assert five == one
