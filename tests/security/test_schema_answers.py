"""Answers the fuzzing alone would not meet (issue 13, point 12): rows with an empty email and a workshop without
a host enterprise, answered through the API and checked against the OpenAPI schema (formats included), and the
page size refused outside its bounds."""

import pytest
import schemathesis
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import response_schema_conformance, status_code_conformance

from programs.wsgi import application
from tests.factories import EnterpriseFactory, coordinator, region_tree
from tests.workshops.factories import ResidentFactory, WorkshopFactory, organiser, village

from .test_bad_input import _connection_kept_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(db):
    # Loading the schema is a request through the WSGI handler, which closes the test's connection after it.
    with _connection_kept_open():
        return schemathesis.openapi.from_wsgi("/api/schema/", application)


def _get(schema, path: str, user, query: dict | None = None):
    """GET ``path`` through the WSGI application as ``user`` (with a token, as a phone) and check the answer
    against what the schema documents for it: status code and body, formats included."""
    token = Token.objects.get_or_create(user=user)[0].key
    headers = {"Authorization": f"Token {token}"}
    case = schema[path]["GET"].Case(query=query or {})
    with _connection_kept_open():
        response = case.call(headers=headers)
    case.validate_response(response, checks=[status_code_conformance, response_schema_conformance], headers=headers)
    assert response.status_code == 200, response.text[:500]
    return response.json()


def test_an_enterprise_without_an_email_answers_as_the_schema_says(schema):
    EnterpriseFactory(region=region_tree()["village"], contact_email="")
    rows = _get(schema, "/api/v1/enterprises/", coordinator())["results"]
    assert "" in [row["contact_email"] for row in rows]


def test_a_workshop_without_a_host_enterprise_answers_as_the_schema_says(schema):
    home = village()
    WorkshopFactory(village=home, host_enterprise=None)
    rows = _get(schema, "/api/v1/workshops/", organiser(region=home.parent))["results"]
    assert [row["host_enterprise_name"] for row in rows] == [None]


@pytest.mark.parametrize("page_size", ["true", "0", "201", "1.5", "-3", "２"])
def test_a_page_size_outside_its_bounds_is_refused_naming_the_field(api_as, page_size):
    response = api_as(coordinator()).get("/api/v1/enterprises/", {"page_size": page_size})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page_size"]


def test_a_page_size_within_its_bounds_is_used(api_as):
    for _ in range(3):
        EnterpriseFactory(region=region_tree()["village"])
    response = api_as(coordinator()).get("/api/v1/enterprises/", {"page_size": "2"})
    assert response.status_code == 200 and len(response.json()["results"]) == 2


def test_a_field_the_api_does_not_have_is_refused_by_name_not_dropped(api_as):
    home = village()
    workshop = WorkshopFactory(village=home)
    client = api_as(organiser(region=home.parent))
    response = client.patch(f"/api/v1/workshops/{workshop.pk}/", {"nmae": "改名", "products": "紫菜"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["nmae"]
    workshop.refresh_from_db()
    assert workshop.products == "贻贝"  # nothing of the refused request was saved
    # A read-only field sent back as it was read is ignored, as before.
    echoed = client.patch(f"/api/v1/workshops/{workshop.pk}/", {"id": workshop.pk, "products": "紫菜"}, format="json")
    assert echoed.status_code == 200 and echoed.json()["products"] == "紫菜"


def test_a_multipart_body_with_no_fields_is_refused_not_taken_for_an_empty_change(api_as):
    home = village()
    workshop = WorkshopFactory(village=home)
    client = api_as(organiser(region=home.parent))
    response = client.generic(
        "PATCH",
        f"/api/v1/workshops/{workshop.pk}/",
        "[{'name': 'not multipart'}]",
        content_type="multipart/form-data; boundary=0123456789abcdef",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.parametrize("page", ["", "0", "-1", "last", "1.5"])
def test_a_page_that_is_not_a_whole_number_from_one_is_refused_naming_it(api_as, page):
    response = api_as(coordinator()).get("/api/v1/enterprises/", {"page": page})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page"]


@pytest.mark.parametrize("value", ["1.1", "", "yes", "unknown"])
def test_a_boolean_filter_that_is_not_true_or_false_is_refused_not_ignored(value):
    home = village()
    client = APIClient()
    client.force_authenticate(organiser(region=home.parent))
    response = client.get("/api/v1/workshop-residents/", {"wants_work": value})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["wants_work"]


def test_a_boolean_filter_filters_with_true_or_false():
    home = village()
    ResidentFactory(village=home, wants_work=True)
    ResidentFactory(village=home, wants_work=False)
    client = APIClient()
    client.force_authenticate(organiser(region=home.parent))
    for spelling, expected in (("true", True), ("False", False), ("1", True)):
        rows = client.get("/api/v1/workshop-residents/", {"wants_work": spelling}).json()["results"]
        assert [row["wants_work"] for row in rows] == [expected], spelling
