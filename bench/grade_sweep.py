"""The grade sweep at 1,000,000 enterprises: ``python -m bench.grade_sweep [--enterprises N]``.

Fills its own PostgreSQL database (``GRADE_BENCH_DATABASE_URL``, default ``programs_insp_bench``) with the
benchmark suite's set-based generator (``INSERT … SELECT … FROM generate_series``: regions, departments,
items, N enterprises, a completed inspection for 70 %, an open finding for 10 %, a fifth of the yellow ones
overdue past the grace period), then times ``inspections.grades.grades_reconcile`` three ways:

- steady state: the stored grades as generated; the sweep's only work is escalating the overdue yellows;
- cold start: every stored grade set to gray first (as after importing enterprises), so ~70 % change;
- a second run straight after: nothing to change.

Each run reports seconds, SQL statements and rows moved; the figure is in ``docs/inspections.md``.
``sweep()`` is also the entry point ``bench.sweep_worker`` uses.
"""

import argparse
import json
import os
import time
from dataclasses import replace

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/programs_insp_bench"


def sweep(queryset=None) -> dict:
    from inspections.grades import grades_reconcile

    return grades_reconcile(queryset=queryset)


def _timed_sweep(label: str) -> dict:
    from django.db import connection

    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql.split(None, 1)[0].upper())
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        moved = sweep()
    seconds = time.perf_counter() - started
    result = {"run": label, "seconds": round(seconds, 1), "statements": len(statements), "moved": moved}
    print(json.dumps(result), flush=True)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.grade_sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    os.environ.setdefault("BENCH_BROKER_URL", "redis://127.0.0.1:6379/2")
    os.environ.setdefault("BENCH_CACHE_URL", "redis://127.0.0.1:6379/3")
    os.environ["BENCH_DATABASE_URL"] = os.environ.get("GRADE_BENCH_DATABASE_URL", DEFAULT_URL)
    from bench import environment

    url = environment.configure(quick=False)
    environment.ensure_database(url)
    environment.setup_django(migrate=True)

    from django.db import connection

    from bench.dataset import FULL, Steps, core
    from bench.dataset import inspections as inspection_data
    from bench.sweeps import grades_reset

    scale = replace(FULL, name=f"grades-{args.enterprises}", enterprises=args.enterprises)
    steps = Steps(print)
    steps.run("regions", core.regions)
    steps.run("departments", core.departments)
    steps.run("inspection items", inspection_data.items)
    steps.run("staff accounts", core.staff_users)
    steps.run("enterprises", lambda: core.enterprises(scale))
    steps.run("completed inspections", lambda: inspection_data.inspection_history(scale))
    steps.run("open findings", lambda: inspection_data.findings(scale))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM programs_enterprise")
        total = cursor.fetchone()[0]
    print(f"enterprises in the table: {total:,}", flush=True)

    results = []
    grades_reset()
    results.append(_timed_sweep("steady state"))
    results.append(_timed_sweep("second run"))
    grades_reset()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE programs_enterprise SET grade = 'gray', grade_changed_at = NULL")
        cursor.execute("ANALYZE programs_enterprise")
    results.append(_timed_sweep("cold start"))
    results.append(_timed_sweep("second run after cold start"))
    grades_reset()
    print(json.dumps({"enterprises": total, "runs": results}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
