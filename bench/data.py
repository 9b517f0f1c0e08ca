"""The benchmark's data, generated on PostgreSQL with set-based ``INSERT … SELECT … FROM generate_series``.

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

import time
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from programs.validators import CREDIT_CODE_ALPHABET, CREDIT_CODE_WEIGHTS, ID_NUMBER_CHECK, ID_NUMBER_WEIGHTS

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


def grade_sql(id_expr: str) -> str:
    """The stored grade the generator gives enterprise ``id``: 30 % gray, 60 % green, 7 % yellow, 3 % red."""
    h = f"(({id_expr})::bigint * 2654435761 % 100)"
    return f"(CASE WHEN {h} < 30 THEN 'gray' WHEN {h} < 90 THEN 'green' WHEN {h} < 97 THEN 'yellow' ELSE 'red' END)"


def _credit_code_sql(body: str) -> str:
    """GB 32100 check character of a 17-digit body, in SQL (a digit's index in the alphabet is its value)."""
    total = " + ".join(f"substr({body}, {k + 1}, 1)::int * {w}" for k, w in enumerate(CREDIT_CODE_WEIGHTS))
    return f"{body} || substr('{CREDIT_CODE_ALPHABET}', ((31 - ({total}) % 31) % 31) + 1, 1)"


def _id_number_sql(body: str) -> str:
    total = " + ".join(f"substr({body}, {k + 1}, 1)::int * {w}" for k, w in enumerate(ID_NUMBER_WEIGHTS))
    return f"{body} || substr('{ID_NUMBER_CHECK}', (({total}) % 11) + 1, 1)"


def _prepare(sql: str, params):
    """The SQL here writes the modulo operator as `` % ``; with parameters the driver needs it doubled."""
    return (sql.replace(" % ", " %% "), params) if params else (sql, None)


def _scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(*_prepare(sql, params))
        return cursor.fetchone()[0]


def _execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(*_prepare(sql, params))
        return cursor.rowcount


def _next_id(table: str) -> int:
    return _scalar(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")


def _sync_sequence(table: str) -> None:
    _execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")


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


# --- Reference data -------------------------------------------------------------------------------------


def _regions() -> int:
    rows = _execute(
        "INSERT INTO programs_region (code, name, level, parent_id) VALUES (%s, '浙江省', 'province', NULL) "
        "ON CONFLICT (code) DO NOTHING",
        [PROVINCE],
    )
    levels = [
        ("city", "province", 11, 2, "'市' || lpad(n::text, 2, '0')", 4),
        ("county", "city", 8, 2, "p.name || '县' || n", 6),
        ("town", "county", 10, 3, "p.name || '镇' || n", 9),
        ("village", "town", 10, 3, "p.name || '村' || n", 12),
    ]
    for level, parent, count, width, name, end in levels:
        rows += _execute(
            f"""
            INSERT INTO programs_region (code, name, level, parent_id)
            SELECT rpad(substr(p.code, 1, {end - width}) || lpad(n::text, {width}, '0'), 12, '0'), {name}, %s, p.id
            FROM programs_region p CROSS JOIN generate_series(1, {count}) n
            WHERE p.level = %s AND p.code LIKE '33%%'
            ON CONFLICT (code) DO NOTHING
            """,
            [level, parent],
        )
    return rows


DEPARTMENT_KINDS = [
    ("comprehensive_enforcement", "综合行政执法局"),
    ("market_supervision", "市场监管局"),
    ("health", "卫生健康局"),
    ("fire_rescue", "消防救援大队"),
    ("emergency_management", "应急管理局"),
    ("ecology_environment", "生态环境分局"),
]


def _departments() -> int:
    values = ", ".join(f"('{kind}', '{name}')" for kind, name in DEPARTMENT_KINDS)
    return _execute(
        f"""
        INSERT INTO programs_department (name, kind, region_id)
        SELECT p.name || k.name, k.kind, p.id
        FROM programs_region p CROSS JOIN (VALUES {values}) AS k(kind, name)
        WHERE p.level = 'county' AND p.code LIKE '33%%'
        ON CONFLICT (region_id, name) DO NOTHING
        """
    )


def _items() -> int:
    """Ten catalogue items per department kind, owned by the first county's departments; half are simple."""
    return _execute(
        """
        INSERT INTO inspections_inspectionitem (code, name, department_id, field, legal_basis, simple, is_active)
        SELECT 'BENCH-' || d.kind || '-' || n, d.name || ' 检查事项 ' || n, d.id, d.kind, '', n % 2 = 0, true
        FROM programs_department d
        JOIN programs_region r ON r.id = d.region_id AND r.code = %s
        CROSS JOIN generate_series(1, 10) n
        ON CONFLICT (code) DO NOTHING
        """,
        [COUNTY],
    )


def _themes() -> int:
    return _execute(
        """
        INSERT INTO guidance_theme (code, title, description, duration_minutes, offers_online, offers_onsite,
                                    is_active, position)
        SELECT 'bench-theme-' || n, '主题 ' || n, '', 60, true, true, true, n FROM generate_series(1, 13) n
        ON CONFLICT (code) DO NOTHING
        """
    )


def _staff_users() -> int:
    from programs.models import Department, Region, User

    county = Region.objects.get(code=COUNTY)
    staff = [
        ("bench_province", User.Role.COORDINATOR, Region.objects.get(code=PROVINCE), None),
        ("bench_city", User.Role.COORDINATOR, Region.objects.get(code=CITY), None),
        ("bench_county", User.Role.COORDINATOR, county, None),
        ("bench_officer", User.Role.OFFICER, county, Department.objects.filter(region=county).order_by("pk").first()),
    ]
    created = 0
    for username, role, region, department in staff:
        created += _account(username, role=role, region=region, department=department)
    return created


def _account(username: str, **fields) -> int:
    from rest_framework.authtoken.models import Token

    from programs.models import User

    user, created = User.objects.update_or_create(username=username, defaults=fields)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Token.objects.get_or_create(user=user)
    return int(created)


def _user_id(username: str) -> int:
    return _scalar("SELECT id FROM programs_user WHERE username = %s", [username])


# --- Enterprises and their inspection history ----------------------------------------------------------------


def _enterprises(scale: Scale) -> int:
    start = _next_id("programs_enterprise")
    if start > scale.enterprises:
        return 0
    body = "('91330000' || lpad(i::text, 9, '0'))"
    rows = _execute(
        f"""
        WITH v AS (SELECT array_agg(id ORDER BY code) AS ids FROM programs_region WHERE level = 'village')
        INSERT INTO programs_enterprise (id, name, credit_code, region_id, address, industry, size, is_key, grid,
            micro_grid, is_four_new, contact_name, contact_phone, contact_email, grade, grade_changed_at, created_at)
        SELECT i, '企业' || lpad(i::text, 7, '0'), {_credit_code_sql(body)},
               v.ids[1 + (i::bigint * 7919) % array_length(v.ids, 1)], '',
               (ARRAY['餐饮', '制造', '零售', '建筑', '物流'])[1 + i % 5],
               (ARRAY['micro', 'small', 'medium', 'large'])[1 + i % 4], i % 50 = 0, '', '', i % 10 = 0,
               '联系人', '138' || lpad((i % 100000000)::text, 8, '0'), '', {grade_sql("i")}, NULL,
               now() - make_interval(days => i % 1000)
        FROM generate_series(%s, %s) i CROSS JOIN v
        ON CONFLICT (id) DO NOTHING
        """,
        [start, scale.enterprises],
    )
    _sync_sequence("programs_enterprise")
    return rows


def _inspection_history(scale: Scale) -> int:
    """A completed inspection for every enterprise the generator graded (not gray), id = enterprise id."""
    start = _scalar("SELECT coalesce(max(id), 0) + 1 FROM inspections_inspection WHERE id <= %s", [scale.enterprises])
    if start > scale.enterprises:
        return 0
    rows = _execute(
        f"""
        WITH d AS (SELECT array_agg(id ORDER BY id) AS ids FROM programs_department)
        INSERT INTO inspections_inspection (id, month, week_start, is_joint, mode, status, code, cancel_reason,
            summary, created_at, started_at, completed_at, enterprise_id, lead_department_id)
        SELECT i, DATE '2026-06-01', DATE '2026-06-01', false, 'on_site', 'completed', NULL, '', '',
               now() - interval '150 days', now() - interval '150 days', now() - interval '150 days', i,
               d.ids[1 + i % array_length(d.ids, 1)]
        FROM generate_series(%s, %s) i CROSS JOIN d
        WHERE {grade_sql("i")} <> 'gray'
        ON CONFLICT (id) DO NOTHING
        """,
        [start, scale.enterprises],
    )
    _sync_sequence("inspections_inspection")
    return rows


def _findings(scale: Scale) -> int:
    """An open finding for every red (major) and yellow (general) enterprise; a fifth of the yellow ones are
    30 days past their deadline, beyond the yellow policy's 15-day grace: the sweep turns those red."""
    start = _next_id("inspections_finding")
    if start > scale.enterprises:
        return 0
    officer = _user_id("bench_officer")
    rows = _execute(
        f"""
        WITH it AS (SELECT array_agg(id ORDER BY id) AS ids FROM inspections_inspectionitem)
        INSERT INTO inspections_finding (id, severity, description, deadline, status, recorded_at, rectified_at,
            lenient_proposed, decision, decision_note, decided_at, decided_by_id, enterprise_id, item_id,
            recorded_by_id, inspection_id, lenient_entry_id)
        SELECT i, CASE WHEN g = 'red' THEN 'major' ELSE 'general' END, '发现的问题',
               CASE WHEN g = 'yellow' AND i % 5 = 0 THEN current_date - 30 ELSE current_date + 60 END,
               'open', now() - interval '150 days', NULL, false, 'undecided', '', NULL, NULL, i,
               it.ids[1 + i % array_length(it.ids, 1)], %s, i, NULL
        FROM (SELECT i, {grade_sql("i")} AS g FROM generate_series(%s, %s) i) s CROSS JOIN it
        WHERE g IN ('red', 'yellow')
        ON CONFLICT (id) DO NOTHING
        """,
        [officer, start, scale.enterprises],
    )
    _sync_sequence("inspections_finding")
    return rows


def _enterprise_users(scale: Scale) -> int:
    from programs.models import Enterprise, User

    created = _account("bench_enterprise", role=User.Role.ENTERPRISE, enterprise=Enterprise.objects.get(pk=1))
    created += _account("bench_enterprise_small", role=User.Role.ENTERPRISE, enterprise=Enterprise.objects.get(pk=2))
    for n in range(1, CLIENTS + 1):
        enterprise = Enterprise.objects.get(pk=100 + n)
        created += _account(f"bench_client_{n:02d}", role=User.Role.ENTERPRISE, enterprise=enterprise)
    return created


# --- Plans of the bench month --------------------------------------------------------------------------------


def _plan_entries(scale: Scale) -> int:
    start = _next_id("inspections_planentry")
    if start > scale.plan_entries:
        return 0
    coordinator = _user_id("bench_province")
    # Entries come in pairs per enterprise from two departments; every tenth pair from the same one (a duplicate).
    department = "CASE WHEN (k / 2) % 10 = 0 THEN 2 * ((k / 2) % 3) ELSE (k % 2) + 2 * ((k / 2) % 3) END"
    rows = _execute(
        f"""
        WITH d AS (
            SELECT array_agg(d.id ORDER BY d.id) AS ids FROM programs_department d
            JOIN programs_region r ON r.id = d.region_id AND r.code = %s
        )
        INSERT INTO inspections_planentry (id, month, mode, status, note, delegated, cut_reason, cut_note,
            created_at, submitted_at, decided_at, created_by_id, department_id, enterprise_id, inspection_id)
        SELECT k, %s, CASE WHEN k % 7 = 0 THEN 'off_site' ELSE 'on_site' END, 'submitted', '', false, '', '',
               now(), now() - make_interval(secs => k), NULL, %s, d.ids[1 + {department}],
               1 + ((k / 2)::bigint * 7919) % %s, NULL
        FROM generate_series(%s, %s) k CROSS JOIN d
        ON CONFLICT (id) DO NOTHING
        """,
        [COUNTY, BENCH_MONTH, coordinator, scale.enterprises, start, scale.plan_entries],
    )
    _execute(
        """
        WITH it AS (SELECT array_agg(id ORDER BY id) AS ids FROM inspections_inspectionitem)
        INSERT INTO inspections_planentry_items (planentry_id, inspectionitem_id)
        SELECT k, it.ids[1 + (k + n) % array_length(it.ids, 1)]
        FROM generate_series(%s, %s) k CROSS JOIN generate_series(0, 1) n CROSS JOIN it
        WHERE n = 0 OR k % 3 = 0
        ON CONFLICT DO NOTHING
        """,
        [start, scale.plan_entries],
    )
    _sync_sequence("inspections_planentry")
    return rows


# --- Guidance: slots and bookings ------------------------------------------------------------------------------


def _slots(scale: Scale) -> int:
    start = _next_id("guidance_slot")
    if start > scale.slots:
        return 0
    rows = _execute(
        """
        WITH c AS (SELECT array_agg(id ORDER BY code) AS ids FROM programs_region WHERE level = 'county')
        INSERT INTO guidance_slot (id, starts_at, ends_at, mode, capacity, booked, is_withdrawn, created_at,
                                   region_id, template_id)
        SELECT s, t, t + interval '1 hour', CASE WHEN s % 2 = 0 THEN 'online' ELSE 'onsite' END,
               CASE WHEN s % 3 = 0 THEN 5 ELSE 10 END, 0, false, now(), c.ids[1 + s % array_length(c.ids, 1)], NULL
        FROM (SELECT s, date_trunc('day', now()) + make_interval(days => 30 + s % 60, hours => 9 + s % 8) AS t
              FROM generate_series(%s, %s) s) g CROSS JOIN c
        ON CONFLICT (id) DO NOTHING
        """,
        [start, scale.slots],
    )
    _execute(
        """
        WITH th AS (SELECT array_agg(id ORDER BY position) AS ids FROM guidance_theme WHERE code LIKE 'bench-theme-%%')
        INSERT INTO guidance_slot_themes (slot_id, theme_id)
        SELECT s, th.ids[1 + (s + n * 5) % 13] FROM generate_series(%s, %s) s CROSS JOIN generate_series(0, 1) n
        CROSS JOIN th
        ON CONFLICT DO NOTHING
        """,
        [start, scale.slots],
    )
    _sync_sequence("guidance_slot")
    return rows


def _bookings(scale: Scale) -> int:
    """Each slot gets bookings / slots of them (5): the capacity-5 slots are full. The bench enterprise has 120."""
    start = _next_id("guidance_booking")
    if start > scale.bookings:
        return 0
    rows = _execute(
        """
        WITH th AS (SELECT array_agg(id ORDER BY position) AS ids FROM guidance_theme WHERE code LIKE 'bench-theme-%%')
        INSERT INTO guidance_booking (id, reference, mode, status, business_name, credit_code, contact_name,
            contact_phone, contact_email, address, needs, consent_at, time_version, submission_key, created_at,
            confirmed_at, cancel_reason, summary, letter_number, feedback, created_by_id, enterprise_id, region_id,
            slot_id, theme_id)
        SELECT b, 'BENCH' || lpad(b::text, 8, '0'), s.mode, CASE WHEN b % 2 = 0 THEN 'confirmed' ELSE 'requested' END,
               '企业' || b, '', '联系人', '13800000000', '', '', '', now(), 1, NULL, now() - make_interval(secs => b),
               CASE WHEN b % 2 = 0 THEN now() ELSE NULL END, '', '', '', '', NULL,
               CASE WHEN b <= 120 THEN 1 WHEN b <= 125 THEN 2 ELSE 1 + (b::bigint * 31) % %s END,
               s.region_id, s.id, th.ids[1 + s.id % 13]
        FROM generate_series(%s, %s) b
        JOIN guidance_slot s ON s.id = 1 + (b::bigint * 7) % %s
        CROSS JOIN th
        ON CONFLICT (id) DO NOTHING
        """,
        [scale.enterprises, start, scale.bookings, scale.slots],
    )
    _execute(
        """
        UPDATE guidance_slot s SET booked = c.n
        FROM (SELECT slot_id, count(*) AS n FROM guidance_booking
              WHERE status IN ('requested', 'confirmed') AND reference LIKE 'BENCH%%' GROUP BY slot_id) c
        WHERE s.id = c.slot_id AND s.booked <> c.n
        """
    )
    _sync_sequence("guidance_booking")
    return rows


# --- Workshops: workshops, positions, residents, registrations ---------------------------------------------------


def _workshops(scale: Scale) -> int:
    start = _next_id("workshops_workshop")
    if start > scale.workshops:
        return 0
    rows = _execute(
        """
        WITH v AS (SELECT array_agg(id ORDER BY code) AS ids FROM programs_region WHERE level = 'village')
        INSERT INTO workshops_workshop (id, name, kind, address, manager_name, manager_phone, products, description,
            status, opened_on, closed_on, created_at, host_enterprise_id, village_id)
        SELECT w, '共富工坊' || w, (ARRAY['assistance', 'workshop_floor', 'production_line', 'live_stream'])[1 + w % 4],
               '', '负责人', '', '', '', 'open', DATE '2025-01-01', NULL, now(), NULL,
               v.ids[1 + (w::bigint * 7919) % array_length(v.ids, 1)]
        FROM generate_series(%s, %s) w CROSS JOIN v
        ON CONFLICT (id) DO NOTHING
        """,
        [start, scale.workshops],
    )
    _sync_sequence("workshops_workshop")
    return rows


def _positions(scale: Scale) -> int:
    start = _next_id("workshops_position")
    if start > scale.positions:
        return 0
    categories = "ARRAY['primary_processing', 'aquaculture', 'handicraft', 'e_commerce', 'services', 'manufacturing']"
    rows = _execute(
        f"""
        INSERT INTO workshops_position (id, title, category, description, openings, accepted_count, pay_amount,
            pay_unit, seasonal_start, seasonal_end, accessible, status, created_at, workshop_id)
        SELECT p, '岗位' || p, ({categories})[1 + p % 6], '', 20, 0,
               CASE WHEN p % 2 = 0 THEN 150 ELSE 3000 END, CASE WHEN p % 2 = 0 THEN 'day' ELSE 'month' END,
               NULL, NULL, p % 4 = 0, CASE WHEN p % 20 = 0 THEN 'closed' ELSE 'open' END, now(), 1 + p % %s
        FROM generate_series(%s, %s) p
        ON CONFLICT (id) DO NOTHING
        """,
        [scale.workshops, start, scale.positions],
    )
    _sync_sequence("workshops_position")
    return rows


def _residents(scale: Scale) -> int:
    start = _next_id("workshops_resident")
    if start > scale.residents:
        return 0
    body = "('330201' || to_char(DATE '1960-01-01' + r / 1000, 'YYYYMMDD') || lpad((r % 1000)::text, 3, '0'))"
    rows = _execute(
        f"""
        WITH v AS (SELECT array_agg(id ORDER BY code) AS ids FROM programs_region WHERE level = 'village')
        INSERT INTO workshops_resident (id, name, id_number, phone, has_disability, is_low_income, wants_work,
            wished_categories, surveyed_on, created_at, grid_worker_id, user_id, village_id)
        SELECT r, '村民' || r, {_id_number_sql(body)}, '', r % 10 = 0, r % 7 = 0, true, '[]'::jsonb, NULL, now(),
               NULL, NULL, v.ids[1 + (r::bigint * 13) % array_length(v.ids, 1)]
        FROM generate_series(%s, %s) r CROSS JOIN v
        ON CONFLICT (id) DO NOTHING
        """,
        [start, scale.residents],
    )
    _sync_sequence("workshops_resident")
    return rows


def _resident_users(scale: Scale) -> int:
    from programs.models import User
    from workshops.models import Resident

    created = 0
    for username, resident_id in (("bench_resident", 1), ("bench_resident_small", 2)):
        created += _account(username, role=User.Role.RESIDENT)
        Resident.objects.filter(pk=resident_id).update(user_id=_user_id(username))
    return created


def _registrations(scale: Scale) -> int:
    """Two registrations per resident, for two different positions."""
    start = _next_id("workshops_registration")
    if start > scale.registrations:
        return 0
    rows = _execute(
        """
        INSERT INTO workshops_registration (id, reference, channel, status, baseline_monthly_income, note, reason,
            consent_at, status_changed_at, created_at, position_id, submitted_by_id, resident_id)
        SELECT g, 'BR' || g, 'self', 'submitted', 0, '', '', now(), now(), now(),
               1 + (((g + 1) / 2)::bigint * 7919 + g % 2) % %s, NULL, (g + 1) / 2
        FROM generate_series(%s, %s) g
        ON CONFLICT (id) DO NOTHING
        """,
        [scale.positions, start, scale.registrations],
    )
    _sync_sequence("workshops_registration")
    return rows


# --- The outbox --------------------------------------------------------------------------------------------


def _reminders(scale: Scale) -> int:
    done = _scalar("SELECT count(*) FROM programs_notification WHERE dedupe_key LIKE %s", [REMINDER_PREFIX + "%"])
    if done >= scale.reminders:
        return 0
    return _execute(
        """
        WITH u AS (SELECT array_agg(id ORDER BY username) AS ids FROM programs_user
                   WHERE username LIKE 'bench\\_client\\_%%')
        INSERT INTO programs_notification (dedupe_key, channel, recipient_id, address, subject, body, attachments,
            status, due_at, sent_at, attempts, last_error, read_at, created_at)
        SELECT %s || k, 'in_app', u.ids[1 + k % array_length(u.ids, 1)], '', '指导服务提醒',
               '您预约的指导服务明天进行。',
               '[]'::jsonb, 'pending', %s - make_interval(secs => k), NULL, 0, '', NULL, now()
        FROM generate_series(1, %s) k CROSS JOIN u
        ON CONFLICT (dedupe_key) DO NOTHING
        """,
        [REMINDER_PREFIX, REMINDERS_T0, scale.reminders],
    )


def _record(steps: list[tuple[str, int, float]]) -> None:
    """Keep the timing of every step that inserted rows, so that a later run (which finds the data there and
    inserts nothing) can still report how long the set-up took."""
    _execute(
        "CREATE TABLE IF NOT EXISTS bench_setup (step text PRIMARY KEY, rows bigint NOT NULL, "
        "seconds double precision NOT NULL, at timestamptz NOT NULL DEFAULT now())"
    )
    for name, rows, elapsed in steps:
        if rows or name == "ANALYZE":
            _execute(
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
    "ANALYZE",
]


def generate(scale: Scale, log=print) -> list[tuple[str, int, float]]:
    steps = Steps(log)
    steps.run("regions", _regions)
    steps.run("departments", _departments)
    steps.run("inspection items", _items)
    steps.run("guidance themes", _themes)
    steps.run("staff accounts", _staff_users)
    steps.run("enterprises", lambda: _enterprises(scale))
    steps.run("completed inspections", lambda: _inspection_history(scale))
    steps.run("open findings", lambda: _findings(scale))
    steps.run("enterprise accounts", lambda: _enterprise_users(scale))
    steps.run("plan entries", lambda: _plan_entries(scale))
    steps.run("slots", lambda: _slots(scale))
    steps.run("bookings", lambda: _bookings(scale))
    steps.run("workshops", lambda: _workshops(scale))
    steps.run("positions", lambda: _positions(scale))
    steps.run("residents", lambda: _residents(scale))
    steps.run("resident accounts", lambda: _resident_users(scale))
    steps.run("registrations", lambda: _registrations(scale))
    steps.run("due reminders", lambda: _reminders(scale))
    if any(rows for _name, rows, _elapsed in steps.done):
        started = time.perf_counter()
        _execute("ANALYZE")
        steps.done.append(("ANALYZE", 0, time.perf_counter() - started))
        log(f"  data: {'ANALYZE':<26} {'':>10}       {steps.done[-1][2]:7.1f} s")
        _record(steps.done)
    return steps.done
