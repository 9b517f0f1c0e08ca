"""Issue 16, point 1: the staff's first page, ``/admin/`` (the indicators dashboard), for the city coordinator
(``bench_city``, one eleventh of the data), uncached, rendered in-process by ``django.test.Client`` in Chinese.

- The page against its SQL floor: the statements the page ran (``CaptureQueriesContext``), replayed raw through
  one cursor with every row fetched; alternating rounds (page, floor, page, floor …), medians; the dashboard's
  cache (``portal.admin_site``: one minute per user and choice, in the default cache) is emptied before each
  page round. Goal: page ≤ 2× its floor.
- The statement count for one month and for twelve months (``?start=…&end=…``), each without and with a
  comparison year (``&compare=<year>``): it must not grow with the months.
- The growth from the tenth data (``--scale tenth``) to the full data: each scale's run is kept in its own
  ``var/bench-<scale>.json``; when both hold this section, the ratio full ÷ tenth is shown (goal ≤ 1.5×).
"""

import json
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from . import dataset, pages

USER = "bench_city"
FLOOR_GOAL = 2.0
GROWTH_GOAL = 1.5
SLOW_MS = 50.0  # a statement above this is listed as one the floor is made of
VAR = Path(__file__).resolve().parent.parent / "var"
MARKER = b'id="dashboard-computed-at"'  # the dashboard was computed (not a login page or an error)


def _periods() -> dict[str, dict]:
    """The query strings of the statement-count variants: the bench month, and the twelve months up to it,
    without and with the last year as the comparison (the form offers the six years before this one)."""
    from django.utils import timezone

    month = dataset.BENCH_MONTH
    end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    first = date(month.year - (1 if month.month < 12 else 0), month.month % 12 + 1, 1)
    year = timezone.localdate().year - 1
    return {
        "1 month": {"start": month.isoformat(), "end": end.isoformat(), "compare": ""},
        "12 months": {"start": first.isoformat(), "end": end.isoformat(), "compare": ""},
        "1 month, comparison year": {"start": month.isoformat(), "end": end.isoformat(), "compare": year},
        "12 months, comparison year": {"start": first.isoformat(), "end": end.isoformat(), "compare": year},
    }


def run(scale: dataset.Scale, *, rounds: int = 3, log=print) -> dict:
    from django.core.cache import cache
    from django.urls import reverse

    from portal import dashboard, snapshots
    from portal.models import DashboardSnapshot

    def forget() -> None:
        """Uncached: no snapshot (portal.snapshots) and no cache entry left from an earlier page."""
        cache.clear()
        DashboardSnapshot.objects.all().delete()

    pages.steady_state()
    user = pages.staff_user(USER)
    client = pages.client_for(user)
    url = reverse("admin:index")

    # A first, unmeasured page: templates, catalogues and the database's buffers warm, the statements captured.
    forget()
    response, statements = pages.captured(client, url)
    if response.status_code != 200 or MARKER not in response.content:
        raise RuntimeError(f"dashboard: {url} answered {response.status_code} without the dashboard")
    sqls = pages.reads(statements)

    def page():
        answer = client.get(url)
        if answer.status_code != 200:
            raise RuntimeError(f"dashboard: {url} answered {answer.status_code}")

    page_s, floor_s = pages.alternate(page, lambda: pages.replay(sqls), rounds, prepare=forget)
    each = pages.replay_each(sqls)
    page_ms, floor_ms = pages.ms(page_s), pages.ms(floor_s)
    log(f"bench: dashboard {page_ms} ms, floor {floor_ms} ms ({len(statements)} statements)")

    # What a person waits for once the board is computed ahead: the page read from its snapshot (the refresh
    # task keeps the default board of every watched scope fresh), and what the task spends on this scope.
    forget()
    page()
    _answer, read_statements = pages.captured(client, url)
    read_s = [_timed(page) for _round in range(rounds)]
    refresh_s = [_timed(snapshots.refresh_watched) for _round in range(rounds)]
    read_ms, refresh_ms = pages.ms(read_s), pages.ms(refresh_s)
    log(f"bench: dashboard read {read_ms} ms ({len(read_statements)} statements), refresh {refresh_ms} ms")

    counts = {}
    for name, query in _periods().items():
        form = dashboard.DashboardForm(query, user=user)
        if not form.is_valid():
            raise RuntimeError(f"dashboard: the period {name} is refused: {form.errors.as_json()}")
        forget()
        answer, ran = pages.captured(client, f"{url}?{urlencode(query)}")
        if answer.status_code != 200 or MARKER not in answer.content:
            raise RuntimeError(f"dashboard: {name} answered {answer.status_code}")
        counts[name] = {"query": urlencode(query), "statements": len(ran), "sql_ms": round(sum(s["ms"] for s in ran))}
        log(f"bench: dashboard {name}: {len(ran)} statements")
    forget()

    return {
        "scale": scale.name,
        "enterprises": scale.enterprises,
        "rounds": rounds,
        "page_ms": page_ms,
        "floor_ms": floor_ms,
        "page_rounds_ms": [round(s * 1000, 1) for s in page_s],
        "floor_rounds_ms": [round(s * 1000, 1) for s in floor_s],
        "ratio": pages.ratio(page_ms, floor_ms),
        "statements": len(statements),
        "replayed": len(sqls),
        "repeated": len(sqls) - len(set(sqls)),
        "repeats": [{"times": n, "sql": pages.short(sql)} for sql, n in Counter(sqls).most_common() if n > 1],
        "over_50ms": sum(1 for t in each if t > SLOW_MS),
        "heaviest": pages.heaviest(sqls, each),
        "html_kb": round(len(response.content) / 1024, 1),
        "counts": counts,
        "read_ms": read_ms,
        "read_statements": len(read_statements),
        "refresh_ms": refresh_ms,
    }


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def recorded() -> dict[str, dict]:
    """This section as each scale's last run kept it (``var/bench-<scale>.json``)."""
    found = {}
    for name in ("quick", "tenth", "full"):
        path = VAR / f"bench-{name}.json"
        if path.exists():
            entry = json.loads(path.read_text()).get("sections", {}).get("dashboard")
            if entry:
                found[name] = entry["value"]
    return found


