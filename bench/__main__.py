"""``python -m bench`` (``make bench``): the benchmark suite of issue 8.

Full mode (default): 1,000,000 enterprises and the rest in ``programs_bench`` (created, migrated and filled
when missing), every measurement, a table on stdout and ``bench/RESULTS.md``. ``--quick``: a hundredth of the
data in ``programs_bench_quick``, short runs, in seconds; the table goes to stdout (and ``var/bench-quick.md``).
"""

import argparse
import json
import sys
import time
from pathlib import Path

from . import environment

SECTIONS = (
    "data",
    "queries",
    "http",
    "layers",
    "contention",
    "sweeps",
    "imports",
    "exports",
    "coordination",
    "dashboard",
    "admin",
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, short runs (a smoke test)")
    parser.add_argument("--scale", choices=["tenth"], help="another data size in its own database (…_tenth)")
    parser.add_argument("--only", default="", help=f"comma-separated sections of {', '.join(SECTIONS)}")
    parser.add_argument("--duration", type=float, help="seconds per HTTP measurement")
    parser.add_argument("--concurrency", type=int, default=4, help="connections of the HTTP load generator")
    parser.add_argument("--coordination-limit", type=float, help="stop a coordination run after this many seconds")
    parser.add_argument("--no-write", action="store_true", help="print only, do not write RESULTS.md")
    args = parser.parse_args(argv)
    only = [s for s in args.only.split(",") if s] or list(SECTIONS)
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")

    url = environment.configure(quick=args.quick, suffix=args.scale or "")
    created = environment.ensure_database(url)
    print(f"bench: database {url.rsplit('/', 1)[-1]}{' (created)' if created else ''}; migrating", flush=True)
    environment.setup_django(migrate=True)
    environment.flush_redis()

    from . import admin_lists as admin_bench
    from . import api_layers, contention, dataset, endpoints, report, sweeps
    from . import coordination as coordination_bench
    from . import dashboard as dashboard_bench
    from . import exports as export_bench
    from . import imports as import_bench

    def log(line: str) -> None:
        print(line, flush=True)

    scale = dataset.QUICK if args.quick else dataset.TENTH if args.scale == "tenth" else dataset.FULL
    duration = args.duration or (2 if args.quick else 12)
    warmup = 0.5 if args.quick else 1
    coordination_limit = args.coordination_limit or (30 if args.quick else 120)
    settings = {"workers": 2, "concurrency": args.concurrency, "duration": duration, "warmup": warmup}
    base = Path(__file__).resolve().parent
    raw = base.parent / "var" / f"bench-{scale.name}.json"
    raw.parent.mkdir(exist_ok=True)
    # Sections accumulate across runs (``--only`` re-runs one), each with the time it was measured.
    saved = json.loads(raw.read_text()) if raw.exists() else {}
    sections: dict = saved.get("sections", {})

    def keep(name: str, value) -> None:
        sections[name] = {"at": environment.machine()["date"], "settings": settings, "value": value}
        raw.write_text(json.dumps({"sections": sections}, indent=1, default=str))

    started = time.perf_counter()
    # Data is always ensured (idempotent: only what is missing is inserted).
    dataset.generate(scale, log=log)
    if "data" in only:
        keep("data", dataset.recorded_setup())
    if "queries" in only:
        log("bench: queries per request")
        keep("queries", endpoints.queries_per_request(log=log))
    if "http" in only:
        log("bench: hot list endpoints over HTTP (gunicorn, 2 workers)")
        keep("http", endpoints.throughput(duration=duration, warmup=warmup, concurrency=args.concurrency, log=log))
    if "layers" in only:
        log("bench: what each layer of an API list costs")
        keep("layers", api_layers.run(log=log))
    if "contention" in only:
        log("bench: booking under contention")
        keep("contention", contention.run(per_client=2 if args.quick else 10, log=log))
    if "sweeps" in only:
        log("bench: sweeps")
        rows = sweeps.grade_sweep(scale, log=log)
        rows += sweeps.coordination(scale, time_limit=coordination_limit, log=log)
        rows += sweeps.outbox_sweep(scale, log=log)
        keep("sweeps", rows)
    if "imports" in only:
        log("bench: enterprise import against csv.reader + bulk_create")
        keep("imports", import_bench.run(folder=raw.parent / "bench-imports", log=log))
    if "exports" in only:
        log("bench: enterprise list export against values_list + writer")
        keep("exports", export_bench.run(enterprises=scale.enterprises, log=log))
    if "coordination" in only:
        log("bench: coordination of the month against one SQL statement")
        keep("coordination", coordination_bench.run(scale, time_limit=coordination_limit, log=log))
    if "dashboard" in only:
        log("bench: the dashboard, uncached against its SQL floor and read from its snapshot")
        keep("dashboard", dashboard_bench.run(scale, log=log))
    if "admin" in only:
        log("bench: admin changelists against a plain page of the same rows")
        keep("admin", admin_bench.run(scale, log=log))
    text = report.render(
        mode=scale.name,
        machine=environment.machine(),
        sections={name: entry["value"] for name, entry in sections.items()},
        measured=sections,
    )
    if "layers" in sections:  # rendered by its own module (bench/api_layers.py)
        text = text.rstrip("\n") + "\n\n" + api_layers.section(sections["layers"]["value"])
    if "imports" in sections:
        text = text.rstrip("\n") + "\n\n" + import_bench.section(sections["imports"]["value"])
    if "exports" in sections:
        text = text.rstrip("\n") + "\n\n" + export_bench.section(sections["exports"]["value"])
    if "coordination" in sections:
        text = text.rstrip("\n") + "\n\n" + coordination_bench.section(sections["coordination"]["value"])
    if "dashboard" in sections:
        text = text.rstrip("\n") + "\n\n" + dashboard_bench.section(sections["dashboard"]["value"])
    if "admin" in sections:
        text = text.rstrip("\n") + "\n\n" + admin_bench.section(sections["admin"]["value"])
    print()
    print(text)
    log(f"bench: done in {time.perf_counter() - started:.0f} s")
    if not args.no_write:
        complete = set(SECTIONS) <= set(sections)
        target = base / "RESULTS.md" if scale.name == "full" and complete else raw.with_suffix(".md")
        target.write_text(text)
        log(f"bench: wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
