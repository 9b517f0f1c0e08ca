"""The REST platform: tokens, one error format, idempotent retries, the schema."""

import pytest
from django.core.exceptions import ValidationError as ServiceRefusal
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from programs.models import Enterprise
from programs.rest import exception_handler
from tests.factories import UserFactory, coordinator, region_tree

pytestmark = pytest.mark.django_db
PASSWORD = "demo-pass-2026"


def test_a_phone_logs_in_with_a_password_and_gets_a_token(api, settings):
    user = UserFactory(password=settings.DEMO_PASSWORD)
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["username"] == user.username


def test_a_wrong_password_names_the_field(api):
    user = UserFactory()
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_without_a_token_the_api_answers_401_in_the_error_format(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401


def test_a_revoked_token_no_longer_works(api_as):
    user = UserFactory()
    client = api_as(user)
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert client.get("/api/v1/me/").status_code == 401


def test_repeated_failed_logins_lock_the_account(api, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = api.post(
        "/api/v1/auth/token/", {"username": user.username, "password": settings.DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"


def test_an_unknown_api_path_is_a_404_in_the_error_format(api_as):
    response = api_as(UserFactory()).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def _enterprise_body():
    return {"name": "重试企业", "credit_code": "91350100M000100Y43", "region": region_tree()["village"].pk}


def test_a_retried_write_with_the_same_idempotency_key_creates_one_thing(api_as):
    client = api_as(coordinator())
    first = client.post("/api/v1/enterprises/", _enterprise_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/enterprises/", _enterprise_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Enterprise.objects.count() == 1


def test_reusing_a_key_for_a_different_request_is_refused(api_as):
    client = api_as(coordinator())
    client.post("/api/v1/enterprises/", _enterprise_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = {**_enterprise_body(), "name": "别的企业", "credit_code": ""}
    response = client.post("/api/v1/enterprises/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Enterprise.objects.count() == 1


def test_keys_are_scoped_to_the_caller(api_as):
    body = _enterprise_body()
    api_as(coordinator()).post("/api/v1/enterprises/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    response = api_as(coordinator()).post(
        "/api/v1/enterprises/", {**body, "credit_code": ""}, format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert response.status_code == 201
    assert Enterprise.objects.count() == 2


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/enterprises/" in (tmp_path / "schema.yaml").read_text()


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_a_refused_status_change_keeps_its_code_in_the_409(api_as, rf):
    from programs.rest import exception_handler
    from programs.services import TransitionError

    response = exception_handler(TransitionError("No place is left.", code="position_full"), {})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "position_full"
    assert response.data["error"]["message"] == "No place is left."


def test_a_browser_session_without_the_csrf_token_gets_the_error_format(settings):
    from django.test import Client

    user = coordinator()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/enterprises/", _enterprise_body(), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] in ("csrf_failed", "permission_denied")


def test_a_form_sent_without_its_csrf_token_gets_a_page_not_a_stack_trace():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "<h1>" in response.text


def test_nested_field_errors_are_flattened_to_messages():
    from rest_framework import exceptions

    from programs.rest import exception_handler

    nested = exceptions.ValidationError({"items": [{}, {"code": ["Unknown code."]}], "period": {"end": ["Too early."]}})
    fields = exception_handler(nested, {}).data["error"]["fields"]
    assert fields == {"items": ["1: code: Unknown code."], "period": ["end: Too early."]}


def test_a_service_refusal_on_a_field_keeps_its_code_and_names_the_field():
    refusal = ServiceRefusal({"text": ServiceRefusal("The letter is issued.", code="letter_issued")})
    answer = exception_handler(refusal, {})
    assert answer.status_code == 400
    assert answer.data["error"]["code"] == "letter_issued"
    assert answer.data["error"]["fields"] == {"text": ["The letter is issued."]}
