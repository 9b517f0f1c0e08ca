"""The results as Markdown tables: printed at the end of a run and written to ``bench/RESULTS.md`` (full mode),
with a verdict per goal. The reasons behind the figures are in ``bench/analysis.md`` (written by hand after
a full run) and copied in."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
RATIO_GOAL = 0.8


def _table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join("" if cell is None else str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def data_section(steps) -> str:
    """``steps``: (step, rows, seconds, when) as recorded when the rows were inserted."""
    total = sum(step[2] for step in steps)
    rows = [[name, f"{count:,}", f"{elapsed:.1f}", when] for name, count, elapsed, when in steps]
    rows.append(["**total**", f"{sum(step[1] for step in steps):,}", f"**{total:.1f}**", ""])
    return _table(["step", "rows inserted", "seconds", "generated (UTC)"], rows)


def http_section(results) -> str:
    rows = []
    for row in results:
        api, bare = row["api"], row["bare"]
        rows.append(
            [
                row["endpoint"],
                f"`{row['path']}`",
                api["throughput"],
                api["p50_ms"],
                api["p95_ms"],
                f"{api['single_p50_ms']} / {api['single_p95_ms']}",
                bare["throughput"],
                bare["p50_ms"],
                bare["p95_ms"],
                f"{bare['single_p50_ms']} / {bare['single_p95_ms']}",
                row["ratio"],
                _verdict(row["ratio"] is not None and row["ratio"] >= RATIO_GOAL),
                _statuses(api) + " / " + _statuses(bare),
                f"{api.get('client_cpu_percent')} / {bare.get('client_cpu_percent')}",
            ]
        )
    return _table(
        [
            "endpoint",
            "path (page size 50)",
            "API req/s",
            "API p50 ms",
            "API p95 ms",
            "API alone p50 / p95",
            "bare req/s",
            "bare p50 ms",
            "bare p95 ms",
            "bare alone p50 / p95",
            "ratio",
            f"≥ {RATIO_GOAL}",
            "statuses API / bare",
            "load generator CPU % API / bare",
        ],
        rows,
    )


def _statuses(result) -> str:
    return ", ".join(f"{status}×{count}" for status, count in result["statuses"].items())


FLOOR_GOAL = 3.0  # a hot list ≤ 3× its SQL floor
GROWTH_GOAL = 1.5  # its count from the tenth to the full data


def _ratio_cell(ratio: float | None, goal: float) -> str:
    return "" if ratio is None else f"{ratio} {_verdict(ratio <= goal)}"


def _tenth_floors() -> dict:
    """The floors of the tenth data's last run (``var/bench-tenth.json``), by endpoint: the count's growth."""
    path = HERE.parent / "var" / "bench-tenth.json"
    if not path.exists():
        return {}
    entry = json.loads(path.read_text()).get("sections", {}).get("queries")
    return {row["endpoint"]: row.get("floor") or {} for row in (entry or {}).get("value", [])}


def queries_section(results) -> str:
    rows = []
    tenth = _tenth_floors()
    for row in results:
        counts = row["counts"]
        floor = row.get("floor") or {}
        small_count = tenth.get(row["endpoint"], {}).get("count_ms")
        growth = round(floor["count_ms"] / small_count, 2) if floor.get("count_ms") and small_count else None
        rows.append(
            [
                row["endpoint"],
                *(f"{value['queries']} ({value['rows']} rows)" for value in counts.values()),
                *([""] * (4 - len(counts))),
                row["bare_queries"],
                "yes" if row["same_rows_as_bare"] else "**no**",
                _verdict(row["constant"] and row["all_ok"]),
                f"{floor.get('request_ms', '')} / {floor.get('floor_ms', '')}",
                _ratio_cell(floor.get("floor_ratio"), FLOOR_GOAL),
                "" if floor.get("count_ms") is None else floor["count_ms"],
                ""
                if growth is None
                else f"{small_count} → {floor['count_ms']}: {growth}× {_verdict(growth <= GROWTH_GOAL)}",
            ]
        )
    return _table(
        [
            "endpoint",
            "small data, page 10",
            "small data, page 50",
            "large data, page 10",
            "large data, page 50",
            "bare view",
            "same rows as bare",
            "constant",
            "in-process ms / SQL floor ms (large, page 50)",
            f"÷ floor (≤ {FLOOR_GOAL:g}×)",
            "count ms",
            f"count growth tenth → full (≤ {GROWTH_GOAL:g}×)",
        ],
        rows,
    )


def sweeps_section(results) -> str:
    rows = []
    for row in results:
        rows.append(
            [
                row["job"],
                row["size"],
                f"{row['rows']:,}",
                row["seconds"],
                row["peak_rss_mb"],
                row["growth_mb"],
                row["sql_seconds"],
                row["ratio"],
                _compact(row["result"]),
                _compact(row["sql_result"]),
                row["note"],
            ]
        )
    return _table(
        [
            "job",
            "size",
            "rows",
            "seconds",
            "peak RSS MB",
            "growth MB",
            "one SQL statement s",
            "SQL ÷ product",
            "product did",
            "SQL did",
            "note",
        ],
        rows,
    )


def flatness(results) -> list[str]:
    """Memory flat when the data grows tenfold: the growth at full size within 2× (and 30 MB) of a tenth's."""
    lines = []
    jobs = {}
    for row in results:
        jobs.setdefault(row["job"], {})[row["size"]] = row
    for job, sizes in jobs.items():
        if "1/10" in sizes and "full" in sizes:
            small, large = sizes["1/10"]["growth_mb"], sizes["full"]["growth_mb"]
            flat = large <= max(2 * small, small + 30)
            lines.append(f"- {job}: growth {small} MB at 1/10, {large} MB at full size: {_verdict(flat)}")
    return lines


