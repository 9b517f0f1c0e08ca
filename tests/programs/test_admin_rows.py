"""The changelists' rows (programs.admin_rows) are Django's own ``items_for_result`` output, character for
character, on every registered list: links with the preserved filters, booleans, choices, dates, empty values,
related objects, a stranger's markup escaped."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from programs.admin_rows import result_rows
from programs.models import Enterprise, User
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _changelist(model_admin, user, query: dict | None = None):
    opts = model_admin.model._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    request = RequestFactory().get(path, query or {})
    request.user = user
    request.resolver_match = resolve(path)  # the list's filters are preserved in its links only on its own URL
    changelist = model_admin.get_changelist_instance(request)
    changelist.formset = None  # as changelist_view sets it for a list without list_editable
    return changelist


def _cells(rows) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in rows]


@pytest.fixture
def stranger():
    """An enterprise whose name a stranger typed (markup), with an empty cell."""
    return EnterpriseFactory(name='<script>alert("x")</script>&Co', address="")


def test_every_registered_list_is_written_as_django_writes_it(stranger):
    call_command("seed_demo", verbosity=0)
    superuser = UserFactory(is_superuser=True, role=User.Role.COORDINATOR)
    for language in ("zh-hans", "en"):
        compared = 0
        with translation.override(language):
            for model, model_admin in admin.site._registry.items():
                changelist = _changelist(model_admin, superuser)
                if changelist.list_editable:
                    continue  # written by Django's own results(), with its forms
                django_rows, our_rows = _cells(results(changelist)), _cells(result_rows(changelist))
                assert our_rows == django_rows, (language, model.__name__)
                compared += bool(django_rows)
        assert compared >= 30  # the demo fills most lists: a list compared empty proves nothing


def test_the_link_keeps_the_lists_filters_and_the_stranger_markup_is_escaped(stranger):
    EnterpriseFactory.create_batch(3, grade="green")
    superuser = UserFactory(is_superuser=True, role=User.Role.COORDINATOR)
    model_admin = admin.site._registry[Enterprise]
    changelist = _changelist(model_admin, superuser, {"grade": "green", "q": "script", "o": "1"})
    changelist.result_list = [stranger, *changelist.result_list]
    ours, django = _cells(result_rows(changelist)), _cells(results(changelist))
    assert ours == django
    row = " ".join(ours[0])
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;Co" in row and "<script>" not in row
    assert "_changelist_filters=" in row and "grade%3Dgreen" in row


def test_the_changelist_page_writes_its_rows_through_it(client, stranger):
    superuser = UserFactory(is_superuser=True, role=User.Role.COORDINATOR)
    client.force_login(superuser)
    response = client.get(reverse("admin:programs_enterprise_changelist"), {"q": "script"})
    assert response.status_code == 200
    html = response.content.decode()
    change = reverse("admin:programs_enterprise_change", args=[stranger.pk])
    assert f'<th class="field-name"><a href="{change}?_changelist_filters=q%3Dscript">' in html
    assert "&lt;script&gt;" in html and '<script>alert("x")' not in html
