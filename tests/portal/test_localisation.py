"""Every page in Chinese (the default language): each page of the page table, opened by each user allowed to
open it, and every changelist, add and change page of our admin, read as a person reads it: no English word
left untranslated, and none of the words another package's catalogue once put on our fields."""

import io
import re
from datetime import datetime
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from openpyxl import load_workbook

from inspections.models import Inspection
from programs.audit import audit_history
from programs.models import User
from tests.cast import ANONYMOUS, Cast
from tests.security.objects import one_of_each
from tests.security.test_authorization import PAGES
from tests.security.urlconf import page_routes

pytestmark = pytest.mark.django_db

OUR_APPS = {"programs", "inspections", "guidance", "workshops"}

# Proper nouns, codes, file formats, units and key names that stay as they are in a Chinese page.
ALLOWED_WORDS = {
    "API", "APP", "PDF", "QR", "Excel", "CSV", "XLSX", "ID", "SMS", "URL", "HTML", "ICS", "iCal", "HEIC", "WEBP",
    "OpenAPI", "Swagger", "WeChat", "km", "kg", "PNG", "JPG", "JPEG", "Token", "LDAP",
    # Django's own help for multiple selection names the keys: 按住“Control”，或者 Mac 上的“Command”
    "Control", "Command", "Mac",
}  # fmt: skip

# Words a third-party catalogue (or one app's catalogue) once put on another's label, by the pages where they
# are wrong (a path prefix; "" for every page). A label is a whole piece of text, with or without its colon.
COLLISIONS = {
    "": {
        "任务名": "django-celery-beat's “Name” on a person's or a record's name",
        "英语": "the language menu names English in Chinese; it should name it in its own language",
    },
    "/workshops/": {
        "排序": "a workshop position (岗位) labelled as the guidance themes' display order",
        "预约编号": "a registration number labelled as a guidance booking's reference",
        "名称": "a resident's name (姓名) labelled as a thing's name",
    },
    "/admin/workshops/registration/": {
        "排序": "a registration's position (岗位) labelled as the guidance themes' display order",
        "预约编号": "a registration number labelled as a guidance booking's reference",
    },
    "/admin/workshops/resident/": {"名称": "a resident's name (姓名) labelled as a thing's name"},
    "/admin/programs/auditentry/": {"领域": "the audit's “field” column read as an enforcement field"},
}

