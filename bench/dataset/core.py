"""The shared core of the data: the region tree, the departments, the accounts the load generator signs in with
(made through the ORM, with tokens), the enterprises, and the due in-app reminders of the outbox."""

from .scale import CITY, CLIENTS, COUNTY, PROVINCE, REMINDER_PREFIX, REMINDERS_T0, Scale
from .sql import credit_code_sql, execute, grade_sql, next_id, scalar, sync_sequence

# --- Reference data -------------------------------------------------------------------------------------


def regions() -> int:
    rows = execute(
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
        rows += execute(
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


def departments() -> int:
    values = ", ".join(f"('{kind}', '{name}')" for kind, name in DEPARTMENT_KINDS)
    return execute(
        f"""
        INSERT INTO programs_department (name, kind, region_id)
        SELECT p.name || k.name, k.kind, p.id
        FROM programs_region p CROSS JOIN (VALUES {values}) AS k(kind, name)
        WHERE p.level = 'county' AND p.code LIKE '33%%'
        ON CONFLICT (region_id, name) DO NOTHING
        """
    )


# --- Accounts ---------------------------------------------------------------------------------------------


def staff_users() -> int:
    """The staff accounts, able to open the admin (``is_staff``, as the product gives every staff role); run on
    every generation, so an account made before is updated too. The city's organiser opens the workshop lists a
    coordinator is refused (``bench/admin_lists.py``)."""
    from programs.models import Department, Region, User

    county = Region.objects.get(code=COUNTY)
    city = Region.objects.get(code=CITY)
    staff = [
        ("bench_province", User.Role.COORDINATOR, Region.objects.get(code=PROVINCE), None),
        ("bench_city", User.Role.COORDINATOR, city, None),
        ("bench_county", User.Role.COORDINATOR, county, None),
        ("bench_officer", User.Role.OFFICER, county, Department.objects.filter(region=county).order_by("pk").first()),
        ("bench_city_organiser", User.Role.ORGANISER, city, None),
    ]
    created = 0
    for username, role, region, department in staff:
        created += account(username, role=role, region=region, department=department, is_staff=True)
    return created


def account(username: str, **fields) -> int:
    from rest_framework.authtoken.models import Token

    from programs.models import User

    user, created = User.objects.update_or_create(username=username, defaults=fields)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Token.objects.get_or_create(user=user)
    return int(created)


def account_id(username: str) -> int:
    return scalar("SELECT id FROM programs_user WHERE username = %s", [username])


# --- Enterprises ------------------------------------------------------------------------------------------


def enterprises(scale: Scale) -> int:
    start = next_id("programs_enterprise")
    if start > scale.enterprises:
        return 0
    body = "('91330000' || lpad(i::text, 9, '0'))"
    rows = execute(
        f"""
        WITH v AS (SELECT array_agg(id ORDER BY code) AS ids FROM programs_region WHERE level = 'village')
        INSERT INTO programs_enterprise (id, name, credit_code, region_id, address, industry, size, is_key,
            is_four_new, contact_name, contact_phone, contact_email, grade, grade_changed_at, created_at)
        SELECT i, '企业' || lpad(i::text, 7, '0'), {credit_code_sql(body)},
               v.ids[1 + (i::bigint * 7919) % array_length(v.ids, 1)], '',
               (ARRAY['餐饮', '制造', '零售', '建筑', '物流'])[1 + i % 5],
               (ARRAY['micro', 'small', 'medium', 'large'])[1 + i % 4], i % 50 = 0, i % 10 = 0,
               '联系人', '138' || lpad((i % 100000000)::text, 8, '0'), '', {grade_sql("i")}, NULL,
               now() - make_interval(days => i % 1000)
        FROM generate_series(%s, %s) i CROSS JOIN v
        ON CONFLICT (id) DO NOTHING
        """,
        [start, scale.enterprises],
    )
    sync_sequence("programs_enterprise")
    return rows


def enterprise_users(scale: Scale) -> int:
    from programs.models import Enterprise, User

    created = account("bench_enterprise", role=User.Role.ENTERPRISE, enterprise=Enterprise.objects.get(pk=1))
    created += account("bench_enterprise_small", role=User.Role.ENTERPRISE, enterprise=Enterprise.objects.get(pk=2))
    for n in range(1, CLIENTS + 1):
        enterprise = Enterprise.objects.get(pk=100 + n)
        created += account(f"bench_client_{n:02d}", role=User.Role.ENTERPRISE, enterprise=enterprise)
    return created


# --- The outbox --------------------------------------------------------------------------------------------


def reminders(scale: Scale) -> int:
    done = scalar("SELECT count(*) FROM programs_notification WHERE dedupe_key LIKE %s", [REMINDER_PREFIX + "%"])
    if done >= scale.reminders:
        return 0
    return execute(
        """
        WITH u AS (SELECT array_agg(id ORDER BY username) AS ids FROM programs_user
                   WHERE username LIKE 'bench\\_client\\_%%')
        INSERT INTO programs_notification (dedupe_key, channel, recipient_id, address, subject, body, html_body,
            claim_token, attachments, status, due_at, sent_at, attempts, last_error, read_at, created_at)
        SELECT %s || k, 'in_app', u.ids[1 + k % array_length(u.ids, 1)], '', '指导服务提醒',
               '您预约的指导服务明天进行。', '', '',
               '[]'::jsonb, 'pending', %s - make_interval(secs => k), NULL, 0, '', NULL, now()
        FROM generate_series(1, %s) k CROSS JOIN u
        ON CONFLICT (dedupe_key) DO NOTHING
        """,
        [REMINDER_PREFIX, REMINDERS_T0, scale.reminders],
    )
