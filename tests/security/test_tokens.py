"""API tokens expire, and a password change or a deactivation revokes them (issue 13, point 14)."""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from programs.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-new-harbour-password-2027"


def signed_in_phone(user, settings):
    phone = APIClient()
    answer = phone.post("/api/v1/auth/token/", {"username": user.username, "password": settings.DEMO_PASSWORD})
    assert answer.status_code == 200
    phone.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    assert phone.get("/api/v1/me/").status_code == 200
    return phone


def age_tokens(user, days: int) -> None:
    Token.objects.filter(user=user).update(created=timezone.now() - timedelta(days=days))


def test_a_token_older_than_the_maximum_age_is_refused_and_deleted(settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    user = UserFactory()
    phone = signed_in_phone(user, settings)
    age_tokens(user, 29)
    assert phone.get("/api/v1/me/").status_code == 200
    age_tokens(user, 31)
    answer = phone.get("/api/v1/me/")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "token_expired"
    assert not Token.objects.filter(user=user).exists()


def test_signing_in_again_replaces_an_expired_token(settings):
    user = UserFactory()
    signed_in_phone(user, settings)
    old = Token.objects.get(user=user).key
    age_tokens(user, settings.API_TOKEN_MAX_AGE_DAYS + 1)
    phone = signed_in_phone(user, settings)  # not the expired key handed back
    assert Token.objects.get(user=user).key != old
    assert phone.get("/api/v1/me/").status_code == 200


def test_changing_ones_own_password_revokes_the_api_tokens(client, settings):
    user = UserFactory()
    phone = signed_in_phone(user, settings)
    client.force_login(user)
    answer = client.post(
        "/accounts/password_change/",
        {"old_password": settings.DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert answer.status_code == 302
    assert phone.get("/api/v1/me/").status_code == 401
    assert client.get("/accounts/password_change/").status_code == 200  # the browser session stays signed in


def test_a_password_reset_revokes_the_api_tokens(client, settings):
    user = UserFactory()
    phone = signed_in_phone(user, settings)
    link = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_password = form_page.redirect_chain[-1][0]
    answer = client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert answer.status_code == 302
    assert phone.get("/api/v1/me/").status_code == 401


def test_an_administrator_setting_a_new_password_revokes_the_api_tokens(client, settings):
    user = UserFactory()
    phone = signed_in_phone(user, settings)
    client.force_login(UserFactory(is_superuser=True))
    answer = client.post(
        f"/admin/programs/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert answer.status_code == 302
    assert phone.get("/api/v1/me/").status_code == 401
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_deactivating_an_account_in_the_admin_revokes_its_api_tokens_and_is_audited(client, settings):
    user = UserFactory()
    signed_in_phone(user, settings)
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    change = f"/admin/programs/user/{user.pk}/change/"
    page = client.get(change)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "groups", "user_permissions", "last_login")
    }
    data.update(
        {
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            "is_active": "",
        }
    )
    data.pop("date_joined", None)
    data = {k: v for k, v in data.items() if v not in (False, "")}
    answer = client.post(change, data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors if answer.context else answer
    user.refresh_from_db()
    assert not user.is_active
    assert not Token.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action="user.deactivate", object_id=user.pk)
    assert (entry.actor, entry.data) == (admin, {"api_tokens_revoked": 1})
