import pytest
from django.core.exceptions import ValidationError

from programs.models import AuditEntry, Enterprise
from programs.validators import validate_credit_code
from tests.factories import EnterpriseFactory, coordinator, enterprise_user, region_tree

pytestmark = pytest.mark.django_db
VALID_CODE = "91350100M000100Y43"


def payload(**overrides):
    return {
        "name": "宁波甬兴餐饮有限公司",
        "credit_code": VALID_CODE,
        "region": region_tree()["village"].pk,
        **overrides,
    }


def test_a_coordinator_registers_an_enterprise_and_it_is_audited(api_as):
    response = api_as(coordinator()).post("/api/v1/enterprises/", payload(), format="json")
    assert response.status_code == 201, response.content
    enterprise = Enterprise.objects.get(credit_code=VALID_CODE)
    assert response.json()["grade"] == "gray"
    assert AuditEntry.objects.filter(object_id=enterprise.pk, field="created").exists()


def test_a_lowercase_code_with_spaces_is_stored_in_canonical_form(api_as):
    response = api_as(coordinator()).post(
        "/api/v1/enterprises/", payload(credit_code=" 91350100m000100y43 "), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["credit_code"] == VALID_CODE


def test_a_bad_credit_code_gets_an_error_naming_the_field(api_as):
    bad = VALID_CODE[:-1] + "4"
    response = api_as(coordinator()).post("/api/v1/enterprises/", payload(credit_code=bad), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert list(error["fields"]) == ["credit_code"]
    with pytest.raises(ValidationError) as check:
        validate_credit_code(bad)
    assert check.value.code == "credit_code_check"
    assert error["fields"]["credit_code"] == check.value.messages  # the field carries that error, whatever the language
    assert not Enterprise.objects.exists()


def test_a_credit_code_cannot_be_registered_twice(api_as):
    client = api_as(coordinator())
    assert client.post("/api/v1/enterprises/", payload(), format="json").status_code == 201
    response = client.post("/api/v1/enterprises/", payload(name="另一家"), format="json")
    assert response.status_code == 400
    assert "credit_code" in response.json()["error"]["fields"]
    assert Enterprise.objects.count() == 1


def test_a_business_not_registered_yet_has_no_code(api_as):
    response = api_as(coordinator()).post("/api/v1/enterprises/", payload(credit_code=""), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["credit_code"] is None


def test_a_coordinator_cannot_register_an_enterprise_outside_their_region(api_as):
    other = region_tree("330902", "定海区")["village"]
    response = api_as(coordinator()).post("/api/v1/enterprises/", payload(region=other.pk), format="json")
    assert response.status_code == 400
    assert "region" in response.json()["error"]["fields"]


def test_an_enterprise_user_may_correct_its_contact_but_not_its_name_or_grade(api_as):
    enterprise = EnterpriseFactory()
    client = api_as(enterprise_user(enterprise))
    response = client.patch(
        f"/api/v1/enterprises/{enterprise.pk}/",
        {"contact_phone": "13900000000", "name": "改名", "grade": "green"},
        format="json",
    )
    assert response.status_code == 200, response.content
    enterprise.refresh_from_db()
    assert (enterprise.contact_phone, enterprise.name, enterprise.grade) == ("13900000000", enterprise.name, "gray")
    assert enterprise.name != "改名"


def test_the_enterprise_list_query_count_does_not_grow_with_the_page(api_as, django_assert_max_num_queries):
    EnterpriseFactory.create_batch(60)
    client = api_as(coordinator())
    with django_assert_max_num_queries(6):
        small = client.get("/api/v1/enterprises/?page_size=5")
    with django_assert_max_num_queries(6):
        large = client.get("/api/v1/enterprises/?page_size=60")
    assert len(small.json()["results"]) == 5
    assert len(large.json()["results"]) == 60
