"""Who sees what: a small cast of users of different rights, as every later app relies on it."""

import pytest

from programs.models import Enterprise, User
from programs.selectors import scope
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    UserFactory,
    coordinator,
    enterprise_user,
    officer,
    region_tree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    yinzhou = region_tree("330212", "鄞州区")
    dinghai = region_tree("330902", "定海区")
    market = DepartmentFactory(name="鄞州区市场监督管理局", region=yinzhou["county"])
    health = DepartmentFactory(name="鄞州区卫生健康局", region=yinzhou["county"], kind="health")
    return {
        "ours": EnterpriseFactory(region=yinzhou["village"]),
        "neighbour": EnterpriseFactory(region=yinzhou["village"]),
        "far": EnterpriseFactory(region=dinghai["village"]),
        "market_officer": officer(market),
        "market_colleague": officer(market),
        "health_officer": officer(health),
        "coordinator": coordinator(region=yinzhou["county"]),
        "yinzhou": yinzhou,
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_an_officer_cannot_read_another_departments_roster(cast, api_as):
    seen = ids(api_as(cast["market_officer"]).get("/api/v1/officers/"))
    assert seen == {cast["market_officer"].pk, cast["market_colleague"].pk}
    assert cast["health_officer"].pk not in seen


def test_an_officer_cannot_filter_their_way_into_another_department(cast, api_as):
    client = api_as(cast["market_officer"])
    assert ids(client.get(f"/api/v1/officers/?department={cast['health_officer'].department_id}")) == set()
    assert client.get(f"/api/v1/officers/{cast['health_officer'].pk}/").status_code == 404


def test_a_coordinator_sees_every_department_of_the_region(cast, api_as):
    seen = ids(api_as(cast["coordinator"]).get("/api/v1/officers/"))
    assert {cast["market_officer"].pk, cast["health_officer"].pk} <= seen


def test_staff_see_only_enterprises_of_their_region(cast, api_as):
    seen = ids(api_as(cast["market_officer"]).get("/api/v1/enterprises/?page_size=200"))
    assert {cast["ours"].pk, cast["neighbour"].pk} <= seen
    assert cast["far"].pk not in seen


def test_an_enterprise_user_sees_only_its_own_enterprise(cast, api_as):
    client = api_as(enterprise_user(cast["ours"]))
    assert ids(client.get("/api/v1/enterprises/")) == {cast["ours"].pk}
    assert client.get(f"/api/v1/enterprises/{cast['neighbour'].pk}/").status_code == 404
    assert client.get(f"/api/v1/enterprises/{cast['ours'].pk}/").status_code == 200


def test_an_enterprise_user_cannot_register_enterprises_or_read_the_roster(cast, api_as):
    client = api_as(enterprise_user(cast["ours"]))
    body = {"name": "x", "region": cast["yinzhou"]["village"].pk}
    assert client.post("/api/v1/enterprises/", body, format="json").status_code == 403
    response = client.get("/api/v1/officers/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_user_without_a_role_sees_nothing(cast):
    nobody = UserFactory(role="", region=None)
    assert not scope(Enterprise.objects.all(), nobody, region="region", enterprise="pk").exists()


def test_a_superuser_sees_everything(cast):
    root = User.objects.create_superuser("root", "root@example.cn", "x")
    assert scope(Enterprise.objects.all(), root, region="region").count() == 3
