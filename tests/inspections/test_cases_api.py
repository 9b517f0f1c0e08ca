"""The penalty cases' REST endpoints: scope (an enterprise sees only its own, an officer only its department's),
the enterprise's receipt and defence, the officer's moves, the indicators' ``cases`` answer, and the task that
issues the documents through a real broker and worker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections.models import PenaltyCase
from inspections.services.case_documents import DECISION, NOTICE
from tests.factories import EnterpriseFactory, enterprise_user
from tests.inspections.case_factories import direct_case, penalty_case, second_officer

pytestmark = pytest.mark.django_db
URL = "/api/v1/penalty-cases/"


def test_an_enterprise_sees_only_its_own_cases_and_an_officer_only_its_departments(cast, api_as):
    own = direct_case(cast)
    other = direct_case(cast, enterprise=EnterpriseFactory(region=cast.village))
    ids = lambda user: {row["id"] for row in api_as(user).get(URL).json()["results"]}  # noqa: E731
    assert ids(cast.enterprise_user) == {own.pk}
    assert api_as(cast.enterprise_user).get(f"{URL}{other.pk}/").status_code == 404
    assert ids(cast.market_officer) == {own.pk, other.pk}
    assert ids(cast.fire_officer) == set()
    assert api_as(cast.fire_officer).get(f"{URL}{own.pk}/").status_code == 404
    assert ids(cast.coordinator) == {own.pk, other.pk}
    stranger = enterprise_user(EnterpriseFactory(region=cast.village))
    assert ids(stranger) == set()


def test_the_enterprise_confirms_receipt_and_states_its_defence_the_officer_answers_and_decides(
    cast, api_as, django_capture_on_commit_callbacks
):
    case = penalty_case(cast)
    officer_api, enterprise_api = api_as(cast.market_officer), api_as(cast.enterprise_user)
    with django_capture_on_commit_callbacks(execute=True):
        answer = officer_api.post(f"{URL}{case.pk}/notify/")
    assert answer.status_code == 200 and answer.json()["status"] == "notified"
    assert enterprise_api.post(f"{URL}{case.pk}/notify/").status_code == 403  # the officers' move
    assert officer_api.post(f"{URL}{case.pk}/receipt/", {"kind": NOTICE}).status_code == 403  # the enterprise's

    body = enterprise_api.get(f"{URL}{case.pk}/").json()
    [notice] = body["documents"]
    assert notice["kind"] == NOTICE and notice["received_at"] is None and notice["url"].endswith(f"/{NOTICE}/")
    body = enterprise_api.post(f"{URL}{case.pk}/receipt/", {"kind": NOTICE}).json()
    assert body["documents"][0]["received_at"] and body["defence_open"]
    body = enterprise_api.post(f"{URL}{case.pk}/defence/", {"statement": "已当场整改，请求从轻"}, format="json").json()
    [defence] = body["defences"]
    refused = officer_api.post(f"{URL}{case.pk}/submit/")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "defence_unanswered"
    answered = officer_api.post(
        f"{URL}{case.pk}/answer/", {"defence": defence["id"], "answer": "予以采纳", "accepted": True}, format="json"
    )
    assert answered.json()["defences"][0]["accepted"] is True
    assert officer_api.post(f"{URL}{case.pk}/submit/").json()["status"] == "awaiting_approval"
    assert officer_api.post(f"{URL}{case.pk}/decide/").status_code == 403  # the opener does not approve
    with django_capture_on_commit_callbacks(execute=True):
        decided = api_as(second_officer(cast)).post(f"{URL}{case.pk}/decide/")
    assert decided.json()["status"] == "decided"
    documents = enterprise_api.get(f"{URL}{case.pk}/").json()["documents"]  # issued by the task after commit
    assert [d["kind"] for d in documents] == [NOTICE, DECISION]
    served = enterprise_api.post(f"{URL}{case.pk}/receipt/", {"kind": DECISION}).json()
    assert served["status"] == "fulfilled" and served["zero_trip"] is True


def test_an_officer_opens_a_case_through_the_api_and_another_department_cannot(cast, api_as):
    case = direct_case(cast)
    body = {
        "enterprise": cast.enterprise.pk,
        "item": case.item.pk,
        "procedure": "simple",
        "penalty_kind": "fine",
        "fine_amount": "5000",
        "facts": "超范围经营",
    }
    refused = api_as(cast.market_officer).post(URL, body, format="json")
    error = refused.json()["error"]
    assert refused.status_code == 400 and error["code"] == "simple_fine_too_high" and "procedure" in error["fields"]
    created = api_as(cast.market_officer).post(URL, {**body, "procedure": "general"}, format="json")
    assert created.status_code == 201 and created.json()["number"].startswith("CF")
    assert api_as(cast.fire_officer).post(URL, body | {"procedure": "general"}, format="json").status_code == 403
    assert api_as(cast.coordinator).post(URL, body, format="json").status_code == 403
    assert api_as(cast.enterprise_user).post(URL, body, format="json").status_code == 403


def test_the_indicators_answer_counts_cases_zero_trips_and_reconsiderations(cast, api_as):
    direct_case(cast)
    visited = direct_case(cast)
    api_as(cast.market_officer).post(f"{URL}{visited.pk}/office-visit/", {"reason": "到窗口递交材料"}, format="json")
    cancelled = direct_case(cast)
    api_as(cast.market_officer).post(f"{URL}{cancelled.pk}/cancel/", {"reason": "事实不清"}, format="json")
    today = timezone.localdate()
    answer = api_as(cast.coordinator).get(
        "/api/v1/indicators/inspections/", {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    )
    cases = answer.json()["cases"]
    assert cases["opened"] == 2 and cases["zero_trip"] == 1 and cases["zero_trip_share"] == 50.0
    assert cases["reconsidered"] == 0 and cases["litigated"] == 0
    assert PenaltyCase.objects.filter(status="cancelled").count() == 1
    assert api_as(cast.fire_officer).get("/api/v1/indicators/inspections/").json()["cases"]["opened"] == 0
