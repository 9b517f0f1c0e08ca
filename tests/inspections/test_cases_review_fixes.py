"""Defects a review found in the penalty cases: a case only against an enterprise of the officer's own area (the
service and the API's field), service by other means never dated before the document was issued, and the list of
cases reading its documents in a fixed number of statements whatever the page's size."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections.models import PenaltyCase
from inspections.services import case_receipt
from inspections.services import cases as svc
from inspections.services.case_documents import NOTICE, case_document
from tests.factories import EnterpriseFactory, region_tree
from tests.inspections.case_factories import direct_case, penalty_case
from tests.inspections.factories import ItemFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/penalty-cases/"


def elsewhere():
    """An enterprise of another county (江北区), outside the cast's market department's area."""
    return EnterpriseFactory(region=region_tree("330205", "江北区")["village"])


def test_an_officer_cannot_open_a_case_against_an_enterprise_of_another_county(cast):
    with pytest.raises(ValidationError) as refused:
        direct_case(cast, enterprise=elsewhere())
    assert refused.value.error_dict["enterprise"][0].code == "region_out_of_scope"
    assert not PenaltyCase.objects.exists()
    assert direct_case(cast).enterprise == cast.enterprise  # its own area's


def test_the_api_refuses_an_enterprise_outside_the_officers_area_on_the_field(cast, api_as):
    item = ItemFactory(department=cast.market)
    body = {"item": item.pk, "procedure": "simple", "penalty_kind": "warning", "facts": "未按规定公示许可证"}
    refused = api_as(cast.market_officer).post(URL, {**body, "enterprise": elsewhere().pk}, format="json")
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["enterprise"]
    assert refused.json()["error"]["code"] == "invalid"  # a pk outside the scoped list
    assert not PenaltyCase.objects.exists()
    created = api_as(cast.market_officer).post(URL, {**body, "enterprise": cast.enterprise.pk}, format="json")
    assert created.status_code == 201 and created.json()["enterprise"] == cast.enterprise.pk


def test_service_by_other_means_is_never_dated_before_the_document_was_issued(cast, django_capture_on_commit_callbacks):
    case = penalty_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.case_notify(case=case, actor=cast.market_officer)
    issued_at = case_document(case, NOTICE).issued_at
    with pytest.raises(ValidationError) as refused:
        case_receipt.case_served_otherwise(
            case=case, actor=cast.market_officer, kind=NOTICE, note="当场送达", at=issued_at - timedelta(hours=1)
        )
    assert refused.value.error_dict["at"][0].code == "before_issue"
    case.refresh_from_db()
    assert case.notice_served_at is None
    served = case_receipt.case_served_otherwise(
        case=case, actor=cast.market_officer, kind=NOTICE, note="当场送达", at=issued_at
    )
    assert served.notice_served_at == issued_at


def _list_statements(api, size: int) -> tuple[int, list]:
    api.get(URL, {"page_size": size})  # warm the content-type cache and the session
    with CaptureQueriesContext(connection) as captured:
        answer = api.get(URL, {"page_size": size})
    assert answer.status_code == 200
    return len(captured), answer.json()["results"]


def test_the_list_reads_its_documents_in_the_same_statements_for_1_case_and_for_10(
    cast, api_as, django_capture_on_commit_callbacks
):
    api = api_as(cast.market_officer)
    for _n in range(10):
        case = direct_case(cast)
        with django_capture_on_commit_callbacks(execute=True):
            svc.case_decide(case=case, actor=cast.market_officer, note="当场处罚")  # issues the decision
    one, rows_one = _list_statements(api, 1)
    ten, rows_ten = _list_statements(api, 10)
    assert (len(rows_one), len(rows_ten)) == (1, 10)
    assert all([d["kind"] for d in row["documents"]] == ["penalty_decision"] for row in rows_ten)
    assert one == ten
    detail = api.get(f"{URL}{rows_ten[0]['id']}/").json()  # a single case still answers its documents
    assert detail["documents"] == rows_ten[0]["documents"]
