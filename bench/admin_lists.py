"""Issue 16, point 3: the admin changelists a city coordinator (``bench_city``) works in, rendered in-process by
``django.test.Client`` in Chinese, first page, no filter.

- Each list against a plain scoped ORM page of the same rows: the changelist's own queryset (the ModelAdmin's
  ``get_queryset`` with the list's filters, ordering and ``list_select_related``, as ``ChangeList`` builds it)
  sliced to the page size and read with ``list()``; alternating rounds (page, plain, …), medians. Goal ≤ 1.5×.
- The HTML size (goal ≤ 150 KB) and the region filter's links in it.
- A full-result count: a captured statement with ``COUNT(`` and no ``LIMIT`` anywhere in it (the paginator's
  ``SELECT COUNT(*) … WHERE <scope>``, or over a ``DISTINCT`` subquery) reads the whole scoped set; a capped count
  (``SELECT COUNT(*) FROM (SELECT … LIMIT n)``) does not. Each statement is replayed alone for its time.
- The enterprise list's search (``?q=``: a part of a name, in Chinese, and a part of a credit code) against its
  SQL floor: the statements that carry the search term, replayed raw. Goal ≤ 2×.

The lists of workshop registrations and residents are the field staff's (organisers, grid workers): a coordinator
is refused them (403, recorded), and they are measured for an organiser of the same city
(``bench_city_organiser``, made here when missing)."""

import json
import re

from . import dataset, pages

USER = "bench_city"
ORGANISER = "bench_city_organiser"
RATIO_GOAL = 1.5
SEARCH_GOAL = 2.0
HTML_GOAL_KB = 150.0
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


def _changelist(model_admin, user, url: str, query: dict | None = None):
    """The ``ChangeList`` the page builds, for the same user and query (its count runs once, untimed)."""
    from django.test import RequestFactory

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


def measure_list(label: str, model_label: str, user, client, *, rounds: int, log=print) -> dict:
    from django.apps import apps
    from django.contrib import admin
    from django.urls import reverse

    model = apps.get_model(model_label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    row = {"list": label, "url": url, "user": user.username}
    response, statements = pages.captured(client, url)  # also the unmeasured first page
    row["status"] = response.status_code
    if response.status_code != 200:
        log(f"bench: admin {label} as {user.username}: {response.status_code}")
        return row
    sqls = pages.reads(statements)
    each = pages.replay_each(sqls)
    counts = [
        {"ms": t, "sql": pages.short(sql, 400)} for sql, t in zip(sqls, each, strict=True) if pages.full_count(sql)
    ]

    model_admin = admin.site._registry[model]
    changelist = _changelist(model_admin, user, url)
    queryset, size = changelist.queryset, changelist.list_per_page
    shown = [obj.pk for obj in changelist.result_list]

    def page():
        answer = client.get(url)
        if answer.status_code != 200:
            raise RuntimeError(f"admin {label}: {url} answered {answer.status_code}")

    def plain():
        return list(queryset.all()[:size])

    page_s, plain_s = pages.alternate(page, plain, rounds)
    row.update(
        {
            "page_ms": pages.ms(page_s),
            "plain_ms": pages.ms(plain_s),
            "rounds": rounds,
            "rows": len(shown),
            "same_rows": [obj.pk for obj in plain()] == shown,
            "html_kb": round(len(response.content) / 1024, 1),
            "region_links": len(REGION_LINK.findall(response.content)),
            "statements": len(statements),
            "sql_ms": round(sum(each), 1),
            "full_counts": counts,
            "heaviest": pages.heaviest(sqls, each, most=3),
        }
    )
    row["ratio"] = pages.ratio(row["page_ms"], row["plain_ms"])
    log(
        f"bench: admin {label}: {row['page_ms']} ms against {row['plain_ms']} ms ({row['ratio']}×), "
        f"{row['html_kb']} KB, {len(counts)} full count(s), {row['statements']} statements"
    )
    return row


def measure_search(what: str, term: str, user, client, *, rounds: int, log=print) -> dict:
    from django.contrib import admin
    from django.urls import reverse
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
    from programs.models import Region, User

    coordinator = pages.staff_user(USER)
    organiser = pages.staff_user(ORGANISER, role=User.Role.ORGANISER, region=Region.objects.get(code=dataset.CITY))
    clients = {USER: pages.client_for(coordinator)}
    lists = []
    for label, model_label in LISTS:
        row = measure_list(label, model_label, coordinator, clients[USER], rounds=rounds, log=log)
        lists.append(row)
        if row["status"] == 403:  # the field staff's list: measured for an organiser of the same city
            clients.setdefault(ORGANISER, pages.client_for(organiser))
            lists.append(measure_list(label, model_label, organiser, clients[ORGANISER], rounds=rounds, log=log))

    from django.contrib import admin
    from django.urls import reverse

    from programs.models import Enterprise

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


def section(value: dict) -> str:
    lines = [
        f"## Admin changelists against a plain scoped ORM page (issue 16, point 3; {value['scale']} data)",
        "",
        f"First page of each list, no filter, for the city coordinator (`{USER}`) or, where a coordinator is refused "
        f"the list (403), an organiser of the same city (`{ORGANISER}`), rendered in-process by `django.test.Client` "
        "in zh-hans. Plain = the changelist's own queryset (scope, ordering, `list_select_related`) sliced to the "
        "page size with `list()`. Alternating rounds, medians. Full count = a captured statement with `COUNT(` and "
        "no `LIMIT` (a count of the whole scoped set), with its time replayed alone. Region links = `in_region=` "
        "links of the region filter in the HTML. SQL ms = the page's statements replayed alone, summed; outside SQL = "
        "page − SQL (the view and the template).",
        "",
        "| list | user | status | page ms | plain ms | ratio | ≤ 1.5× | HTML KB | ≤ 150 KB | full counts | "
        "statements | SQL ms | outside SQL ms | region links | same rows |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in value["lists"]:
        if row["status"] != 200:
            lines.append(f"| {row['list']} | {row['user']} | {row['status']} |" + " |" * 12)
            continue
        fast = row["ratio"] is not None and row["ratio"] <= RATIO_GOAL
        small = row["html_kb"] <= HTML_GOAL_KB
        lines.append(
            f"| {row['list']} | {row['user']} | {row['status']} | {row['page_ms']} | {row['plain_ms']} | "
            f"{row['ratio']} | {pages.verdict(fast)} | {row['html_kb']} | {pages.verdict(small)} | {_counts(row)} | "
            f"{row['statements']} | {row['sql_ms']} | {round(row['page_ms'] - row['sql_ms'], 1)} | "
            f"{row['region_links']} | {'yes' if row['same_rows'] else '**no**'} |"
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
