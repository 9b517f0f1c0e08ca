"""Who sees what: a small cast of users of different rights, as every later app relies on it."""

import pytest

from programs.models import Enterprise, User
from programs.selectors import scope
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    UserFactory,
    officer,
    region_tree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(cast):
    """The suite's cast in 鄞州区, with a colleague of its market officer, an officer of the county's health
    bureau, a neighbour of its enterprise, and an enterprise far away in 定海区."""
    health = DepartmentFactory(name="鄞州区卫生健康局", region=cast.county, kind="health")
    cast.market_colleague = officer(cast.market)
    cast.health_officer = officer(health)
    cast.neighbour = EnterpriseFactory(region=cast.village)
    cast.far = EnterpriseFactory(region=region_tree("330902", "定海区")["village"])
    return cast


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_an_officer_cannot_read_another_departments_roster(cast, api_as):
    seen = ids(api_as(cast.market_officer).get("/api/v1/officers/"))
    assert seen == {cast.market_officer.pk, cast.market_colleague.pk}
    assert cast.health_officer.pk not in seen


def test_an_officer_cannot_filter_their_way_into_another_department(cast, api_as):
    client = api_as(cast.market_officer)
    assert ids(client.get(f"/api/v1/officers/?department={cast.health_officer.department_id}")) == set()
    assert client.get(f"/api/v1/officers/{cast.health_officer.pk}/").status_code == 404


def test_a_coordinator_sees_every_department_of_the_region(cast, api_as):
    seen = ids(api_as(cast.coordinator).get("/api/v1/officers/"))
    assert {cast.market_officer.pk, cast.health_officer.pk} <= seen


def test_staff_see_only_enterprises_of_their_region(cast, api_as):
    seen = ids(api_as(cast.market_officer).get("/api/v1/enterprises/?page_size=200"))
    assert {cast.enterprise.pk, cast.neighbour.pk} <= seen
    assert cast.far.pk not in seen


def test_an_enterprise_user_sees_only_its_own_enterprise(cast, api_as):
    client = api_as(cast.enterprise_user)
    assert ids(client.get("/api/v1/enterprises/")) == {cast.enterprise.pk}
    assert client.get(f"/api/v1/enterprises/{cast.neighbour.pk}/").status_code == 404
    assert client.get(f"/api/v1/enterprises/{cast.enterprise.pk}/").status_code == 200


def test_an_enterprise_user_cannot_register_enterprises_or_read_the_roster(cast, api_as):
    client = api_as(cast.enterprise_user)
    body = {"name": "x", "region": cast.village.pk}
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
