"""Issue 16, point 4: the export of the enterprise list at 10,000 and 100,000 rows against a bare baseline.

Product = what the export job runs (``programs.export_jobs``): the enterprise admin's list as the province
coordinator sees it (scope, columns, labels), rows by ``programs.exports.export_rows`` (values_list, chunked
server-side cursor, choices' labels, yes/no, the region's name) written by ``write_xlsx`` (openpyxl write-only,
every cell neutralised) or ``write_csv``. Baseline = the same rows' raw values by a bare
``values_list(…, "region__name", …)`` written by the same writer library with nothing done to a cell. "Before" =
the export as it was (each cell through ``lookup_field``/``display_for_field`` from model instances), for
reference. Each run is a process of its own (``python -m bench.exports <mode> <format> <rows>``): time and peak
RSS growth over the RSS with Django loaded and connected (VmHWM reset, as ``bench/sweep_worker.py``). Rounds
alternate (baseline, product, baseline, product); the best time and the worst growth are kept.
"""

import csv
import json
import subprocess
import sys
import tempfile
import time

from .server import BASE_DIR

SIZES = (10_000, 100_000)
ROUNDS = 2
FORMATS = ("xlsx", "csv")
TIME_GOAL = 2.0  # product ÷ baseline
MEMORY_GOAL_MB = 30.0  # growth at 100,000 rows
BARE_COLUMNS = ("name", "credit_code", "region__name", "industry", "size", "is_key", "is_four_new", "grade")


def _list(rows: int):
    from django.contrib import admin
    from django.test import RequestFactory

    from programs.models import Enterprise, User

    model_admin = admin.site._registry[Enterprise]
    request = RequestFactory().get("/admin/programs/enterprise/")
    request.user = User.objects.get(username="bench_province")
    queryset = model_admin.get_changelist_instance(request).get_queryset(request)
    return model_admin, request, queryset.filter(pk__lte=rows)


def product(fmt: str, rows: int, target) -> int:
    from programs import exports

    model_admin, request, queryset = _list(rows)
    written = 0

    def counted(source):
        nonlocal written
        for row in source:
            written += 1
            yield row

    cells = counted(exports.export_rows(model_admin, request, queryset))
    if fmt == "csv":
        exports.write_csv(cells, target)
    else:
        exports.write_xlsx(cells, target, title="enterprises")
    return written - 1


def before(fmt: str, rows: int, target) -> int:
    """The export as it was: every cell from a model instance through ``lookup_field``."""
    from programs import exports

    model_admin, request, queryset = _list(rows)
    columns = exports.export_columns(model_admin, request)
    header = [str(name) for name in columns]
    cells = (
        exports.neutralise_row([exports._cell(model_admin, obj, name) for name in columns])
        for obj in queryset.iterator(chunk_size=2000)
    )
    written = 0

    def counted():
        nonlocal written
        yield header
        for row in cells:
            written += 1
            yield row

    if fmt == "csv":
        exports.write_csv(counted(), target)
    else:
        exports.write_xlsx(counted(), target, title="enterprises")
    return written


def baseline(fmt: str, rows: int, target) -> int:
    """A bare ``values_list`` of the same rows (same scope and order) and the writer, nothing done to a cell."""
    from openpyxl import Workbook

    _admin, _request, queryset = _list(rows)
    values = queryset.values_list(*BARE_COLUMNS).iterator(chunk_size=2000)
    written = 0
    if fmt == "csv":
        import io

        text = io.TextIOWrapper(target, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(BARE_COLUMNS)
        for row in values:
            writer.writerow(row)
            written += 1
        text.flush()
        text.detach()
        return written
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("enterprises")
    sheet.append(list(BARE_COLUMNS))
    for row in values:
        sheet.append(list(row))
        written += 1
    workbook.save(target)
    return written


def worker(argv: list[str]) -> None:
    from bench import environment
    from bench.sweep_worker import _current_rss_kb, _reset_peak, _rss_kb

    environment.configure(quick=False)  # the parent's BENCH_DATABASE_URL
    environment.setup_django(migrate=False)
    from django.db import connection
    from django.utils import translation

    connection.ensure_connection()
    mode, fmt, rows = argv[0], argv[1], int(argv[2])
    translation.activate("zh-hans")
    _reset_peak()
    base = _current_rss_kb()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as target:
        written = {"product": product, "baseline": baseline, "before": before}[mode](fmt, rows, target)
        size = target.tell()
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": written, "bytes": size, "seconds": round(seconds, 3), "peak_rss_kb": _rss_kb(),
                      "baseline_rss_kb": base}))  # fmt: skip


