"""The hot list endpoints: queries per request (in-process, at two page sizes and two data sizes) and
throughput and latency over HTTP through gunicorn, each against its bare view measured in the same run."""

import json
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from inspections.codes import new_inspection_code
from inspections.field import selectors as field_selectors
from inspections.models import Inspection, InspectionItem
from programs.models import Enterprise, Region, User

from . import dataset, pages
from .load import percentile
from .server import Gunicorn, load

PAGE_SIZES = (10, 50)
MEASURED_PAGE_SIZE = 50


@dataclass(frozen=True)
class Endpoint:
    name: str
    api: str  # with {n} for the page size
    bare: str
    user: str  # who calls it in the HTTP run (and the "large" data size of the query count)
    small_user: str  # the same caller role over about a tenth of the rows or fewer
    small_api: str | None = None  # when the smaller data size is a filter rather than another caller
    paginated: bool = True
    page: bool = False  # a page of the product: signed in with the session cookie, its rows counted in the HTML


def endpoints() -> list[Endpoint]:
    month = dataset.BENCH_MONTH.isoformat()
    county = Region.objects.get(code=dataset.COUNTY).pk
    province = Region.objects.get(code=dataset.PROVINCE).pk
    return [
        Endpoint(
            "enterprises by grade (yellow)",
            "/api/v1/enterprises/?grade=yellow&page_size={n}",
            "/bench/enterprises/?grade=yellow&page_size={n}",
            "bench_city",
            "bench_county",
        ),
        Endpoint(
            "enterprises by grade (green)",
            "/api/v1/enterprises/?grade=green&page_size={n}",
            "/bench/enterprises/?grade=green&page_size={n}",
            "bench_city",
            "bench_county",
        ),
        Endpoint(
            "plan entries of a month",
            f"/api/v1/plan-entries/?month={month}&page_size={{n}}",
            f"/bench/plan-entries/?month={month}&page_size={{n}}",
            "bench_city",
            "bench_county",
        ),
        Endpoint(
            "free slots",
            f"/api/v1/guidance/slots/?region={province}&page_size={{n}}",
            f"/bench/slots/?region={province}&page_size={{n}}",
            "bench_enterprise",
            "bench_enterprise",
            small_api=f"/api/v1/guidance/slots/?region={county}&page_size={{n}}",
        ),
        Endpoint(
            "my bookings",
            "/api/v1/guidance/bookings/?page_size={n}",
            "/bench/bookings/?page_size={n}",
            "bench_enterprise",
            "bench_enterprise_small",
        ),
        Endpoint(
            "officer's field week (page)",
            "/field/",
            "/bench/field-week/",
            "bench_officer",
            FIELD_SMALL_OFFICER,
            paginated=False,
            page=True,
        ),
        Endpoint(
            "open positions near me",
            "/api/v1/workshop-positions/near-me/",
            "/bench/positions-near-me/",
            "bench_resident",
            "bench_resident_small",
            paginated=False,
        ),
    ]


def auth(username: str, *, page: bool = False) -> dict:
    """The caller's credentials: its API token, or for a page the session cookie of a sign-in."""
    if not page:
        return {"Authorization": f"Token {Token.objects.get(user__username=username).key}"}
    client = Client()
    client.force_login(User.objects.get(username=username))
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}


# The field week: the bench officer's visits this week (one card each on the page), and a second officer of
# the same department with a tenth of them (the smaller data size).
FIELD_VISITS = 30
FIELD_SMALL_OFFICER = "bench_officer_small"
FIELD_CARD = b'class="visit-card'


