"""The benchmark's data, generated on PostgreSQL with set-based ``INSERT … SELECT … FROM generate_series``
(a package named ``dataset`` because ``bench/data/`` is git-ignored).

Every generated row's id is its position in the series and every value a function of it, so a second run
inserts only what is missing (``max(id) + 1 … target``) and the same scale always gives the same data.
The few accounts the load generator signs in with are made through the ORM, with tokens.

Shape (full scale): a province of 11 cities, 88 counties, 880 towns and 8,800 villages; 1,000,000
enterprises, 70 % inspected (a completed inspection each), 10 % with an open finding (a fifth of the
yellow ones overdue past the grace period, which the grade sweep escalates to red); 200,000 plan entries
submitted for one month (pairs per enterprise, a tenth of the pairs from one department: duplicates);
20,000 future slots with 100,000 bookings (a third of the slots full); 20,000 workshops with 50,000
positions, 50,000 residents with 100,000 registrations; 100,000 due in-app reminders.
"""

from .core import DEPARTMENT_KINDS
from .generation import STEP_ORDER, Steps, generate, recorded_setup
from .scale import (
    BENCH_MONTH,
    CITY,
    CLIENTS,
    COUNTY,
    FULL,
    PROVINCE,
    QUICK,
    REMINDER_PREFIX,
    REMINDERS_T0,
    TENTH,
    Scale,
)
from .sql import grade_sql

__all__ = [
    "BENCH_MONTH",
    "CITY",
    "CLIENTS",
    "COUNTY",
    "DEPARTMENT_KINDS",
    "FULL",
    "PROVINCE",
    "QUICK",
    "REMINDERS_T0",
    "REMINDER_PREFIX",
    "STEP_ORDER",
    "TENTH",
    "Scale",
    "Steps",
    "generate",
    "grade_sql",
    "recorded_setup",
]
