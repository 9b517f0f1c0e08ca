"""How much data a run generates (``FULL``, ``QUICK``) and the fixed points the measurements look up."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

BENCH_MONTH = date(2026, 12, 1)
# Reminders fall due one a second before this instant: a sweep "now" of T0 sees all, T0 - 0.9 N seconds a tenth.
REMINDERS_T0 = datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
REMINDER_PREFIX = "bench:reminder:"
PROVINCE = "330000000000"
CITY = "330200000000"  # the city coordinator's: one eleventh of everything
COUNTY = "330201000000"
CLIENTS = 50  # enterprise accounts of the booking contention run


@dataclass(frozen=True)
class Scale:
    name: str
    enterprises: int
    plan_entries: int
    slots: int
    bookings: int
    workshops: int
    positions: int
    registrations: int
    reminders: int

    @property
    def residents(self) -> int:
        return self.registrations // 2


FULL = Scale("full", 1_000_000, 200_000, 20_000, 100_000, 20_000, 50_000, 100_000, 100_000)
QUICK = Scale("quick", 10_000, 2_000, 200, 1_000, 200, 500, 1_000, 1_000)
# A tenth of the enterprises with the full month of plan entries (200,000, two per enterprise): the coordination
# and the exports (100,000 enterprises) at their full sizes in a few minutes of set-up (``--scale tenth``).
TENTH = Scale("tenth", 100_000, 200_000, 2_000, 10_000, 2_000, 5_000, 10_000, 10_000)
