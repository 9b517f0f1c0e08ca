"""What the dashboard and admin-list sections (issue 16, points 1 and 3) share: a signed-in staff client rendering
pages in-process in Chinese, the statements a page ran, their replay through a bare cursor (the page's SQL
floor), and alternating timed rounds."""

import re
import statistics
import time

LANGUAGE = "zh-hans"
# The statements a page reads with; anything else (a session save, a savepoint) is not replayed.
READS = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)
COUNTS = re.compile(r"\bCOUNT\s*\(", re.IGNORECASE)
LIMITS = re.compile(r"\bLIMIT\s+\d+", re.IGNORECASE)


def steady_state() -> None:
    """``VACUUM ANALYZE``: the steady state of a live database (autovacuum's). The sections run before (the sweeps,
    the coordination) rewrite a city's rows in mass, and a visibility map they left would send every index-only
    count to the heap (a city's plan entries: 44 ms instead of 1 ms)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def staff_user(username: str):
    """The bench staff account ``username`` (``bench/dataset/core.py`` makes it with ``is_staff``: it opens the
    admin)."""
    from programs.models import User

    return User.objects.get(username=username)


def client_for(user):
    from django.test import Client

    client = Client(headers={"accept-language": LANGUAGE})
    client.force_login(user)
    return client


def captured(client, url: str):
    """(response, statements): each statement the request ran as {"sql", "ms"}."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    statements = [{"sql": q["sql"], "ms": round(float(q["time"]) * 1000, 2)} for q in queries.captured_queries]
    return response, statements


def reads(statements: list[dict]) -> list[str]:
    return [s["sql"] for s in statements if READS.match(s["sql"])]


def replay(sqls: list[str]) -> float:
    """Seconds to run ``sqls`` one after the other through one cursor, every row fetched: what the database and
    the wire cost the page, without the ORM, the view or the template."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute(sql)
            cursor.fetchall()
    return time.perf_counter() - started


def replay_each(sqls: list[str], *, repeat: int = 1) -> list[float]:
    """Each statement's own time (ms), replayed once more (the median of ``repeat`` replays): which statements the
    floor is made of."""
    return [round(statistics.median(replay([sql]) for _ in range(repeat)) * 1000, 2) for sql in sqls]


def full_count(sql: str) -> bool:
    """A COUNT that reads the whole set it counts: a ``COUNT(`` in a statement without any ``LIMIT``. The
    paginator's count is ``SELECT COUNT(*) AS "__count" FROM … WHERE <scope>`` (or over a ``DISTINCT`` subquery);
    a capped count reads at most cap + 1 rows through ``SELECT COUNT(*) FROM (SELECT … LIMIT n) subquery``."""
    return bool(COUNTS.search(sql)) and not LIMITS.search(sql)


def alternate(first, second, rounds: int, *, prepare=None) -> tuple[list[float], list[float]]:
    """``first()`` and ``second()`` timed in alternating rounds (first, second, first, second …), in seconds;
    ``prepare()``, untimed, before each ``first()`` (emptying a cache)."""
    a, b = [], []
    for _round in range(rounds):
        if prepare is not None:
            prepare()
        started = time.perf_counter()
        first()
        a.append(time.perf_counter() - started)
        started = time.perf_counter()
        second()
        b.append(time.perf_counter() - started)
    return a, b


def rotate(functions: list, rounds: int) -> list[list[float]]:
    """Each of ``functions`` timed in rotating rounds (first, second, third, first …), in seconds: what the
    machine's load does to one round it does to its neighbours."""
    times: list[list[float]] = [[] for _function in functions]
    for _round in range(rounds):
        for function, kept in zip(functions, times, strict=True):
            started = time.perf_counter()
            function()
            kept.append(time.perf_counter() - started)
    return times


def ms(seconds: list[float]) -> float:
    return round(statistics.median(seconds) * 1000, 1)


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def short(sql: str, length: int = 240) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= length else sql[: length - 1] + "…"


def heaviest(sqls: list[str], times: list[float], most: int = 5) -> list[dict]:
    order = sorted(range(len(sqls)), key=lambda i: -times[i])[:most]
    return [{"ms": times[i], "sql": short(sqls[i])} for i in order]


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")