def field_week_visits() -> None:
    """Give the bench officer ``FIELD_VISITS`` scheduled visits this week and the small one a tenth of them,
    each to an enterprise of the county with three items of the department (only what is missing is made)."""
    officer = User.objects.select_related("department").get(username="bench_officer")
    small, _created = User.objects.get_or_create(
        username=FIELD_SMALL_OFFICER,
        defaults={"role": User.Role.OFFICER, "region": officer.region, "department": officer.department},
    )
    monday = field_selectors.week_start()
    items = list(InspectionItem.objects.filter(department=officer.department).order_by("pk")[:3])
    enterprises = Enterprise.objects.filter(region__code__startswith=officer.region.prefix).order_by("pk")
    for user, wanted in ((officer, FIELD_VISITS), (small, FIELD_VISITS // 10)):
        have = Inspection.objects.filter(officers=user, week_start=monday).count()
        for n in range(have, wanted):
            visit = Inspection.objects.create(
                enterprise=enterprises[n + (0 if user == officer else FIELD_VISITS)],
                month=monday.replace(day=1),
                week_start=monday,
                visit_date=monday + timedelta(days=n % 5),
                lead_department=officer.department,
                status=Inspection.Status.SCHEDULED,
                code=new_inspection_code(),
            )
            visit.departments.add(officer.department)
            visit.items.add(*items)
            visit.officers.add(user)


def _rows(body: bytes, *, page: bool = False) -> int:
    if page:
        return body.count(FIELD_CARD)
    payload = json.loads(body)
    if isinstance(payload, dict):
        return len(payload.get("results", []))
    return len(payload)


def _count(client: Client, path: str, headers: dict, *, page: bool = False) -> tuple[int, int, int]:
    """(status, queries, rows) of one request made in this process."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    ok = response.status_code == 200
    return response.status_code, len(queries), _rows(response.content, page=page) if ok else 0


FLOOR_ROUNDS = 5


def _floor(client: Client, path: str, headers: dict) -> dict:
    """The request in this process against its SQL floor (the statements it ran, replayed raw through one cursor),
    alternating, medians; and the count's own statements (``COUNT(``) replayed alone: what the list's count costs."""
    with CaptureQueriesContext(connection) as queries:
        client.get(path, headers=headers)
    sqls = pages.reads([{"sql": q["sql"]} for q in queries.captured_queries])
    counts = [sql for sql in sqls if pages.COUNTS.search(sql)]
    request_s, floor_s = [], []
    for _round in range(FLOOR_ROUNDS):
        started = time.perf_counter()
        client.get(path, headers=headers)
        request_s.append(time.perf_counter() - started)
        floor_s.append(pages.replay(sqls))
    request_ms, floor_ms = pages.ms(request_s), pages.ms(floor_s)
    count_ms = pages.ms([pages.replay(counts) for _round in range(FLOOR_ROUNDS)]) if counts else None
    return {
        "request_ms": request_ms,
        "floor_ms": floor_ms,
        "floor_ratio": pages.ratio(request_ms, floor_ms),
        "count_ms": count_ms,
    }


def queries_per_request(log=print) -> list[dict]:
    """Each endpoint at two page sizes and two data sizes; constant when all four counts are equal. The bare
    view's count at page size 50 and the row counts of both answers are recorded to show they are the same list."""
    client = Client()
    results = []
    field_week_visits()
    for endpoint in endpoints():
        counts = {}
        for size_name, username, template in (
            ("small", endpoint.small_user, endpoint.small_api or endpoint.api),
            ("large", endpoint.user, endpoint.api),
        ):
            headers = auth(username, page=endpoint.page)
            for n in PAGE_SIZES if endpoint.paginated else (None,):
                client.get(template.format(n=n), headers=headers)  # first request: caches, connection
                status, queries, rows = _count(client, template.format(n=n), headers, page=endpoint.page)
                counts[f"{size_name}/{n or 'all'}"] = {"status": status, "queries": queries, "rows": rows}
        headers = auth(endpoint.user, page=endpoint.page)
        _status, bare_queries, bare_rows = _count(client, endpoint.bare.format(n=MEASURED_PAGE_SIZE), headers)
        api_rows = counts[f"large/{MEASURED_PAGE_SIZE if endpoint.paginated else 'all'}"]["rows"]
        query_counts = {value["queries"] for value in counts.values()}
        result = {
            "endpoint": endpoint.name,
            "path": endpoint.api.format(n=MEASURED_PAGE_SIZE),
            "counts": counts,
            "constant": len(query_counts) == 1,
            "all_ok": all(value["status"] == 200 for value in counts.values()),
            "bare_queries": bare_queries,
            "same_rows_as_bare": api_rows == bare_rows,
            "rows": api_rows,
            "floor": _floor(client, endpoint.api.format(n=MEASURED_PAGE_SIZE), headers),
        }
        results.append(result)
        log(
            f"  queries: {endpoint.name:<32} "
            + " ".join(f"{key}={value['queries']}q/{value['rows']}r" for key, value in counts.items())
            + f"  bare={bare_queries}q/{bare_rows}r"
        )
    return results


ROUNDS = 2


def _merge(runs: list[dict]) -> dict:
    """Several measurements of the same request as one: counts added, percentiles over all latencies."""
    latencies = [value for run in runs for value in run.pop("latencies_ms")]
    statuses: dict[str, int] = {}
    for run in runs:
        for status, count in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    seconds = sum(run["seconds"] for run in runs)
    requests = sum(run["requests"] for run in runs)
    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "throughput": round(requests / seconds, 1) if seconds else None,
        "statuses": statuses,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "client_cpu_percent": max(run["client_cpu_percent"] for run in runs),
        "mean_bytes": runs[0]["mean_bytes"],
    }


def throughput(*, duration: float, warmup: float, concurrency: int, log=print) -> list[dict]:
    """Each endpoint and its bare view through the same gunicorn, from a second process on loopback, in
    alternating rounds (API, bare, API, bare) so that a passing disturbance does not fall on one side only."""
    results = []
    field_week_visits()
    pages.steady_state()
    with Gunicorn() as server:
        for endpoint in endpoints():
            headers = auth(endpoint.user, page=endpoint.page)
            row = {"endpoint": endpoint.name, "path": endpoint.api.format(n=MEASURED_PAGE_SIZE)}
            paths = {
                kind: template.format(n=MEASURED_PAGE_SIZE)
                for kind, template in (("api", endpoint.api), ("bare", endpoint.bare))
            }
            warm = {kind: server.warm(path, headers) for kind, path in paths.items()}
            runs: dict[str, list] = {"api": [], "bare": []}
            singles: dict[str, list] = {"api": [], "bare": []}
            for _round in range(ROUNDS):
                for kind, path in paths.items():
                    spec = {
                        "port": server.port,
                        "mode": "read",
                        "path": path,
                        "headers": headers,
                        "concurrency": concurrency,
                        "duration": duration / ROUNDS,
                        "warmup": warmup,
                        "raw": True,
                    }
                    runs[kind].append(load(spec))
                    # One connection: the time of one request with nothing queued before it.
                    singles[kind].append(load({**spec, "concurrency": 1, "duration": max(duration / 4, 1)}))
            for kind in paths:
                row[kind] = {"warm_status": warm[kind], **_merge(runs[kind])}
                single = _merge(singles[kind])
                row[kind]["single_p50_ms"], row[kind]["single_p95_ms"] = single["p50_ms"], single["p95_ms"]
            api, bare = row["api"], row["bare"]
            row["ratio"] = round(api["throughput"] / bare["throughput"], 2) if bare["throughput"] else None
            results.append(row)
            log(
                f"  http: {endpoint.name:<32} api {api['throughput']:>7} req/s "
                f"p50 {api['p50_ms']} p95 {api['p95_ms']} ms"
                f" | bare {bare['throughput']:>7} req/s p50 {bare['p50_ms']} p95 {bare['p95_ms']} ms"
                f" | ratio {row['ratio']}  statuses {api['statuses']} {bare['statuses']}"
            )
    return results
