"""The generation run: every step in order, each in its own transaction and timed, then ``VACUUM ANALYZE`` (the
steady state autovacuum keeps a live database in: statistics, and a visibility map that lets counts read the
indexes alone); the timings are kept in ``bench_setup`` so that a later run that inserts nothing can still
report them."""

import time

from django.db import connection, transaction

from . import core, guidance, inspections, workshops
from .scale import Scale
from .sql import execute

FINISH = "VACUUM ANALYZE"


class Steps:
    """Times each generation step; ``rows`` is what it inserted (0 when everything was there)."""

    def __init__(self, log):
        self.log = log
        self.done: list[tuple[str, int, float]] = []

    def run(self, name: str, function) -> int:
        started = time.perf_counter()
        with transaction.atomic():
            rows = function() or 0
        elapsed = time.perf_counter() - started
        self.done.append((name, rows, elapsed))
        self.log(f"  data: {name:<26} {rows:>10,} rows  {elapsed:7.1f} s")
        return rows


def _record(steps: list[tuple[str, int, float]]) -> None:
    """Keep the timing of every step that inserted rows, so that a later run (which finds the data there and
    inserts nothing) can still report how long the set-up took."""
    execute(
        "CREATE TABLE IF NOT EXISTS bench_setup (step text PRIMARY KEY, rows bigint NOT NULL, "
        "seconds double precision NOT NULL, at timestamptz NOT NULL DEFAULT now())"
    )
    for name, rows, elapsed in steps:
        if rows or name == FINISH:
            execute(
                "INSERT INTO bench_setup (step, rows, seconds) VALUES (%s, %s, %s) ON CONFLICT (step) DO UPDATE "
                "SET rows = excluded.rows, seconds = excluded.seconds, at = excluded.at",
                [name, rows, elapsed],
            )


def recorded_setup() -> list[tuple[str, int, float, str]]:
    """The recorded set-up steps in generation order: (step, rows, seconds, when)."""
    _record([])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT step, rows, seconds, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM bench_setup"
        )
        found = {row[0]: row for row in cursor.fetchall()}
    return [found[name] for name in STEP_ORDER if name in found]


STEP_ORDER = [
    "regions",
    "departments",
    "inspection items",
    "guidance themes",
    "staff accounts",
    "enterprises",
    "completed inspections",
    "open findings",
    "enterprise accounts",
    "plan entries",
    "slots",
    "bookings",
    "workshops",
    "positions",
    "residents",
    "resident accounts",
    "registrations",
    "due reminders",
    FINISH,
]


def generate(scale: Scale, log=print) -> list[tuple[str, int, float]]:
    steps = Steps(log)
    steps.run("regions", core.regions)
    steps.run("departments", core.departments)
    steps.run("inspection items", inspections.items)
    steps.run("guidance themes", guidance.themes)
    steps.run("staff accounts", core.staff_users)
    steps.run("enterprises", lambda: core.enterprises(scale))
    steps.run("completed inspections", lambda: inspections.inspection_history(scale))
    steps.run("open findings", lambda: inspections.findings(scale))
    steps.run("enterprise accounts", lambda: core.enterprise_users(scale))
    steps.run("plan entries", lambda: inspections.plan_entries(scale))
    steps.run("slots", lambda: guidance.slots(scale))
    steps.run("bookings", lambda: guidance.bookings(scale))
    steps.run("workshops", lambda: workshops.workshops(scale))
    steps.run("positions", lambda: workshops.positions(scale))
    steps.run("residents", lambda: workshops.residents(scale))
    steps.run("resident accounts", lambda: workshops.resident_users(scale))
    steps.run("registrations", lambda: workshops.registrations(scale))
    steps.run("due reminders", lambda: core.reminders(scale))
    if any(rows for _name, rows, _elapsed in steps.done):
        started = time.perf_counter()
        execute(FINISH)
        steps.done.append((FINISH, 0, time.perf_counter() - started))
        log(f"  data: {FINISH:<26} {'':>10}       {steps.done[-1][2]:7.1f} s")
        _record(steps.done)
    return steps.done
