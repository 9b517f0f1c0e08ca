"""The REST endpoints of enterprise requests and joint assistance, as a phone client uses them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections import services
from inspections.models import RequestRoute
from programs.models import Notification
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    MicroGridFactory,
    enterprise_user,
    grid_manager,
    officer,
    region_tree,
)

pytestmark = pytest.mark.django_db

ROAD = {"category": "infrastructure", "title": "道路施工", "description": "货车无法进出"}


@pytest.fixture
def route(cast):
    return RequestRoute.objects.create(region=cast.village, category="", department=cast.fire, response_days=3)


def test_an_enterprise_files_follows_and_rates_its_request(cast, route, api_as):
    phone = api_as(cast.enterprise_user)
    filed = phone.post("/api/v1/enterprise-requests/", {**ROAD, "submission_key": "abc"}, format="json")
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert (body["enterprise"], body["department"], body["status"]) == (cast.enterprise.pk, cast.fire.pk, "submitted")
    again = phone.post("/api/v1/enterprise-requests/", {**ROAD, "submission_key": "abc"}, format="json")
    assert again.json()["id"] == body["id"]  # a retried request files once

    officer = api_as(cast.fire_officer)
    assert officer.post(f"/api/v1/enterprise-requests/{body['id']}/accept/").json()["owner"] == cast.fire_officer.pk
    other = api_as(cast.market_officer)  # another department's officer does not even see it
    assert other.post(f"/api/v1/enterprise-requests/{body['id']}/answer/", {"reply": "x"}).status_code == 404
    answered = officer.post(f"/api/v1/enterprise-requests/{body['id']}/answer/", {"reply": "已协调"}, format="json")
    assert answered.json()["answered_on_time"] is True
    bad = phone.post(f"/api/v1/enterprise-requests/{body['id']}/rate/", {"rating": 9}, format="json")
    assert bad.status_code == 400 and "rating" in bad.json()["error"]["fields"]
    rated = phone.post(f"/api/v1/enterprise-requests/{body['id']}/rate/", {"rating": 5}, format="json")
    assert rated.json()["rating"] == 5
    twice = phone.post(f"/api/v1/enterprise-requests/{body['id']}/rate/", {"rating": 4}, format="json")
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "illegal_transition")

    stranger = api_as(enterprise_user(EnterpriseFactory(region=cast.village)))
    assert stranger.get("/api/v1/enterprise-requests/").json()["count"] == 0


def test_a_grid_manager_files_by_api_only_for_their_grid(cast, route, api_as):
    mine, other = MicroGridFactory(grid__community=cast.village), MicroGridFactory(grid__community=cast.village)
    manager = api_as(grid_manager(mine, region=cast.county))
    inside = EnterpriseFactory(region=cast.village, micro_grid=mine)
    outside = EnterpriseFactory(region=cast.village, micro_grid=other)
    filed = manager.post("/api/v1/enterprise-requests/", {**ROAD, "enterprise": inside.pk}, format="json")
    assert (filed.status_code, filed.json()["channel"]) == (201, "grid")
    refused = manager.post("/api/v1/enterprise-requests/", {**ROAD, "enterprise": outside.pk}, format="json")
    assert refused.status_code == 400 and "enterprise" in refused.json()["error"]["fields"]


def test_joint_assistance_through_the_api(cast, api_as):
    filed = services.request_file(enterprise=cast.enterprise, actor=cast.enterprise_user, **ROAD)
    lead, participant = api_as(cast.market_officer), api_as(cast.fire_officer)
    target = (timezone.localdate() + timedelta(days=20)).isoformat()
    opened = api_as(cast.coordinator).post(  # the coordinator over the enterprise opens it from the request
        "/api/v1/assistance-cases/",
        {"request": filed.pk, "title": "道路与消防", "problem": "跨部门", "lead_department": cast.market.pk,
         "departments": [cast.fire.pk], "target_on": target},
        format="json",
    )  # fmt: skip
    assert opened.status_code == 201, opened.content
    case = opened.json()
    task = lead.post(
        f"/api/v1/assistance-cases/{case['id']}/tasks/",
        {"department": cast.fire.pk, "owner": cast.fire_officer.pk, "title": "核查", "deadline": target},
        format="json",
    )
    assert task.status_code == 201, task.content
    assert lead.post(f"/api/v1/assistance-tasks/{task.json()['id']}/done/").status_code == 403
    assert participant.post(f"/api/v1/assistance-tasks/{task.json()['id']}/done/", {"note": "好"}).status_code == 200
    closing = {"resolution": "已解决"}
    assert participant.post(f"/api/v1/assistance-cases/{case['id']}/close/", closing).status_code == 403
    closed = lead.post(f"/api/v1/assistance-cases/{case['id']}/close/", closing)
    assert closed.json()["status"] == "solved"
    seen = api_as(cast.enterprise_user).get(f"/api/v1/assistance-cases/{case['id']}/")
    assert seen.json()["resolution"] == "已解决" and seen.json()["tasks"][0]["status"] == "done"


def test_another_enterprise_s_submission_key_never_answers_with_its_request(cast, route, api_as):
    mine = api_as(cast.enterprise_user).post(
        "/api/v1/enterprise-requests/", {**ROAD, "submission_key": "guessable"}, format="json"
    )
    stranger = api_as(enterprise_user(EnterpriseFactory(region=cast.village)))
    theirs = stranger.post("/api/v1/enterprise-requests/", {**ROAD, "submission_key": "guessable"}, format="json")
    assert theirs.status_code == 201, theirs.content
    assert theirs.json()["id"] != mine.json()["id"] and theirs.json()["enterprise"] != cast.enterprise.pk


def test_joint_assistance_takes_only_departments_of_the_actor_s_area(cast, api_as):
    far_away = DepartmentFactory(region=region_tree("330203", "海曙区")["county"])
    far_away.head = officer(far_away)
    far_away.save(update_fields=["head"])
    target = (timezone.localdate() + timedelta(days=20)).isoformat()
    coordinator = api_as(cast.coordinator)
    case = {"enterprise": cast.enterprise.pk, "title": "道路与消防", "problem": "跨部门", "target_on": target}
    for fields, named in (
        ({"lead_department": far_away.pk, "departments": [cast.fire.pk]}, "lead_department"),
        ({"lead_department": cast.market.pk, "departments": [cast.fire.pk, far_away.pk]}, "departments"),
    ):
        refused = coordinator.post("/api/v1/assistance-cases/", {**case, **fields}, format="json")
        assert refused.status_code == 400 and named in refused.json()["error"]["fields"], refused.content
    assert not Notification.objects.filter(recipient=far_away.head).exists()  # its head hears nothing of it
    both = {"lead_department": cast.market.pk, "departments": [cast.fire.pk]}
    assert coordinator.post("/api/v1/assistance-cases/", {**case, **both}, format="json").status_code == 201
