"""Issue 16, point 3: the admin changelists a city coordinator (``bench_city``) works in, rendered in-process by
``django.test.Client`` in Chinese, first page, no filter.

- Each list against a plain page of the same rows (the goal's "plain scoped ORM page", ≤ 1.5×): a minimal Django
  view (``plain_page``, mounted here under ``/bench/admin-plain/``) that takes the changelist's own queryset (the
  ModelAdmin's ``get_queryset`` for the request's user, with the ordering, ``list_select_related`` and page size
  ``ChangeList`` gives it), reads the ``list_display`` cells as the admin does (``lookup_field``, then
  ``display_for_value`` / ``display_for_field``), and renders them into a bare ``<table>`` through a Django
  template (``bench/admin_plain.html``): no admin chrome, no filters, no count. Same client, same user, same
  middleware. Beside it the ORM-only page: that queryset sliced to the page size and read with ``list()`` (no
  view, no HTML). Rounds rotate (page, plain page, ORM, …), medians.
- Each page's SQL against the plain page's: the statements each ran, replayed alone and summed, and the page's
  statements the plain page does not run: whether what the admin adds is SQL or rendering.
- The HTML size (goal ≤ 150 KB) and the region filter's links in it.
- A full-result count: a captured statement with ``COUNT(`` and no ``LIMIT`` anywhere in it (the paginator's
  ``SELECT COUNT(*) … WHERE <scope>``, or over a ``DISTINCT`` subquery) reads the whole scoped set; a capped count
  (``SELECT COUNT(*) FROM (SELECT … LIMIT n)``) does not. Each statement is replayed alone for its time.
- The enterprise list's search (``?q=``: a part of a name, in Chinese, and a part of a credit code) against its
  SQL floor: the statements that carry the search term, replayed raw. Goal ≤ 2×.

The lists of workshop registrations and residents are the field staff's (organisers, grid workers): a coordinator
is refused them (403, recorded), and they are measured for an organiser of the same city
(``bench_city_organiser``, one of the dataset's staff accounts).

The plain page's URL is not in ``bench/urls.py``: ``run`` serves this module's ``urlpatterns`` (the bench's own
plus the plain page) as the root URL configuration while it measures; so this module is imported only after
``django.setup()``, as ``bench/__main__.py`` does."""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import display_for_field, display_for_value, label_for_field, lookup_field
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import ManyToOneRel
from django.http import Http404, HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.test.utils import override_settings
from django.urls import include, path, reverse

from . import dataset, pages

USER = "bench_city"
ORGANISER = "bench_city_organiser"
RATIO_GOAL = 1.5
SEARCH_GOAL = 2.0
HTML_GOAL_KB = 150.0
REPLAYS = 3
LISTS = (
    ("enterprises", "programs.enterprise"),
    ("plan entries", "inspections.planentry"),
    ("inspections", "inspections.inspection"),
    ("findings", "inspections.finding"),
    ("guidance bookings", "guidance.booking"),
    ("workshop registrations", "workshops.registration"),
    ("residents", "workshops.resident"),
)
REGION_LINK = re.compile(rb"[?&]in_region=")
PLAIN_TEMPLATE = Path(__file__).resolve().with_name("admin_plain.html")
PLAIN_ROW = re.compile(rb'<tr id="row-(\d+)">')
TIMESTAMP = re.compile(r"'\d{4}-\d\d-\d\d[ T][^']*'")


# --- The plain page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlainList:
    """What the plain page of one changelist renders, read off the ``ChangeList`` the admin builds for the same
    user: its ordering, ``select_related`` (lookups, or True for all), whether it is ``DISTINCT``, its page size and
    its ``list_display`` (without the action checkbox), with their headers. The scope is not frozen here: the view
    asks the ModelAdmin's ``get_queryset`` on every request, as the admin does (it reads the user's region)."""

    model_admin: admin.ModelAdmin
    ordering: tuple
    related: tuple[str, ...] | bool
    distinct: bool
    size: int
    columns: tuple
    headers: tuple
    change_url: str


_PLAIN: dict[str, PlainList] = {}


