"""The admin's sidebar and app list are kept per user and permissions (portal.admin_site): each page still shows
the lists the person may open, marks the one they are on, follows their language, and changes with their role
or permissions at once."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from programs.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def sidebar(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return re.search(r'<nav class="sticky" id="nav-sidebar".*?</nav>', response.content.decode(), re.S).group(0)


def current(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', html)


def test_the_sidebar_marks_the_list_the_person_is_on(client):
    client.force_login(UserFactory(role=User.Role.COORDINATOR))
    enterprises = reverse("admin:programs_enterprise_changelist")
    plan_entries = reverse("admin:inspections_planentry_changelist")
    first = sidebar(client, enterprises)
    assert current(first) == [enterprises] and plan_entries in first
    assert current(sidebar(client, plan_entries)) == [plan_entries]
    assert current(sidebar(client, enterprises)) == [enterprises]  # kept, and still marking the right list
    add_page = sidebar(client, reverse("admin:programs_enterprise_add"))  # the list's own pages mark it too
    assert current(add_page) == [enterprises]


def test_a_role_sees_its_own_lists_and_a_change_of_role_shows_at_once(client):
    user = UserFactory(role=User.Role.ORGANISER)
    client.force_login(user)
    residents = reverse("admin:workshops_resident_changelist")
    plan_entries = reverse("admin:inspections_planentry_changelist")
    page = reverse("admin:workshops_resident_changelist")
    organisers = sidebar(client, page)
    assert residents in organisers and plan_entries not in organisers

    user.role = User.Role.COORDINATOR
    user.save()
    coordinators = sidebar(client, reverse("admin:programs_enterprise_changelist"))
    assert plan_entries in coordinators and residents not in coordinators


def test_a_granted_permission_shows_once_committed(client, django_capture_on_commit_callbacks):
    user = UserFactory(role=User.Role.ORGANISER)
    client.force_login(user)
    groups = reverse("admin:auth_group_changelist")
    residents = reverse("admin:workshops_resident_changelist")
    assert groups not in sidebar(client, residents)
    with django_capture_on_commit_callbacks(execute=True):
        user.user_permissions.add(Permission.objects.get(codename="view_group"))
    assert groups in sidebar(client, residents)


def test_a_permission_given_to_a_group_and_a_person_put_in_it_show_once_committed(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(role=User.Role.ORGANISER)
    client.force_login(user)
    groups = reverse("admin:auth_group_changelist")
    residents = reverse("admin:workshops_resident_changelist")
    assert groups not in sidebar(client, residents)
    group = Group.objects.create(name="名册查看")
    with django_capture_on_commit_callbacks(execute=True):
        user.groups.add(group)
    assert groups not in sidebar(client, residents)  # the group grants nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        group.permissions.add(Permission.objects.get(codename="view_group"))
    assert groups in sidebar(client, residents)
    with django_capture_on_commit_callbacks(execute=True):
        group.delete()
    assert groups not in sidebar(client, residents)


def test_the_sidebar_follows_the_persons_language(client):
    client.force_login(UserFactory(role=User.Role.COORDINATOR))
    url = reverse("admin:programs_enterprise_changelist")
    chinese = sidebar(client, url)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    english = sidebar(client, url)
    assert "企业" in chinese and "Enterprises" in english and "企业" not in english