def _run(mode: str, fmt: str, rows: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.exports", mode, fmt, str(rows)],
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        timeout=3600,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"export worker {mode} failed: {result.stderr[-3000:]}")
    return json.loads(lines[-1])


def run(*, enterprises: int, log=print, with_before: bool = True) -> list[dict]:
    results = []
    for size in [s for s in SIZES if s <= enterprises] or [enterprises]:
        for fmt in FORMATS:
            runs: dict[str, list[dict]] = {"baseline": [], "product": [], "before": []}
            for _round in range(ROUNDS):
                for mode in ("baseline", "product"):
                    runs[mode].append(_run(mode, fmt, size))
            if with_before:
                runs["before"].append(_run("before", fmt, size))
            for mode, done in runs.items():
                for result in done:
                    growth = (result["peak_rss_kb"] - result["baseline_rss_kb"]) / 1024
                    log(f"bench: export {size:,} rows {fmt}, {mode}: {result['seconds']} s, +{growth:.1f} MB")
            results.append(_summary(size, fmt, runs))
    return results


def _summary(size: int, fmt: str, runs: dict[str, list[dict]]) -> dict:
    def best(mode: str):
        return min((run["seconds"] for run in runs[mode]), default=None)

    def growth(mode: str):
        return max(((run["peak_rss_kb"] - run["baseline_rss_kb"]) / 1024 for run in runs[mode]), default=None)

    product, bare = best("product"), best("baseline")
    return {
        "rows": size,
        "format": fmt,
        "product_seconds": product,
        "baseline_seconds": bare,
        "before_seconds": best("before"),
        "ratio": round(product / bare, 2) if bare else None,
        "product_growth_mb": round(growth("product"), 1),
        "baseline_growth_mb": round(growth("baseline"), 1),
        "before_growth_mb": None if growth("before") is None else round(growth("before"), 1),
        "written": runs["product"][-1]["rows"],
        "rounds": len(runs["product"]),
    }


def section(results: list[dict]) -> str:
    lines = [
        "## Exports against a bare values_list + writer (issue 16, point 4)",
        "",
        "The enterprise list as the province coordinator's export job writes it (scope, the list's columns, labels, "
        "every cell neutralised; values_list through a server-side cursor, 2,000 rows a chunk) against a bare "
        "`values_list` of the same rows written by the same library (openpyxl write-only, or `csv.writer`). "
        "\"Before\" is the export as it was (each cell through `lookup_field` from model instances). Best of the "
        "rounds; memory = peak RSS growth of the run's own process (worst round).",
        "",
        "| rows | format | product s | baseline s | ratio | ≤ 2× | before s | product +MB | baseline +MB | "
        "before +MB | ≤ 30 MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in results:
        ok = row["ratio"] is not None and row["ratio"] <= TIME_GOAL
        flat = row["product_growth_mb"] <= MEMORY_GOAL_MB
        lines.append(
            f"| {row['rows']:,} | {row['format']} | {row['product_seconds']} | {row['baseline_seconds']} | "
            f"{row['ratio']} | {'met' if ok else '**missed**'} | {row['before_seconds'] or ''} | "
            f"{row['product_growth_mb']} | {row['baseline_growth_mb']} | {row['before_growth_mb'] or ''} | "
            f"{'met' if flat else '**missed**'} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    worker(sys.argv[1:])