def _lookups(tree: dict, prefix: str = ""):
    """The ``select_related`` lookups of a query's nested ``select_related`` dict (its leaves)."""
    for name, below in tree.items():
        if below:
            yield from _lookups(below, f"{prefix}{name}__")
        else:
            yield prefix + name


def _plain_list(model_admin, changelist, url: str) -> PlainList:
    query = changelist.queryset.query
    related = query.select_related
    columns = tuple(name for name in changelist.list_display if name != "action_checkbox")
    return PlainList(
        model_admin=model_admin,
        ordering=tuple(query.order_by),
        related=related if isinstance(related, bool) else tuple(_lookups(related)),
        distinct=query.distinct,
        size=changelist.list_per_page,
        columns=columns,
        headers=tuple(label_for_field(name, changelist.model, model_admin) for name in columns),
        change_url=url,
    )


def _cell(name, obj, model_admin, empty):
    """One ``list_display`` cell as the admin's ``items_for_result`` reads and formats it (without its row classes;
    the template links the first cell to the change page, as the admin does): ``lookup_field``, then
    ``display_for_value`` for a callable or attribute, the related object for a foreign key, ``display_for_field``
    for any other field."""
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except ObjectDoesNotExist:
        return empty
    empty = getattr(attr, "empty_value_display", empty)
    if isinstance(value, str) and not value.strip():
        value = ""
    if field is None or field.auto_created:
        return display_for_value(value, empty, getattr(attr, "boolean", False))
    if isinstance(field.remote_field, ManyToOneRel):
        related = getattr(obj, field.name)
        return empty if related is None else related
    return display_for_field(value, field, empty)


@cache
def _plain_template():
    return engines["django"].from_string(PLAIN_TEMPLATE.read_text(encoding="utf-8"))


def plain_page(request, app_label: str, model_name: str):
    """The plain page of a changelist registered in ``_PLAIN``: its first page of rows and cells, nothing else."""
    spec = _PLAIN.get(f"{app_label}.{model_name}")
    if spec is None:
        raise Http404
    model_admin = spec.model_admin
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    rows = model_admin.get_queryset(request).order_by(*spec.ordering)
    if spec.related is True:
        rows = rows.select_related()
    elif spec.related:
        rows = rows.select_related(*spec.related)
    if spec.distinct:
        rows = rows.distinct()
    empty = model_admin.get_empty_value_display()
    table = [(obj.pk, [_cell(name, obj, model_admin, empty) for name in spec.columns]) for obj in rows[: spec.size]]
    context = {
        "title": model_admin.model._meta.verbose_name_plural,
        "headers": spec.headers,
        "rows": table,
        "change_url": spec.change_url,
    }
    return HttpResponse(_plain_template().render(context, request))


urlpatterns = [
    path("bench/admin-plain/<str:app_label>/<str:model_name>/", plain_page, name="bench-admin-plain"),
    path("", include("bench.urls")),
]


# --- The measurements -------------------------------------------------------------------------------------


def _changelist(model_admin, user, url: str, query: dict | None = None):
    """The ``ChangeList`` the page builds, for the same user and query (its count runs once, untimed)."""
    request = RequestFactory().get(url, query or {})
    request.user = user
    return model_admin.get_changelist_instance(request)