def _compact(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_compact(v)}" for k, v in value.items() if k not in ("status", "elapsed"))
    return str(value)


def contention_section(results) -> str:
    rows = [
        [
            row["case"],
            row["requests"],
            row["throughput"],
            _statuses(row),
            row["p50_ms"],
            row["p95_ms"],
            row["max_ms"],
            row["errors_5xx"] + row["transport_errors"],
            row["bookings_made"],
            row["overbooked_slots"],
            row["count_mismatches"],
        ]
        for row in results
    ]
    return _table(
        [
            "case",
            "requests",
            "req/s",
            "statuses",
            "p50 ms",
            "p95 ms",
            "max ms",
            "errors (5xx, transport)",
            "bookings made",
            "overbooked slots",
            "count ≠ bookings",
        ],
        rows,
    )


def render(*, mode: str, machine: dict, sections: dict, measured: dict) -> str:
    """``sections``: name → results; ``measured``: name → {"at": when, "settings": of that run}."""
    settings = measured.get("http", {}).get("settings") or next(iter(measured.values()), {}).get("settings", {})
    when = ", ".join(f"{name} {entry['at']}" for name, entry in measured.items())
    parts = [
        "# Benchmark results",
        "",
        f"`python -m bench{' --quick' if mode == 'quick' else ''}`, measured: {when}.",
        "",
        f"- Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory_gb']} GB memory, "
        f"Linux {machine['kernel']}, Python {machine['python']}",
        f"- PostgreSQL {machine['postgres']} (shared_buffers {machine['shared_buffers']}, JIT off), same machine, "
        "loopback; Redis 7 on loopback (broker and cache)",
        f"- gunicorn: {settings.get('workers', 2)} sync workers; load from a second process on 127.0.0.1, "
        f"{settings.get('concurrency')} keep-alive connections, {settings.get('warmup')} s warm-up then "
        f"{settings.get('duration')} s "
        "per measurement, taken in alternating rounds (API, bare, API, bare) in the same run",
        "",
        "How to run: `make bench` (full: creates and migrates `programs_bench` when missing, generates the data "
        "once, about five minutes, then measures for about twenty), `python -m bench --quick` (a hundredth of the "
        "data in `programs_bench_quick`, about two minutes). `BENCH_DATABASE_URL` points elsewhere; Redis numbers "
        "10 (broker) and 11 (cache). `--only queries,http,contention,sweeps` re-runs a part: each section's "
        "results are kept in `var/bench-full.json` with the time they were measured, and this file is written "
        "from all of them. Nothing here runs in `make test` or CI.",
        "",
    ]
    if "data" in sections:
        parts += ["## Data set-up (set-based INSERT … SELECT generate_series)", "", data_section(sections["data"]), ""]
    if "http" in sections:
        parts += [
            "## Hot list endpoints over HTTP, against a bare `JsonResponse(list(qs.values(...)))` view",
            "",
            "The bare view runs the same selector (same scope, filter and order) for the same token, returns the "
            "same rows with the same fields (many-to-many ids as arrays), without DRF, serializer or pagination "
            "count. Ratio = API throughput ÷ bare throughput; goal ≥ 0.8. Throughput and p50/p95 are under the "
            'load of all connections (a request waits for a free worker); "alone" is one connection, the '
            "time of a request with nothing queued before it.",
            "",
            http_section(sections["http"]),
            "",
        ]
    if "queries" in sections:
        parts += [
            "## Queries per request (page sizes 10 and 50, two data sizes)",
            "",
            "Small data: a county coordinator (about 1/88 of the rows), or the enterprise with 5 bookings, the "
            "slots of one county, a resident with fewer positions nearby; large: the city coordinator (1/11), "
            "the enterprise with 120 bookings, all slots, the resident of a denser town. Positions near me is "
            "not paginated (all open positions of the 15-minute circle). Each cell: queries (rows returned). "
            "In-process / SQL floor: the large request in this process (no HTTP) against the statements it ran "
            "replayed raw through one cursor, alternating, medians of five (issue 16, point 2: ≤ 3×). Count ms: the "
            "list's count statements replayed alone (the capped `COUNT(*) FROM (… LIMIT 10001)`); their growth is "
            "against the last `--scale tenth` run's (≤ 1.5×).",
            "",
            queries_section(sections["queries"]),
            "",
        ]
    if "sweeps" in sections:
        parts += [
            "## Sweeps: time, peak memory, ratio to one hand-written SQL statement",
            "",
            "Each product run is a process of its own (`bench/sweep_worker.py`): peak RSS is the high-water "
            "mark (VmHWM, reset after start-up), growth "
            "is the peak minus the RSS with Django loaded and connected. The data is put back as generated "
            "before each run. SQL ÷ product above 1 would mean the product is faster than the statement.",
            "",
            sweeps_section(sections["sweeps"]),
            "",
            "Memory flat when the data grows 10×:",
            "",
            *flatness(sections["sweeps"]),
            "",
        ]
    if "contention" in sections:
        parts += [
            "## Booking under contention (POST /api/v1/guidance/bookings/ through gunicorn)",
            "",
            contention_section(sections["contention"]),
            "",
        ]
    analysis = HERE / "analysis.md"
    if mode == "full" and analysis.exists():
        parts += [analysis.read_text().strip(), ""]
    return "\n".join(parts)
