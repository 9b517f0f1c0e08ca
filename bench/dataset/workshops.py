"""Workshops: the workshops, their positions, the residents (two with accounts) and their registrations."""

from .core import account, account_id
from .scale import Scale
from .sql import execute, id_number_sql, next_id, sync_sequence


def workshops(scale: Scale) -> int:
    start = next_id("workshops_workshop")
    if start > scale.workshops:
        return 0
    rows = execute(
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
    sync_sequence("workshops_workshop")
    return rows


def positions(scale: Scale) -> int:
    start = next_id("workshops_position")
    if start > scale.positions:
        return 0
    categories = "ARRAY['primary_processing', 'aquaculture', 'handicraft', 'e_commerce', 'services', 'manufacturing']"
    rows = execute(
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
    sync_sequence("workshops_position")
    return rows


def residents(scale: Scale) -> int:
    start = next_id("workshops_resident")
    if start > scale.residents:
        return 0
    body = "('330201' || to_char(DATE '1960-01-01' + r / 1000, 'YYYYMMDD') || lpad((r % 1000)::text, 3, '0'))"
    rows = execute(
        f"""
        WITH v AS (SELECT array_agg(id ORDER BY code) AS ids FROM programs_region WHERE level = 'village')
        INSERT INTO workshops_resident (id, name, id_number, phone, has_disability, is_low_income, wants_work,
            wished_categories, surveyed_on, created_at, grid_worker_id, user_id, village_id)
        SELECT r, '村民' || r, {id_number_sql(body)}, '', r % 10 = 0, r % 7 = 0, true, '[]'::jsonb, NULL, now(),
               NULL, NULL, v.ids[1 + (r::bigint * 13) % array_length(v.ids, 1)]
        FROM generate_series(%s, %s) r CROSS JOIN v
        ON CONFLICT (id) DO NOTHING
        """,
        [start, scale.residents],
    )
    sync_sequence("workshops_resident")
    return rows


def resident_users(scale: Scale) -> int:
    from programs.models import User
    from workshops.models import Resident

    created = 0
    for username, resident_id in (("bench_resident", 1), ("bench_resident_small", 2)):
        created += account(username, role=User.Role.RESIDENT)
        Resident.objects.filter(pk=resident_id).update(user_id=account_id(username))
    return created


def registrations(scale: Scale) -> int:
    """Two registrations per resident, for two different positions."""
    start = next_id("workshops_registration")
    if start > scale.registrations:
        return 0
    rows = execute(
        """
        INSERT INTO workshops_registration (id, reference, channel, status, baseline_monthly_income, note, reason,
            claimed_name, claimed_phone, consent_at, status_changed_at, created_at, position_id, submitted_by_id,
            resident_id, resident_region_code, workshop_region_code)
        SELECT r.id, 'BR' || r.id, 'self', 'submitted', 0, '', '', '', '', now(), now(), now(),
               r.position_id, NULL, r.resident_id, village.code, workshop_village.code
        FROM (
            SELECT g AS id, 1 + (((g + 1) / 2)::bigint * 7919 + g % 2) % %s AS position_id, (g + 1) / 2 AS resident_id
            FROM generate_series(%s, %s) g
        ) r
        JOIN workshops_resident resident ON resident.id = r.resident_id
        JOIN programs_region village ON village.id = resident.village_id
        JOIN workshops_position position ON position.id = r.position_id
        JOIN workshops_workshop workshop ON workshop.id = position.workshop_id
        JOIN programs_region workshop_village ON workshop_village.id = workshop.village_id
        ON CONFLICT (id) DO NOTHING
        """,
        [scale.positions, start, scale.registrations],
    )
    sync_sequence("workshops_registration")
    return rows