def _constant(counts: dict) -> bool | None:
    def n(name):
        return counts.get(name, {}).get("statements")

    pairs = [("1 month", "12 months"), ("1 month, comparison year", "12 months, comparison year")]
    known = [(n(a), n(b)) for a, b in pairs if n(a) is not None and n(b) is not None]
    return all(a == b for a, b in known) if known else None


def section(value: dict) -> str:
    scales = {**recorded(), value["scale"]: value}
    shown = [name for name in ("quick", "tenth", "full") if name in scales]
    if value["scale"] != "quick":
        shown = [name for name in shown if name != "quick"]
    lines = [
        "## The dashboard, uncached, against its SQL floor (issue 16, point 1)",
        "",
        f"`/admin/` for the city coordinator (`{USER}`: one eleventh of the data), default period (this year to "
        "date, beside the last year with records), rendered in-process by `django.test.Client` in zh-hans with the "
        "dashboard's snapshots and cache emptied before each page (computed while the person waits). Floor = the "
        "statements the page ran, captured, replayed raw through one cursor with every row fetched. Alternating "
        "rounds (page, floor, …), medians. Repeated = statements run again with the same text (a figure computed "
        "twice). Read = the same page once its board is computed ahead (`portal/snapshots.py`: the page reads the "
        "fresh snapshot of its scope; the `portal.refresh_dashboards` task computes the default board of every "
        "scope viewed in the last week again every five minutes); refresh = that task's run for this one scope.",
        "",
        "| scale | enterprises | uncached page ms | floor ms | page ÷ floor | ≤ 2× | statements | repeated | "
        "over 50 ms | HTML KB | read ms (statements) | refresh ms | rounds |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in shown:
        row = scales[name]
        ok = row["ratio"] is not None and row["ratio"] <= FLOOR_GOAL
        lines.append(
            f"| {name} | {row['enterprises']:,} | {row['page_ms']} | {row['floor_ms']} | {row['ratio']} | "
            f"{pages.verdict(ok)} | {row['statements']} | {row['repeated']} | {row['over_50ms']} | "
            f"{row['html_kb']} | {row.get('read_ms', '')} ({row.get('read_statements', '')}) | "
            f"{row.get('refresh_ms', '')} | {row['rounds']} |"
        )
    periods = list(value["counts"])
    lines += [
        "",
        "Statements by period (`?start=…&end=…&compare=…`; must not grow with the months):",
        "",
        "| scale | " + " | ".join(periods) + " | constant |",
        "|" + " --- |" * (len(periods) + 2),
    ]
    for name in shown:
        counts = scales[name]["counts"]
        cells = " | ".join(str(counts.get(p, {}).get("statements", "")) for p in periods)
        lines.append(f"| {name} | {cells} | {pages.verdict(_constant(counts))} |")
    if "tenth" in scales and "full" in scales:
        small, large = scales["tenth"], scales["full"]
        growth = pages.ratio(large["page_ms"], small["page_ms"])
        lines += [
            "",
            f"Growth from the tenth to the full data (10× the enterprises), uncached: page {small['page_ms']} → "
            f"{large['page_ms']} ms, {growth}×; floor {small['floor_ms']} → {large['floor_ms']} ms "
            f"({pages.ratio(large['floor_ms'], small['floor_ms'])}×); statements {small['statements']} → "
            f"{large['statements']}: counting grows with the data.",
        ]
        if small.get("read_ms") and large.get("read_ms"):
            read_growth = pages.ratio(large["read_ms"], small["read_ms"])
            ok = read_growth is not None and read_growth <= GROWTH_GOAL
            lines += [
                "",
                f"The page a person opens, read from its snapshot: {small['read_ms']} → {large['read_ms']} ms, "
                f"**{read_growth}×** (≤ {GROWTH_GOAL}×: {pages.verdict(ok)}). The counting moved to the refresh "
                f"task: {small['refresh_ms']} → {large['refresh_ms']} ms for the city's scope.",
            ]
    else:
        lines += ["", "Growth from the tenth to the full data: not measured on both (run `--scale tenth` too)."]
    lines += ["", f"Heaviest statements of the page ({value['scale']} data, replayed alone):", ""]
    lines += [f"- {row['ms']} ms: `{row['sql']}`" for row in value["heaviest"]]
    if value.get("repeats"):
        lines += ["", "Statements the page ran more than once (same text):", ""]
        lines += [f"- {row['times']}×: `{row['sql']}`" for row in value["repeats"]]
    return "\n".join(lines) + "\n"
