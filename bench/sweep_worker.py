"""One sweep in a process of its own, so that its peak memory is its own: ``python -m bench.sweep_worker
<grades|outbox|coordination> …`` prints JSON with the time, the result, and the resident set size before the
work (Django loaded, connected) and at its peak (VmHWM, reset after start-up; ``ru_maxrss`` elsewhere)."""

import argparse
import contextlib
import json
import os
import resource
import sys
import threading
import time
from datetime import datetime


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    """Start the peak (VmHWM, what ``ru_maxrss`` reports) from the current RSS: the imports' transient peak is
    not the sweep's. Linux: writing 5 to clear_refs resets the high-water mark."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as clear_refs:  # not Linux: keep the peak
        clear_refs.write("5")


def _rss_kb() -> int:
    """Peak resident set size since ``_reset_peak``."""
    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _current_rss_kb() -> int:
    return _status_kb("VmRSS")


def grades(args) -> dict:
    from programs.models import Enterprise

    try:  # the inspections app's own bench entry point, when it provides one
        from bench.grade_sweep import sweep as reconcile
    except ImportError:
        from inspections.grades import grades_reconcile as reconcile
    queryset = Enterprise.objects.filter(pk__lte=args.limit) if args.limit else None
    moved = reconcile(queryset=queryset) if queryset is not None else reconcile()
    return {"moved": moved}


def outbox(args) -> dict:
    from programs.services import notifications_send_due

    return {"sent": notifications_send_due(now=datetime.fromisoformat(args.now))}


def coordination(args) -> dict:
    """Coordinate the bench month in a region; stop after ``--time-limit`` seconds and report the progress,
    so that a run that would take hours is measured by its rate."""
    from bench import dataset
    from inspections.models import Coordination
    from inspections.services import coordination_run
    from programs.models import Region, User

    region = Region.objects.get(code=args.region)
    actor = User.objects.get(username="bench_province")
    row = Coordination.objects.create(region=region, month=dataset.BENCH_MONTH, started_by=actor)
    started = time.perf_counter()

    def report(finished: bool) -> dict:
        from django.db import connection

        progress = Coordination.objects.filter(pk=row.pk).values(
            "status", "total", "processed", "executed", "cut", "inspections_created"
        )[0]
        connection.close()
        return {**progress, "finished": finished, "elapsed": round(time.perf_counter() - started, 3)}

    def watchdog():
        # Two samples: the rate between them (the steady per-enterprise pace, after the up-front listing)
        # gives the estimate of the whole run.
        time.sleep(args.time_limit / 2)
        first = report(False)
        time.sleep(args.time_limit / 2)
        last = report(False)
        done = last["processed"] - first["processed"]
        estimate = None
        if done > 0:
            rate = done / (last["elapsed"] - first["elapsed"])
            estimate = round(last["elapsed"] + (last["total"] - last["processed"]) / rate, 1)
        last["estimated_seconds"] = estimate
        result = {"result": last, "seconds": round(time.perf_counter() - started, 3)}
        print(json.dumps({**result, "peak_rss_kb": _rss_kb(), "current_rss_kb": _current_rss_kb(), **BASE}))
        sys.stdout.flush()
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    coordination_run(coordination_id=row.pk)
    return report(True)


BASE: dict = {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sweep", choices=["grades", "outbox", "coordination"])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--now", default="")
    parser.add_argument("--region", default="")
    parser.add_argument("--time-limit", type=float, default=3600)
    args = parser.parse_args()

    from bench import environment

    environment.setup_django(migrate=False)
    from django.db import connection

    connection.ensure_connection()
    _reset_peak()
    BASE["baseline_rss_kb"] = _current_rss_kb()
    started = time.perf_counter()
    result = {"grades": grades, "outbox": outbox, "coordination": coordination}[args.sweep](args)
    elapsed = time.perf_counter() - started
    print(json.dumps({"result": result, "seconds": round(elapsed, 3), "peak_rss_kb": _rss_kb(), **BASE}, default=str))


if __name__ == "__main__":
    main()