_EMAIL_OR_URL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b(?:https?://|www\.)\S+|/[\w./?=&%-]*")
# A word of Latin letters standing alone: not part of a code, a file name, an address or an identifier.
_WORD = re.compile(r"(?<![A-Za-z0-9_.@/:#%&=+*-])[A-Za-z]{2,}(?:['’][A-Za-z]+)?(?![A-Za-z0-9_@/:=#%&+*-])")
_VISIBLE_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label"}
# Django's admin icons carry fixed English alternative text (alt="True", alt="Search"): Django's, not ours.
_ADMIN_ICON = "/admin/img/"


class VisibleText(HTMLParser):
    """The text a person sees or hears: element text and the labelling attributes, without scripts and styles."""

    SKIPPED = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []  # the open elements whose content is not read

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._skipping:
            if tag not in self.VOID:
                self._skipping.append(tag)
            return
        # Skipped: scripts and styles, and what is marked as another language (the language menu's “English”).
        if tag in self.SKIPPED or not (attrs.get("lang") or "zh").lower().startswith("zh"):
            if tag not in self.VOID:
                self._skipping.append(tag)
            return
        for name in _VISIBLE_ATTRIBUTES & attrs.keys():
            if not (tag == "img" and name == "alt" and _ADMIN_ICON in (attrs.get("src") or "")):
                self.parts.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_parts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [part.strip() for part in parser.parts if part.strip()]


def visible_text(html: str) -> str:
    return " \n".join(visible_parts(html))


def english_words(text: str) -> list[str]:
    text = _EMAIL_OR_URL.sub(" ", text)
    return sorted({w for w in _WORD.findall(text) if w not in ALLOWED_WORDS})


# A Chinese label followed by an ASCII colon (部门: …) instead of the full-width one (部门：…); not a time (20:45).
_ASCII_COLON = re.compile(r"[\u4e00-\u9fff）》”] ?:(?!\d)")


def problems(path: str, html: str) -> list[str]:
    parts = visible_parts(html)
    found = []
    text = " \n".join(parts)
    words = english_words(text)
    if words:
        found.append(f"English words: {', '.join(words)}")
    colons = sorted({text[max(m.start() - 6, 0) : m.end()] for m in _ASCII_COLON.finditer(text)})
    if colons:
        found.append(f"ASCII colons after Chinese: {colons}")
    labels = {part.rstrip(":：").strip() for part in parts}
    for prefix, collisions in COLLISIONS.items():
        if path.startswith(prefix) or not prefix:
            found += [f"“{word}”: {why}" for word, why in collisions.items() if word in labels]
    return found


def _page(client: Client, path: str):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return None
    return response.content.decode()


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    """The security tests' cast, with one object of each kind, and a superuser; rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            cast = Cast()
            cast.objects.update(one_of_each(cast))
            cast.objects["superuser"] = User.objects.create_superuser("root1", "root1@example.cn", "x")
            yield cast
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _get_pages():
    present = {r.route: r for r in page_routes()}
    return sorted(route for route in PAGES if route in present and route != "i18n/setlang/")


@pytest.mark.parametrize("route", _get_pages(), ids=lambda r: r or "/")
def test_every_page_reads_in_chinese_for_each_user_who_may_open_it(route, cast, db):
    page = PAGES[route]
    present = {r.route: r for r in page_routes()}
    path = present[route].path(**(page.params(cast) if page.params else {}))
    wrong = []
    for principal in sorted(page.who):
        client = Client()
        user = cast.users[principal] if principal != ANONYMOUS else None
        if user is not None:
            client.force_login(user)
        html = _page(client, path)
        if html is None:
            continue
        wrong += [f"{path} as {principal}: {problem}" for problem in problems(path, html)]
    assert not wrong, "\n".join(wrong)


def _our_model_admins():
    return sorted(
        (pair for pair in admin.site._registry.items() if pair[0]._meta.app_label in OUR_APPS),
        key=lambda pair: pair[0]._meta.label,
    )


@pytest.mark.parametrize("pair", _our_model_admins(), ids=lambda pair: pair[0]._meta.label)
def test_every_admin_list_add_and_change_page_reads_in_chinese(pair, cast, db):
    model, _model_admin = pair
    client = Client()
    client.force_login(cast.objects["superuser"])
    info = model._meta.app_label, model._meta.model_name
    paths = [reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:{}_{}_add".format(*info))]
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        paths.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    wrong = []
    for path in paths:
        html = _page(client, path)
        if html is not None:
            wrong += [f"{path}: {problem}" for problem in problems(path, html)]
    assert not wrong, "\n".join(wrong)


def test_the_admin_index_and_the_audit_history_read_in_chinese(cast, db):
    client = Client()
    client.force_login(cast.objects["superuser"])
    wrong = []
    for path in ("/admin/", "/admin/programs/", "/admin/password_change/"):
        html = _page(client, path)
        assert html is not None, path
        wrong += [f"{path}: {problem}" for problem in problems(path, html)]
    assert not wrong, "\n".join(wrong)


def test_the_history_of_a_record_reads_as_labels_and_local_times(cast, db):
    """The inspection's history: “状态” and “已排期”, not ``status`` and ``scheduled``; times in Shanghai's clock and
    the locale's format (2026年12月1日 23:54), not ISO text."""
    inspection = cast.objects["inspection"]
    entry = audit_history(inspection).filter(field="status", new_value=Inspection.Status.SCHEDULED).get()
    client = Client()
    client.force_login(cast.objects["superuser"])
    html = _page(client, reverse("admin:inspections_inspection_change", args=[inspection.pk]))
    with translation.override("zh-hans"):
        shown = formats.date_format(timezone.localtime(entry.created_at), "DATETIME_FORMAT")
        labels = [str(Inspection.Status.PLANNED.label), str(Inspection.Status.SCHEDULED.label), "状态", shown]
    parts = visible_parts(html)
    assert all(label in parts for label in labels), (labels, parts)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", " ".join(parts))
    assert "scheduled" not in parts and "status" not in parts


def test_exports_hold_real_dates_in_local_time_and_labels_not_codes(cast, db):
    """The audit log exported to Excel: the time is a date cell in Shanghai's clock; the status is its label."""
    inspection = cast.objects["inspection"]
    entry = audit_history(inspection).filter(field="status", new_value=Inspection.Status.SCHEDULED).get()
    client = Client()
    client.force_login(cast.objects["superuser"])
    response = client.get(
        "/admin/programs/auditentry/",
        {"_export": "xlsx", "object_id": inspection.pk, "field": "status"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    when = timezone.localtime(entry.created_at).replace(tzinfo=None, second=0, microsecond=0)
    with translation.override("zh-hans"):
        scheduled = str(Inspection.Status.SCHEDULED.label)
    row = next(row for row in body if row[header.index("新值")] == scheduled)
    assert isinstance(row[header.index("时间")], datetime) and row[header.index("时间")] == when


def test_the_checker_sees_english_and_lets_codes_and_addresses_pass():
    html = (
        "<p>预约编号：G261201-08782E，user3，theme-1，ops@example.cn，https://x.cn/a 导出 Excel</p>"
        "<script>var x = 'Choose all';</script><style>.a{color:red}</style>"
        '<button title="Remove all">删除</button><input type="submit" value="Save"><br>'
        '<img src="/static/admin/img/icon-yes.svg" alt="True"><img src="/x.png" alt="Photo">'
    )
    assert english_words(visible_text(html)) == ["Photo", "Remove", "Save", "all"]


def test_the_checker_refuses_the_known_collisions_on_their_pages():
    assert problems("/workshops/", "<label>任务名：</label>")
    assert problems("/admin/workshops/registration/", "<th>排序</th>")
    assert problems("/admin/workshops/registration/", "<th>预约编号</th>")
    assert not problems("/admin/guidance/theme/", "<th>排序</th>")
    assert not problems("/admin/workshops/registration/", '<a title="切换排序">岗位</a>')
    assert problems("/", "<option>英语</option>")
    assert problems("/", "<p>部门: 市场监管局</p>") and not problems("/", "<p>部门：市场监管局，20:45</p>")
    assert not problems("/", '<option lang="en">English</option><option lang="zh-hans">简体中文</option>')
