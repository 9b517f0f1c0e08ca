"""The admin site, whose first page is the indicators dashboard, and whose pickers search the user's own area."""

from collections import OrderedDict
from urllib.parse import quote
from uuid import uuid4

from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete
from django.dispatch import receiver
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext_lazy as _

from programs.models import User
from programs.pickers import ScopedAutocompleteJsonView

from . import dashboard, snapshots

# Strings of the admin's templates that Django's own zh_Hans catalogue lacks (Django 5.2), and django-axes' model
# names (it has no Chinese catalogue): named here so that makemessages keeps them in the root catalogue, which
# every page reads before any package's.
ADMIN_CATALOGUE_GAPS = (
    # Django writes these with an ASCII colon after Chinese text; ours are full-width (：).
    gettext_noop(":"),
    gettext_noop("Sorting priority: %(priority_number)s"),
    gettext_noop("Set password: %s"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Model name"),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
)


# The sidebar's list of apps and models, kept per user and what their permissions depend on (issue 16): Django
# builds it on every admin page, asking each of some 70 ModelAdmins for four permissions and reversing two URLs
# each, a tenth of a changelist's time. Every permission check of ours depends on the role, the superuser flag,
# the department or region, or Django's permissions (all in the key), never on the page.
APP_LISTS_KEPT = 512
_app_lists: OrderedDict = OrderedDict()

# Django's permissions enter the key as a version of the permission tables, shared by every process through the
# cache and changed whenever a user's or a group's permissions change (the receivers below): reading a user's
# permission set took two queries on every admin page. Without a version in the cache (a first start, a cache
# outage) the key holds the user's permission set itself. The key chooses sidebar links only: every view still
# checks its own permissions.
PERMISSIONS_VERSION = "admin-site:permissions-version"


def _permissions_key(user):
    version = cache.get(PERMISSIONS_VERSION)
    if version is None:  # a first start: every process takes the first version written
        cache.add(PERMISSIONS_VERSION, uuid4().hex, None)
        version = cache.get(PERMISSIONS_VERSION)
    return frozenset(user.get_all_permissions()) if version is None else version


@receiver(m2m_changed, sender=Group.permissions.through)
@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(post_delete, sender=Group)
@receiver(post_delete, sender=Permission)
def _permissions_changed(**kwargs):
    # Once committed: a page read between the change and its commit must not be kept under the new version.
    transaction.on_commit(lambda: cache.set(PERMISSIONS_VERSION, uuid4().hex, None))


def _app_list_key(site_name: str, request, app_label):
    user = request.user
    return (
        site_name,
        user.pk,
        getattr(user, "role", None),
        user.is_superuser,
        user.is_active,
        user.is_staff,
        getattr(user, "department_id", None),
        getattr(user, "region_id", None),
        _permissions_key(user),
        app_label,
        get_script_prefix(),
        get_language(),
    )


SIDEBARS_KEPT = 256
_sidebars: OrderedDict = OrderedDict()


def _kept(memo: OrderedDict, key, make, most: int):
    """``memo[key]``, made by ``make()`` the first time; the least recently used are forgotten past ``most``."""
    try:
        memo.move_to_end(key)
        return memo[key]
    except KeyError:
        value = memo[key] = make()
        while len(memo) > most:
            memo.popitem(last=False)
        return value


def nav_sidebar(request, available_apps) -> str:
    """Django's ``admin/nav_sidebar.html`` for this page, rendered once per set of links (the user's app list),
    language and current app and list (the only things of the page it shows: ``app_url in
    request.path|urlencode``). Rendering its hundred-odd links took a tenth of a changelist's time."""
    quoted = quote(request.path, safe="/")  # Django's ``urlencode`` filter
    urls = [app["app_url"] for app in available_apps]
    urls += [model.get("admin_url") for app in available_apps for model in app["models"]]
    current = tuple(url for url in urls if url and url in quoted)
    # What the sidebar shows: each list's link and add link (names are the models', in the page's language).
    links = tuple((model.get("admin_url"), model.get("add_url")) for app in available_apps for model in app["models"])

    def render():
        return get_template("admin/nav_sidebar.html").render({"available_apps": available_apps, "request": request})

    return _kept(_sidebars, (get_language(), tuple(urls), links, current), render, SIDEBARS_KEPT)


class ProgramsAdminSite(admin.AdminSite):
    site_header = _("Zhejiang programs: workshops, inspections, guidance")
    site_title = _("Programs admin")
    index_title = _("Dashboard")
    index_template = "admin/dashboard.html"

    def get_app_list(self, request, app_label=None):
        """Django's app list, computed once per user and permissions (see ``_app_lists``); read-only."""
        key = _app_list_key(self.name, request, app_label)
        return _kept(
            _app_lists, key, lambda: super(ProgramsAdminSite, self).get_app_list(request, app_label), APP_LISTS_KEPT
        )

    def autocomplete_view(self, request):
        return ScopedAutocompleteJsonView.as_view(admin_site=self)(request)

    def index(self, request, extra_context=None):
        start, end = dashboard.default_period()
        year = dashboard.comparison_year(request.user)
        initial = {"start": start, "end": end, "compare": year}
        form = dashboard.DashboardForm(request.GET or None, user=request.user, initial=initial)
        region = None
        if form.is_bound and form.is_valid():
            region, start, end = form.cleaned_data["region"], form.cleaned_data["start"], form.cleaned_data["end"]
            year = form.cleaned_data["compare"]
        board = snapshots.board_for(
            request.user,
            region=region,
            start=start,
            end=end,
            year=year,
            language=request.LANGUAGE_CODE,
            is_default=not form.is_bound,
        )
        context = {
            "dashboard": board,
            "dashboard_form": form,
            "period": (start, end),
            "compare_year": year,
            **(extra_context or {}),
        }
        return super().index(request, context)
