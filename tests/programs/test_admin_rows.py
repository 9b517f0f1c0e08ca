"""The changelists' rows (programs.admin_rows) are Django's own ``items_for_result`` output, character for
character, on every registered list: links with the preserved filters, booleans, choices, dates, empty values,
related objects, a stranger's markup escaped."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.core.exceptions import ObjectDoesNotExist
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


@admin.display(boolean=True, description="flag")
def flag(obj):
    return getattr(obj, "flag", None)


@admin.display(empty_value="<i>none</i>")
def nothing(obj):
    return None


def vanished(obj):
    raise ObjectDoesNotExist


def day(obj):
    return datetime.date(2024, 1, 2)


def test_every_kind_of_column_and_link_setting(stranger):
    EnterpriseFactory(name="y")
    superuser = UserFactory(is_superuser=True, role=User.Role.COORDINATOR)
    changelist = _changelist(admin.site._registry[Enterprise], superuser)
    changelist.list_display = [
        "action_checkbox", "__str__", "name", "region__name", flag, nothing, vanished, day,
        lambda obj: "<s>", "size", "is_key", "id", "grade_changed_at", "created_at", "address",
    ]  # fmt: skip
    for links in [(), None, ["region__name", "is_key"], ["vanished"]]:
        changelist.list_display_links = links
        assert _cells(result_rows(changelist)) == _cells(results(changelist)), links


def test_true_and_1_keep_their_own_icons_text():
    EnterpriseFactory.create_batch(2)
    changelist = _changelist(admin.site._registry[Enterprise], UserFactory(is_superuser=True))
    rows = list(changelist.result_list)
    rows[0].is_key, rows[1].is_key = True, 1
    changelist.result_list = rows
    assert _cells(result_rows(changelist)) == _cells(results(changelist))


def test_a_changelist_of_its_own_links_where_it_says_and_a_key_that_does_not_reverse_is_text():
    EnterpriseFactory.create_batch(2)
    changelist = _changelist(admin.site._registry[Enterprise], UserFactory(is_superuser=True))
    changelist.url_for_result = lambda result: f"/elsewhere/{result.pk}/"
    ours = _cells(result_rows(changelist))
    assert ours == _cells(results(changelist)) and "/elsewhere/" in " ".join(ours[0])

    changelist = _changelist(admin.site._registry[Enterprise], UserFactory(is_superuser=True))
    rows = list(changelist.result_list)
    rows[0].pk = ""  # no change URL for it: Django writes the text without a link, not a server error
    changelist.result_list = rows
    assert _cells(result_rows(changelist)) == _cells(results(changelist))