def _plan(sql: str) -> str:
    """The scans of the statement's plan (``EXPLAIN``, not run): which index, if any, the search goes through."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    scans = []

    def walk(node):
        if "Scan" in node.get("Node Type", ""):
            scans.append(f"{node['Node Type']} {node.get('Index Name') or node.get('Relation Name', '')}".strip())
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return "; ".join(dict.fromkeys(scans))


def _sql_ms(statements: list[dict]) -> tuple[list[str], list[float]]:
    """The statements a page read with, and each one's time replayed alone (the median of three: the machine is
    shared, and the page's SQL is compared with the plain page's statement by statement)."""
    sqls = pages.reads(statements)
    return sqls, pages.replay_each(sqls, repeat=REPLAYS)


def _shape(sql: str) -> str:
    """A statement without its LIMIT's number (the admin's capped paginator fetches a row more than the page) and
    its timestamps (the session's ``expire_date > now``): the same statement in both pages compares equal."""
    return TIMESTAMP.sub("'t'", pages.LIMITS.sub("LIMIT n", sql))


def measure_list(label: str, model_label: str, user, client, *, rounds: int, log=print) -> dict:
    model = apps.get_model(model_label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    row = {"list": label, "url": url, "user": user.username}
    response, statements = pages.captured(client, url)  # also the unmeasured first page
    row["status"] = response.status_code
    if response.status_code != 200:
        log(f"bench: admin {label} as {user.username}: {response.status_code}")
        return row
    sqls, each = _sql_ms(statements)
    counts = [
        {"ms": t, "sql": pages.short(sql, 400)} for sql, t in zip(sqls, each, strict=True) if pages.full_count(sql)
    ]

    model_admin = admin.site._registry[model]
    changelist = _changelist(model_admin, user, url)
    queryset, size = changelist.queryset, changelist.list_per_page
    shown = [obj.pk for obj in changelist.result_list]
    _PLAIN[model_label] = _plain_list(model_admin, changelist, url)
    plain_url = reverse("bench-admin-plain", args=[model._meta.app_label, model._meta.model_name])
    plain_response, plain_statements = pages.captured(client, plain_url)  # also the plain page's first
    if plain_response.status_code != 200:
        raise RuntimeError(f"admin {label}: the plain page {plain_url} answered {plain_response.status_code}")
    plain_sqls, plain_each = _sql_ms(plain_statements)
    plain_shown = [int(pk) for pk in PLAIN_ROW.findall(plain_response.content)]
    known = {_shape(sql) for sql in plain_sqls}
    extra = [(sql, t) for sql, t in zip(sqls, each, strict=True) if _shape(sql) not in known]

    def get(address: str):
        def load():
            answer = client.get(address)
            if answer.status_code != 200:
                raise RuntimeError(f"admin {label}: {address} answered {answer.status_code}")

        return load

    def orm():
        return list(queryset.all()[:size])

    page_s, plain_s, orm_s = pages.rotate([get(url), get(plain_url), orm], rounds)
    row.update(
        {
            "page_ms": pages.ms(page_s),
            "plain_ms": pages.ms(plain_s),
            "orm_ms": pages.ms(orm_s),
            "rounds": rounds,
            "rows": len(shown),
            "same_rows": [obj.pk for obj in orm()] == shown and plain_shown == shown,
            "html_kb": round(len(response.content) / 1024, 1),
            "plain_kb": round(len(plain_response.content) / 1024, 1),
            "region_links": len(REGION_LINK.findall(response.content)),
            "statements": len(statements),
            "plain_statements": len(plain_statements),
            "sql_ms": round(sum(each), 1),
            "plain_sql_ms": round(sum(plain_each), 1),
            "extra_sql": pages.heaviest([s for s, _t in extra], [t for _s, t in extra], most=3),
            "extra_statements": len(extra),
            "extra_sql_ms": round(sum(t for _s, t in extra), 1),
            "full_counts": counts,
            "heaviest": pages.heaviest(sqls, each, most=3),
        }
    )
    row["ratio"] = pages.ratio(row["page_ms"], row["plain_ms"])
    row["orm_ratio"] = pages.ratio(row["page_ms"], row["orm_ms"])
    log(
        f"bench: admin {label}: {row['page_ms']} ms against a plain page of {row['plain_ms']} ms ({row['ratio']}×; "
        f"ORM only {row['orm_ms']} ms, {row['orm_ratio']}×); SQL {row['sql_ms']} ms in {row['statements']} "
        f"statements against {row['plain_sql_ms']} ms in {row['plain_statements']}; {row['html_kb']} KB "
        f"(plain {row['plain_kb']} KB), {len(counts)} full count(s)"
    )
    return row


def measure_search(what: str, term: str, user, client, *, rounds: int, log=print) -> dict:
    from django.utils.http import urlencode

    from programs.models import Enterprise

    base = reverse("admin:programs_enterprise_changelist")
    url = f"{base}?{urlencode({'q': term})}"
    response, statements = pages.captured(client, url)
    if response.status_code != 200:
        raise RuntimeError(f"admin search: {url} answered {response.status_code}")
    searching = [sql for sql in pages.reads(statements) if term.lower() in sql.lower()]
    if not searching:
        raise RuntimeError(f"admin search: no statement carries {term!r}")

    def page():
        client.get(url)

    page_s, floor_s = pages.alternate(page, lambda: pages.replay(searching), rounds)
    changelist = _changelist(admin.site._registry[Enterprise], user, base, {"q": term})
    each = pages.replay_each(searching)
    slowest = searching[max(range(len(each)), key=each.__getitem__)]
    row = {
        "search": what,
        "q": term,
        "found": changelist.result_count,
        "page_ms": pages.ms(page_s),
        "floor_ms": pages.ms(floor_s),
        "statements": len(statements),
        "search_statements": len(searching),
        "rounds": rounds,
        "plan": _plan(slowest),
        "slowest": {"ms": max(each), "sql": pages.short(slowest, 400)},
    }
    row["ratio"] = pages.ratio(row["page_ms"], row["floor_ms"])
    log(f"bench: admin search {what} {term!r}: {row['page_ms']} ms against {row['floor_ms']} ms ({row['ratio']}×)")
    return row


def run(scale: dataset.Scale, *, rounds: int = 5, log=print) -> dict:
    with override_settings(ROOT_URLCONF=__name__):  # the bench's URLs and the plain page
        return _run(scale, rounds=rounds, log=log)


def _run(scale: dataset.Scale, *, rounds: int, log=print) -> dict:
    from programs.models import Enterprise

    pages.steady_state()
    coordinator = pages.staff_user(USER)
    organiser = pages.staff_user(ORGANISER)
    clients = {USER: pages.client_for(coordinator)}
    lists = []
    for label, model_label in LISTS:
        row = measure_list(label, model_label, coordinator, clients[USER], rounds=rounds, log=log)
        lists.append(row)
        if row["status"] == 403:  # the field staff's list: measured for an organiser of the same city
            clients.setdefault(ORGANISER, pages.client_for(organiser))
            lists.append(measure_list(label, model_label, organiser, clients[ORGANISER], rounds=rounds, log=log))

    # A search finds a few of the coordinator's enterprises: one of them by a part of its name (业 and the
    # number's leading digits: the generated names are 企业 and a number) and one by the end of its credit code.
    listed = _changelist(admin.site._registry[Enterprise], coordinator, reverse("admin:programs_enterprise_changelist"))
    sample = listed.queryset.order_by("pk")[len(listed.result_list) // 2]
    searches = [
        measure_search("name", sample.name[1:-1], coordinator, clients[USER], rounds=rounds, log=log),
        measure_search("credit code", sample.credit_code[-10:], coordinator, clients[USER], rounds=rounds, log=log),
    ]
    return {"scale": scale.name, "enterprises": scale.enterprises, "lists": lists, "searches": searches}


def _counts(row: dict) -> str:
    if "full_counts" not in row:
        return ""
    if not row["full_counts"]:
        return "none"
    return "**" + ", ".join(f"{c['ms']} ms" for c in row["full_counts"]) + "**"


def _outside(row: dict, total: str, sql: str):
    """Milliseconds outside SQL: the page's median less its statements replayed alone (the view, the ORM's
    model building, the template)."""
    if row.get(total) is None or row.get(sql) is None:
        return "—"
    return round(row[total] - row[sql], 1)


def section(value: dict) -> str:
    lines = [
        f"## Admin changelists against a plain page of the same rows (issue 16, point 3; {value['scale']} data)",
        "",
        f"First page of each list, no filter, for the city coordinator (`{USER}`) or, where a coordinator is refused "
        f"the list (403), an organiser of the same city (`{ORGANISER}`), rendered in-process by `django.test.Client` "
        "in zh-hans. **The verdict (≤ 1.5×) is against the plain page**: a minimal Django view, through the same "
        "client, user and middleware, rendering the same rows (the changelist's own queryset: the ModelAdmin's scope, "
        "the changelist's ordering, `list_select_related` and page size) and the same `list_display` cells (read as "
        "the admin reads them: `lookup_field`, `display_for_value` / `display_for_field`) into a bare `<table>` "
        "through a Django template (`bench/admin_plain.html`): no admin chrome, no filters, no count. ORM = that "
        "queryset sliced to the page size and read with `list()`, no view and no HTML (the earlier baseline, for "
        "reference). Rotating rounds (page, plain page, ORM), medians. SQL ms = the page's statements replayed alone, "
        "summed, each the median of three replays (statements in brackets); outside SQL = median − SQL (the view, "
        "the model instances, the template). "
        "Full count = a captured statement with `COUNT(` and no `LIMIT` (a count of the whole scoped set). Region "
        "links = `in_region=` links of the region filter in the HTML. Same rows = the plain page and the ORM page "
        "list the changelist's rows in its order.",
        "",
        "| list | user | status | page ms | plain page ms | page ÷ plain page | ≤ 1.5× | ORM ms | page ÷ ORM | "
        "page SQL ms | plain page SQL ms | page outside SQL ms | plain page outside SQL ms | HTML KB | ≤ 150 KB | "
        "plain page KB | full counts | region links | same rows |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
        "| --- |",
    ]
    for row in value["lists"]:
        if row["status"] != 200:
            lines.append(f"| {row['list']} | {row['user']} | {row['status']} |" + " |" * 16)
            continue
        if "orm_ms" not in row:  # kept from a run before the plain page: its "plain" was the ORM page
            row = {**row, "orm_ms": row["plain_ms"], "orm_ratio": row["ratio"], "plain_ms": "—", "ratio": None}
        fast = None if row["ratio"] is None else row["ratio"] <= RATIO_GOAL
        small = row["html_kb"] <= HTML_GOAL_KB
        plain_sql = f"{row['plain_sql_ms']} ({row['plain_statements']})" if "plain_sql_ms" in row else "—"
        lines.append(
            f"| {row['list']} | {row['user']} | {row['status']} | {row['page_ms']} | {row['plain_ms']} | "
            f"{row['ratio']} | {pages.verdict(fast)} | {row.get('orm_ms', '—')} | {row.get('orm_ratio', '—')} | "
            f"{row['sql_ms']} ({row['statements']}) | {plain_sql} | {_outside(row, 'page_ms', 'sql_ms')} | "
            f"{_outside(row, 'plain_ms', 'plain_sql_ms')} | {row['html_kb']} | {pages.verdict(small)} | "
            f"{row.get('plain_kb', '—')} | {_counts(row)} | {row['region_links']} | "
            f"{'yes' if row['same_rows'] else '**no**'} |"
        )
    extra = [row for row in value["lists"] if row.get("extra_sql")]
    if extra:
        lines += [
            "",
            "What the page's SQL adds over the plain page's: the page's statements the plain page does not run "
            "(filters, date hierarchy, the capped count, …), replayed alone, and the slowest of them:",
            "",
        ]
        for row in extra:
            slowest = "; ".join(f"{s['ms']} ms `{s['sql']}`" for s in row["extra_sql"])
            lines.append(
                f"- {row['list']} ({row['user']}): {row['extra_sql_ms']} ms in {row['extra_statements']} "
                f"statements; {slowest}"
            )
    counted = [row for row in value["lists"] if row.get("full_counts")]
    if counted:
        lines += ["", "The full counts (goal: none):", ""]
        for row in counted:
            lines += [f"- {row['list']}, {c['ms']} ms: `{c['sql']}`" for c in row["full_counts"]]
    lines += [
        "",
        "Enterprise search (`?q=`) against its SQL floor (the statements carrying the term, replayed raw); plan = "
        "the scans of the slowest one's `EXPLAIN`:",
        "",
        "| search | q | found | page ms | floor ms | ratio | ≤ 2× | statements (with the term) | plan |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in value["searches"]:
        ok = row["ratio"] is not None and row["ratio"] <= SEARCH_GOAL
        lines.append(
            f"| {row['search']} | `{row['q']}` | {row['found']} | {row['page_ms']} | {row['floor_ms']} | "
            f"{row['ratio']} | {pages.verdict(ok)} | {row['statements']} ({row['search_statements']}) | "
            f"{row['plan']} |"
        )
    return "\n".join(lines) + "\n"
