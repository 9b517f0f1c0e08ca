"""Issue 16, point 5: the enterprise import of 10,000 and 100,000 rows against a bare baseline.

The file is a CSV of all eleven columns, in another order than the template, with well-formed credit codes that
are not on record. The product runs as staff use it: ``import_job_create`` (read, validate, preview) then the
confirmed job's run (read, validate again, insert with the audit rows, progress per chunk), inline. The bare
baseline reads the same CSV with ``csv.reader`` and inserts the same rows with ``bulk_create``, 1,000 at a time,
in one transaction: no validation, no audit. Each run is a process of its own
(``python -m bench.imports <product|baseline> <file>``): time, and peak RSS growth over the RSS with Django
loaded and connected (VmHWM reset after start-up, as ``bench/sweep_worker.py``). Runs alternate (baseline,
product, baseline, product); the rows are deleted after each run. Memory "flat": the growth at 100,000 rows is
compared with the growth at 10,000.
"""

import csv
import json
import random
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

from .server import BASE_DIR

SIZES = (10_000, 100_000)
ROUNDS = {10_000: 2, 100_000: 1}
TIME_GOAL = 3.0  # product ÷ baseline
FLAT_GOAL = 1.5  # growth at 100,000 rows ÷ growth at 10,000
HEADER = ["联系邮箱", "规模", "企业名称", "联系电话", "区划代码", "重点企业", "统一社会信用代码", "地址", "四新企业",
          "行业", "联系人"]  # fmt: skip
KEYS = {
    "企业名称": "name",
    "统一社会信用代码": "credit_code",
    "区划代码": "region_code",
    "地址": "address",
    "行业": "industry",
    "规模": "size",
    "重点企业": "is_key",
    "四新企业": "is_four_new",
    "联系人": "contact_name",
    "联系电话": "contact_phone",
    "联系邮箱": "contact_email",
}
SIZE_CODES = {"微型": "micro", "小型": "small", "中型": "medium", "大型": "large"}


def write_file(path: Path, rows: int) -> None:
    """A CSV of ``rows`` enterprises in the bench's villages, credit codes not on record and not repeated."""
    from programs.demo import make_credit_code
    from programs.models import Enterprise, Region

    villages = list(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True)[:500])
    rng = random.Random(rows)
    codes: set[str] = set()
    while len(codes) < rows:
        fresh = list({make_credit_code(rng, rng.choice(villages)[:6]) for _ in range(rows - len(codes))} - codes)
        for start in range(0, len(fresh), 10_000):
            part = set(fresh[start : start + 10_000])
            codes |= part - set(Enterprise.objects.filter(credit_code__in=part).values_list("credit_code", flat=True))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n, code in enumerate(sorted(codes)):
            record = {
                "企业名称": f"导入测评企业{n}",
                "统一社会信用代码": code,
                "区划代码": villages[n % len(villages)],
                "地址": f"测评路{n}号",
                "行业": "水产加工",
                "规模": "小型",
                "重点企业": "是" if n % 7 == 0 else "否",
                "四新企业": "否",
                "联系人": f"联系人{n}",
                "联系电话": f"138{n:08d}",
                "联系邮箱": f"bench{n}@example.cn",
            }
            writer.writerow([record[h] for h in HEADER])


# --- The two workers (each in a process of its own) -------------------------------------------------------------


def product(path: Path) -> dict:
    from django.core.files import File

    from programs import imports
    from programs.models import User

    imports.IMPORT_SYNC_ROWS = 10**9  # the run inline in this process, as the Celery task would run it
    actor = User.objects.get(username="bench_province")
    started = time.perf_counter()
    with path.open("rb") as handle:
        job = imports.import_job_create(kind="enterprises", uploaded=File(handle, name="enterprises.csv"), actor=actor)
    previewed = time.perf_counter()
    if job.status != "validated":
        raise RuntimeError(f"the bench file was refused: {job.errors[:5]}")
    job = imports.import_job_confirm(job=job, actor=actor)
    return {
        "preview_seconds": round(previewed - started, 3),
        "run_seconds": round(time.perf_counter() - previewed, 3),
        "status": job.status,
        "saved": job.saved_rows,
        "progress": imports.import_job_progress(job),
    }


def baseline(path: Path) -> dict:
    from django.db import transaction

    from programs.models import Enterprise, Region

    regions = dict(Region.objects.values_list("code", "pk"))
    saved = 0
    with transaction.atomic(), path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        index = {KEYS[name]: i for i, name in enumerate(next(reader))}
        while chunk := list(islice(reader, 1000)):
            values = [{key: row[i] for key, i in index.items()} for row in chunk]
            created = Enterprise.objects.bulk_create(
                [
                    Enterprise(
                        name=v["name"],
                        credit_code=v["credit_code"],
                        region_id=regions[v["region_code"]],
                        address=v["address"],
                        industry=v["industry"],
                        size=SIZE_CODES[v["size"]],
                        is_key=v["is_key"] == "是",
                        is_four_new=v["is_four_new"] == "是",
                        contact_name=v["contact_name"],
                        contact_phone=v["contact_phone"],
                        contact_email=v["contact_email"],
                    )
                    for v in values
                ]
            )
            saved += len(created)
    return {"saved": saved}


