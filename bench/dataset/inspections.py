"""Inspections: the item catalogue, a completed inspection for every graded enterprise, the open findings,
and the plan entries submitted for the bench month."""

from .core import account_id
from .scale import BENCH_MONTH, COUNTY, Scale
from .sql import execute, grade_sql, next_id, scalar, sync_sequence

# --- The catalogue and the inspection history -------------------------------------------------------------


def items() -> int:
    """Ten catalogue items per department kind, owned by the first county's departments; half are simple."""
    return execute(
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


def inspection_history(scale: Scale) -> int:
    """A completed inspection for every enterprise the generator graded (not gray), id = enterprise id."""
    start = scalar("SELECT coalesce(max(id), 0) + 1 FROM inspections_inspection WHERE id <= %s", [scale.enterprises])
    if start > scale.enterprises:
        return 0
    rows = execute(
        f"""
        WITH d AS (SELECT array_agg(id ORDER BY id) AS ids FROM programs_department)
        INSERT INTO inspections_inspection (id, month, week_start, is_joint, mode, status, code, cancel_reason,
            summary, code_not_shown_reason, code_not_shown_note, created_at, started_at, completed_at,
            enterprise_id, lead_department_id, origin, region_code)
        SELECT i, DATE '2026-06-01', DATE '2026-06-01', false, 'on_site', 'completed', NULL, '', '', 'not_recorded', '',
               now() - interval '150 days', now() - interval '150 days', now() - interval '150 days', i,
               d.ids[1 + i % array_length(d.ids, 1)], 'plan', r.code
        FROM generate_series(%s, %s) i CROSS JOIN d
        JOIN programs_enterprise e ON e.id = i JOIN programs_region r ON r.id = e.region_id
        WHERE {grade_sql("i")} <> 'gray'
        ON CONFLICT (id) DO NOTHING
        """,
        [start, scale.enterprises],
    )
    sync_sequence("inspections_inspection")
    return rows


def findings(scale: Scale) -> int:
    """An open finding for every red (major) and yellow (general) enterprise; a fifth of the yellow ones are
    30 days past their deadline, beyond the yellow policy's 15-day grace: the sweep turns those red."""
    start = next_id("inspections_finding")
    if start > scale.enterprises:
        return 0
    officer = account_id("bench_officer")
    rows = execute(
        f"""
        WITH it AS (SELECT array_agg(id ORDER BY id) AS ids FROM inspections_inspectionitem)
        INSERT INTO inspections_finding (id, severity, description, deadline, status, recorded_at, rectified_at,
            lenient_proposed, decision, decision_note, decided_at, decided_by_id, enterprise_id, item_id,
            recorded_by_id, inspection_id, lenient_entry_id, region_code)
        SELECT i, CASE WHEN g = 'red' THEN 'major' ELSE 'general' END, '发现的问题',
               CASE WHEN g = 'yellow' AND i % 5 = 0 THEN current_date - 30 ELSE current_date + 60 END,
               'open', now() - interval '150 days', NULL, false, 'undecided', '', NULL, NULL, i,
               it.ids[1 + i % array_length(it.ids, 1)], %s, i, NULL, r.code
        FROM (SELECT i, {grade_sql("i")} AS g FROM generate_series(%s, %s) i) s CROSS JOIN it
        JOIN programs_enterprise e ON e.id = i JOIN programs_region r ON r.id = e.region_id
        WHERE g IN ('red', 'yellow')
        ON CONFLICT (id) DO NOTHING
        """,
        [officer, start, scale.enterprises],
    )
    sync_sequence("inspections_finding")
    return rows


# --- Plans of the bench month --------------------------------------------------------------------------------


def plan_entries(scale: Scale) -> int:
    start = next_id("inspections_planentry")
    if start > scale.plan_entries:
        return 0
    coordinator = account_id("bench_province")
    # Entries come in pairs per enterprise from two departments; every tenth pair from the same one (a duplicate).
    department = "CASE WHEN (k / 2) % 10 = 0 THEN 2 * ((k / 2) % 3) ELSE (k % 2) + 2 * ((k / 2) % 3) END"
    rows = execute(
        f"""
        WITH d AS (
            SELECT array_agg(d.id ORDER BY d.id) AS ids FROM programs_department d
            JOIN programs_region r ON r.id = d.region_id AND r.code = %s
        )
        INSERT INTO inspections_planentry (id, month, mode, status, note, delegated, cut_reason, cut_note,
            created_at, submitted_at, decided_at, created_by_id, department_id, enterprise_id, inspection_id,
            region_code)
        SELECT k, %s, CASE WHEN k % 7 = 0 THEN 'off_site' ELSE 'on_site' END, 'submitted', '', false, '', '',
               now(), now() - make_interval(secs => k), NULL, %s, d.ids[1 + {department}], e.id, NULL, r.code
        FROM generate_series(%s, %s) k CROSS JOIN d
        JOIN programs_enterprise e ON e.id = 1 + ((k / 2)::bigint * 7919) % %s
        JOIN programs_region r ON r.id = e.region_id
        ON CONFLICT (id) DO NOTHING
        """,
        [COUNTY, BENCH_MONTH, coordinator, start, scale.plan_entries, scale.enterprises],
    )
    execute(
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
    sync_sequence("inspections_planentry")
    return rows
