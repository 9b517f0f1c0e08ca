"""The admin site: every registered ModelAdmin admits only the roles it declares, and nothing is deleted there."""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from programs.admin import RoleScopedAdmin
from programs.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"programs", "inspections", "guidance", "workshops"}
NOT_STAFF = {User.Role.ENTERPRISE, User.Role.RESIDENT}
REGISTRY = sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)


def _ids(pair):
    return pair[0]._meta.label


@pytest.fixture
def users(cast):
    return {role: user for role, user in cast.users.items() if user is not None}


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _declared_viewers(model_admin) -> set[str]:
    return set(model_admin.view_roles) | set(model_admin.edit_roles)


@pytest.mark.parametrize("pair", REGISTRY, ids=_ids)
def test_each_model_admin_admits_only_the_roles_it_declares(pair, users):
    model, model_admin = pair
    wrong = []
    for role, user in users.items():
        request = _request(user)
        granted = {
            "module": model_admin.has_module_permission(request),
            "view": model_admin.has_view_permission(request),
            "add": model_admin.has_add_permission(request),
            "change": model_admin.has_change_permission(request),
            "delete": model_admin.has_delete_permission(request),
        }
        if isinstance(model_admin, RoleScopedAdmin):
            may_view = role in _declared_viewers(model_admin) and user.is_staff
            may_edit = role in model_admin.edit_roles and user.is_staff
            expected_at_most = {"module": may_view, "view": may_view, "add": may_edit, "change": may_edit}
            if granted["view"] != may_view or granted["module"] != may_view:
                wrong.append(f"{role}: view/module {granted['view']}/{granted['module']}, declared {may_view}")
            for what in ("add", "change"):
                if granted[what] and not expected_at_most[what]:
                    wrong.append(f"{role}: may {what} but is not in edit_roles")
        elif any(granted.values()):
            # Third-party and auth admins: no role has model permissions; only superusers work there.
            wrong.append(f"{role}: {granted} without any model permission")
    assert not wrong, f"{model._meta.label}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("pair", REGISTRY, ids=_ids)
def test_each_changelist_opens_for_its_roles_and_is_refused_to_the_others(pair, users):
    model, model_admin = pair
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    wrong = []
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        response = client.get(url)
        if role in NOT_STAFF:
            expected = "login"
            got = "login" if response.status_code == 302 and "login" in response["Location"] else response.status_code
        else:
            may = isinstance(model_admin, RoleScopedAdmin) and role in _declared_viewers(model_admin)
            expected, got = (200 if may else 403), response.status_code
        if got != expected:
            wrong.append(f"{role}: expected {expected}, got {got}")
    anonymous = Client().get(url)
    if not (anonymous.status_code == 302 and "login" in anonymous["Location"]):
        wrong.append(f"anonymous: expected the sign-in page, got {anonymous.status_code}")
    assert not wrong, f"{url}:\n" + "\n".join(wrong)


# --- Nothing is deleted from the admin ----------------------------------------------------------------


@pytest.mark.parametrize("pair", [p for p in REGISTRY if p[0]._meta.app_label in OUR_APPS], ids=_ids)
def test_no_model_admin_of_ours_deletes_even_for_a_superuser(pair):
    assert_admin_never_deletes(*pair)


def assert_admin_never_deletes(model, model_admin):
    superuser = UserFactory(is_superuser=True, role="")
    request = _request(superuser)
    assert not model_admin.has_delete_permission(request), f"{model._meta.label}: the admin may delete rows"
    assert "delete_selected" not in model_admin.get_actions(request)
    for inline in model_admin.get_inline_instances(request):
        # As the inline formset decides whether rows get a delete box.
        deletes = inline.can_delete and inline.has_delete_permission(request)
        assert not deletes, f"{model._meta.label}: inline {type(inline).__name__} deletes rows"