def worker(argv: list[str]) -> None:
    from bench import environment
    from bench.sweep_worker import _current_rss_kb, _reset_peak, _rss_kb

    environment.configure(quick=False)  # the parent's BENCH_DATABASE_URL, already the quick one in --quick
    environment.setup_django(migrate=False)
    from django.db import connection

    connection.ensure_connection()
    mode, path = argv[0], Path(argv[1])
    _reset_peak()
    base = _current_rss_kb()
    started = time.perf_counter()
    result = {"product": product, "baseline": baseline}[mode](path)
    seconds = time.perf_counter() - started
    print(json.dumps({**result, "seconds": round(seconds, 3), "peak_rss_kb": _rss_kb(), "baseline_rss_kb": base}))


# --- The measurement (in the bench's own process) ---------------------------------------------------------------


def _run(mode: str, path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.imports", mode, str(path)],
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        timeout=3600,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"import worker {mode} failed: {result.stderr[-3000:]}")
    return json.loads(lines[-1])


def _put_back(first_new_id: int) -> None:
    """Delete what a run inserted: the enterprises after ``first_new_id``, their audit rows, the import jobs."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from programs.models import AuditEntry, Enterprise, ImportJob

    kind = ContentType.objects.get_for_model(Enterprise)
    AuditEntry.objects.filter(content_type=kind, object_id__gt=first_new_id).delete()
    job_kind = ContentType.objects.get_for_model(ImportJob)
    AuditEntry.objects.filter(content_type=job_kind).delete()
    ImportJob.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM programs_enterprise WHERE id > %s", [first_new_id])
        cursor.execute("VACUUM ANALYZE programs_enterprise")


def run(*, folder: Path, log=print) -> list[dict]:
    from django.db.models import Max

    from programs.models import Enterprise

    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in SIZES:
        path = folder / f"bench-import-{size}.csv"
        if not path.exists():
            write_file(path, size)
        last_id = Enterprise.objects.aggregate(last=Max("id"))["last"] or 0
        runs: dict[str, list[dict]] = {"baseline": [], "product": []}
        for _round in range(ROUNDS[size]):
            for mode in ("baseline", "product"):
                result = _run(mode, path)
                _put_back(last_id)
                runs[mode].append(result)
                log(f"bench: import {size:,} rows, {mode}: {result['seconds']} s, "
                    f"+{(result['peak_rss_kb'] - result['baseline_rss_kb']) / 1024:.1f} MB")  # fmt: skip
        rows.append(_summary(size, runs))
    return rows


def _summary(size: int, runs: dict[str, list[dict]]) -> dict:
    def best(mode: str, key: str) -> float:
        return min(run[key] for run in runs[mode])

    def growth(mode: str) -> float:
        return max((run["peak_rss_kb"] - run["baseline_rss_kb"]) / 1024 for run in runs[mode])

    product, baseline_seconds = best("product", "seconds"), best("baseline", "seconds")
    last = runs["product"][-1]
    return {
        "rows": size,
        "product_seconds": product,
        "preview_seconds": best("product", "preview_seconds"),
        "run_seconds": best("product", "run_seconds"),
        "baseline_seconds": baseline_seconds,
        "ratio": round(product / baseline_seconds, 2) if baseline_seconds else None,
        "product_growth_mb": round(growth("product"), 1),
        "baseline_growth_mb": round(growth("baseline"), 1),
        "saved": last["saved"],
        "progress": last["progress"],
        "rounds": len(runs["product"]),
    }


def section(results: list[dict]) -> str:
    """The Markdown section for the report."""
    lines = [
        "## Enterprise import against csv.reader + bulk_create (issue 16, point 5)",
        "",
        "A CSV of all eleven columns in another order than the template. Product = upload and preview (read, "
        "validate through the fields' validators, the file's credit codes looked up 1,000 at a time) + the "
        "confirmed run (the same again, then one insert and one audit insert per 1,000 rows, progress per "
        "chunk). Baseline = the same file through `csv.reader` and `bulk_create` in chunks of 1,000 in one "
        "transaction. Best of the rounds; memory = peak RSS growth of the run's own process (worst round).",
        "",
        "| rows | product s (preview + run) | baseline s | ratio | ≤ 3× | product +MB | baseline +MB | "
        "saved / progress |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in results:
        ok = row["ratio"] is not None and row["ratio"] <= TIME_GOAL
        lines.append(
            f"| {row['rows']:,} | {row['product_seconds']} ({row['preview_seconds']} + {row['run_seconds']}) | "
            f"{row['baseline_seconds']} | {row['ratio']} | {'met' if ok else '**missed**'} | "
            f"{row['product_growth_mb']} | {row['baseline_growth_mb']} | {row['saved']:,} / {row['progress']:,} |"
        )
    if len(results) >= 2 and results[0]["product_growth_mb"] > 0:
        flat = results[-1]["product_growth_mb"] / results[0]["product_growth_mb"]
        verdict = "met" if flat <= FLAT_GOAL else "**missed**"
        lines += [
            "",
            f"Memory growth at {results[-1]['rows']:,} rows ÷ at {results[0]['rows']:,}: {flat:.2f} "
            f"(flat: ≤ {FLAT_GOAL}, {verdict}).",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    worker(sys.argv[1:])
