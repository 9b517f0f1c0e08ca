"""The three set-based jobs at a tenth and at the full data size: the grade sweep, the coordination of the
bench month, the outbox sweep of the due reminders. Each runs in its own process (time and peak memory) after
the data is put back as generated, then the same work is done by one hand-written SQL statement (data-
modifying CTEs: the same rows changed, the same history rows written) on the same data, for the ratio."""

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta
from datetime import time as day_time

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from inspections.grades import policies
from inspections.models import Inspection, PlanEntry
from programs.models import Enterprise, Grade, Region, User

from . import dataset
from .server import BASE_DIR


def _execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _worker(*args: str, timeout: float) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.sweep_worker", *args],
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        timeout=timeout,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"sweep worker {args} failed: {result.stderr[-3000:]}")
    return json.loads(lines[-1])


def _timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    with transaction.atomic():
        value = function()
    return time.perf_counter() - started, value


def _row(job: str, size: str, rows: int, worker: dict, sql_seconds: float, sql_result, note: str = "") -> dict:
    peak, base = worker["peak_rss_kb"], worker["baseline_rss_kb"]
    seconds = worker["seconds"]
    return {
        "job": job,
        "size": size,
        "rows": rows,
        "seconds": seconds,
        "result": worker["result"],
        "peak_rss_mb": round(peak / 1024, 1),
        "growth_mb": round((peak - base) / 1024, 1),
        "sql_seconds": round(sql_seconds, 3),
        "sql_result": sql_result,
        "ratio": round(sql_seconds / seconds, 3) if seconds else None,
        "note": note,
    }


# --- Grade sweep ----------------------------------------------------------------------------------------------


def grades_reset() -> None:
    grade = dataset.grade_sql("id")
    _execute(f"UPDATE programs_enterprise SET grade = {grade}, grade_changed_at = NULL WHERE grade <> {grade}")
    _execute("DELETE FROM inspections_gradechange WHERE cause = 'sweep'")
    _execute("DELETE FROM programs_auditentry WHERE field = 'grade' AND actor_label = 'scheduler'")


def grades_sql(limit: int) -> int:
    """The sweep as one statement: target colour per enterprise, the UPDATE of the changed ones, their
    GradeChange and audit rows."""
    grace = policies()[Grade.YELLOW].escalation_grace_days
    overdue = "OR (f.severity = 'general' AND f.deadline < %(cutoff)s)" if grace is not None else ""
    cutoff = timezone.localdate() - timedelta(days=grace or 0)
    return _execute(
        f"""
        WITH target AS (
            SELECT e.id, e.grade AS old,
                CASE
                    WHEN EXISTS (SELECT 1 FROM inspections_finding f WHERE f.enterprise_id = e.id
                                 AND f.status <> 'rectified' AND (f.severity = 'major' {overdue})) THEN 'red'
                    WHEN EXISTS (SELECT 1 FROM inspections_finding f WHERE f.enterprise_id = e.id
                                 AND f.status <> 'rectified') THEN 'yellow'
                    WHEN EXISTS (SELECT 1 FROM inspections_inspection i WHERE i.enterprise_id = e.id
                                 AND i.status = 'completed') THEN 'green'
                    ELSE 'gray'
                END AS new
            FROM programs_enterprise e WHERE e.id <= %(limit)s
        ),
        changed AS (
            UPDATE programs_enterprise e SET grade = t.new, grade_changed_at = now()
            FROM target t WHERE e.id = t.id AND t.new <> t.old
            RETURNING e.id, t.old, t.new
        ),
        history AS (
            INSERT INTO inspections_gradechange (enterprise_id, old_grade, new_grade, cause, reason, changed_at)
            SELECT id, old, new, 'sweep', '', now() FROM changed
        )
        INSERT INTO programs_auditentry (content_type_id, object_id, field, action, old_value, new_value, data,
                                         actor_id, actor_label, reason, created_at)
        SELECT %(content_type)s, id, 'grade', '', old, new, '{{}}', NULL, 'scheduler', '', now() FROM changed
        """,
        {"limit": limit, "cutoff": cutoff, "content_type": ContentType.objects.get_for_model(Enterprise).pk},
    )


def grade_sweep(scale: dataset.Scale, log=print) -> list[dict]:
    rows = []
    for size, limit in (("1/10", scale.enterprises // 10), ("full", scale.enterprises)):
        grades_reset()
        worker = _worker("grades", "--limit", str(limit), timeout=3600)
        grades_reset()
        sql_seconds, changed = _timed(lambda limit=limit: grades_sql(limit))
        grades_reset()
        row = _row("grade sweep", size, limit, worker, sql_seconds, {"changed": changed})
        rows.append(row)
        log(_line(row))
    return rows


# --- Outbox sweep ---------------------------------------------------------------------------------------------


def outbox_reset() -> None:
    _execute(
        "UPDATE programs_notification SET status = 'pending', sent_at = NULL, attempts = 0, last_error = '' "
        "WHERE dedupe_key LIKE %s AND status <> 'pending'",
        [dataset.REMINDER_PREFIX + "%"],
    )


def outbox_sql(now: datetime) -> int:
    """The in-app delivery as one statement: every due pending row marked sent."""
    return _execute(
        "UPDATE programs_notification SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = '' "
        "WHERE status = 'pending' AND due_at <= %s",
        [now],
    )


def outbox_sweep(scale: dataset.Scale, log=print) -> list[dict]:
    rows = []
    tenth = dataset.REMINDERS_T0 - timedelta(seconds=scale.reminders * 9 // 10)
    for size, now, count in (("1/10", tenth, scale.reminders // 10), ("full", dataset.REMINDERS_T0, scale.reminders)):
        outbox_reset()
        worker = _worker("outbox", "--now", now.isoformat(), timeout=3600)
        outbox_reset()
        sql_seconds, sent = _timed(lambda now=now: outbox_sql(now))
        outbox_reset()
        row = _row("reminder sweep (outbox, in-app)", size, count, worker, sql_seconds, {"sent": sent})
        rows.append(row)
        log(_line(row))
    return rows


# --- Coordination -----------------------------------------------------------------------------------------


def coordination_reset() -> None:
    month = dataset.BENCH_MONTH
    types = [ContentType.objects.get_for_model(PlanEntry).pk, ContentType.objects.get_for_model(Inspection).pk]
    _execute("DELETE FROM programs_auditentry WHERE content_type_id = ANY(%s)", [types])
    _execute(
        "UPDATE inspections_planentry SET status = 'submitted', inspection_id = NULL, delegated = false, "
        "cut_reason = '', cut_note = '', decided_at = NULL WHERE month = %s AND status <> 'submitted'",
        [month],
    )
    for through in ("departments", "items", "officers"):
        _execute(
            f"DELETE FROM inspections_inspection_{through} WHERE inspection_id IN "
            "(SELECT id FROM inspections_inspection WHERE month = %s)",
            [month],
        )
    _execute("DELETE FROM inspections_inspection WHERE month = %s", [month])
    _execute("DELETE FROM inspections_coordination")


def coordination_sql(region: Region, actor: User) -> tuple[int, int, int]:
    """A month's coordination as one statement: leave-alone and duplicate cuts, one inspection per enterprise
    (joint when it serves several departments; the comprehensive bureau, else the department with the most
    items, leads; entries of simple items only are delegated when another department goes), the entries
    executed, the inspections' departments and items, and the audit rows."""
    month = dataset.BENCH_MONTH
    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    green = policies()[Grade.GREEN]
    cutoff = timezone.make_aware(datetime.combine(last_day - timedelta(days=green.frequency_days - 1), day_time.min))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH entries AS (
                SELECT p.id, p.enterprise_id, p.department_id, p.mode, p.region_code,
                       d.kind = 'comprehensive_enforcement' AS comprehensive,
                       row_number() OVER (PARTITION BY p.enterprise_id, p.department_id
                                          ORDER BY p.submitted_at, p.id) AS nth,
                       (SELECT coalesce(bool_and(i.simple), true) FROM inspections_planentry_items pi
                        JOIN inspections_inspectionitem i ON i.id = pi.inspectionitem_id
                        WHERE pi.planentry_id = p.id) AS all_simple,
                       (SELECT count(*) FROM inspections_planentry_items pi WHERE pi.planentry_id = p.id) AS n_items,
                       e.grade = 'green' AND NOT (
                           mod(e.id * 7919 + %(period)s::bigint * 104729, 100) < %(sampling)s
                           AND coalesce((SELECT max(i.completed_at) FROM inspections_inspection i
                                         WHERE i.enterprise_id = e.id AND i.status = 'completed') < %(cutoff)s, true)
                       ) AS left_alone
                FROM inspections_planentry p
                JOIN programs_enterprise e ON e.id = p.enterprise_id
                JOIN programs_region r ON r.id = e.region_id
                JOIN programs_department d ON d.id = p.department_id
                WHERE p.month = %(month)s AND p.status = 'submitted' AND r.code LIKE %(prefix)s
            ),
            kept AS (
                SELECT *, bool_or(NOT all_simple) OVER (PARTITION BY enterprise_id) AS has_goers
                FROM entries WHERE NOT left_alone AND nth = 1
            ),
            final AS (
                SELECT id, enterprise_id, department_id, mode, region_code, lead,
                       CASE WHEN has_goers THEN all_simple ELSE department_id <> lead END AS delegated
                FROM (
                    SELECT *, first_value(department_id) OVER (
                        PARTITION BY enterprise_id
                        ORDER BY has_goers AND all_simple, NOT comprehensive, n_items DESC, department_id
                    ) AS lead
                    FROM kept
                ) ranked
            ),
            new_inspections AS (
                INSERT INTO inspections_inspection (month, week_start, is_joint, mode, status, cancel_reason, summary,
                                                    created_at, enterprise_id, lead_department_id, origin,
                                                    code_not_shown_reason, code_not_shown_note, region_code)
                SELECT %(month)s, NULL, count(DISTINCT department_id) > 1,
                       CASE WHEN bool_or(mode = 'on_site') THEN 'on_site' ELSE 'off_site' END, 'planned', '', '',
                       now(), enterprise_id, min(lead), 'plan', '', '', min(region_code)
                FROM final GROUP BY enterprise_id
                RETURNING id, enterprise_id
            ),
            executed AS (
                UPDATE inspections_planentry p
                SET status = 'executed', inspection_id = n.id, delegated = f.delegated, decided_at = now()
                FROM final f JOIN new_inspections n ON n.enterprise_id = f.enterprise_id
                WHERE p.id = f.id
                RETURNING p.id, p.department_id, n.id AS inspection_id, f.delegated
            ),
            cut AS (
                UPDATE inspections_planentry p
                SET status = 'cut', cut_reason = CASE WHEN x.left_alone THEN 'leave_alone' ELSE 'duplicate' END,
                    cut_note = CASE WHEN x.left_alone THEN 'Green enterprise not due: left alone.'
                                    ELSE 'Duplicate plan entry.' END,
                    decided_at = now()
                FROM entries x WHERE p.id = x.id AND (x.left_alone OR x.nth > 1)
                RETURNING p.id, p.cut_note
            ),
            departments AS (
                INSERT INTO inspections_inspection_departments (inspection_id, department_id)
                SELECT DISTINCT inspection_id, department_id FROM executed WHERE NOT delegated
            ),
            items AS (
                INSERT INTO inspections_inspection_items (inspection_id, inspectionitem_id)
                SELECT DISTINCT x.inspection_id, pi.inspectionitem_id
                FROM executed x JOIN inspections_planentry_items pi ON pi.planentry_id = x.id
            ),
            audit AS (
                INSERT INTO programs_auditentry (content_type_id, object_id, field, action, old_value, new_value,
                                                 data, actor_id, actor_label, reason, created_at)
                SELECT %(inspection_type)s, id, 'created', '', '', 'planned', '{}'::jsonb, %(actor)s, '', '', now()
                FROM new_inspections
                UNION ALL
                SELECT %(entry_type)s, id, 'status', '', 'submitted', 'executed', '{}'::jsonb, %(actor)s, '', '', now()
                FROM executed
                UNION ALL
                SELECT %(entry_type)s, id, 'status', '', 'submitted', 'cut', '{}'::jsonb, %(actor)s, '', cut_note, now()
                FROM cut
            )
            SELECT (SELECT count(*) FROM executed), (SELECT count(*) FROM cut), (SELECT count(*) FROM new_inspections)
            """,
            {
                "month": month,
                "prefix": region.prefix + "%",
                "period": last_day.year * 12 + last_day.month,
                "sampling": green.sampling_percent,
                "cutoff": cutoff,
                "actor": actor.pk,
                "entry_type": ContentType.objects.get_for_model(PlanEntry).pk,
                "inspection_type": ContentType.objects.get_for_model(Inspection).pk,
            },
        )
        return cursor.fetchone()


def coordination(scale: dataset.Scale, *, time_limit: float, log=print) -> list[dict]:
    rows = []
    actor = User.objects.get(username="bench_province")
    month_entries = PlanEntry.objects.filter(month=dataset.BENCH_MONTH)
    for size, code in (("1/10", dataset.CITY), ("full", dataset.PROVINCE)):
        region = Region.objects.get(code=code)
        count = month_entries.filter(enterprise__region__code__startswith=region.prefix).count()
        coordination_reset()
        worker = _worker("coordination", "--region", code, "--time-limit", str(time_limit), timeout=time_limit + 600)
        coordination_reset()
        sql_seconds, (executed, cut, created) = _timed(lambda region=region: coordination_sql(region, actor))
        coordination_reset()
        progress = worker["result"]
        note = ""
        if not progress["finished"] and progress.get("estimated_seconds"):
            worker = {**worker, "seconds": progress["estimated_seconds"]}
            note = (
                f"stopped after {progress['elapsed']:.0f} s at {progress['processed']:,} of {progress['total']:,} "
                "enterprises; the time is extrapolated from the pace over the second half of the run"
            )
        row = _row(
            "coordination of the month",
            size,
            count,
            worker,
            sql_seconds,
            {"executed": executed, "cut": cut, "inspections": created},
            note,
        )
        rows.append(row)
        log(_line(row))
    return rows


def _line(row: dict) -> str:
    return (
        f"  sweep: {row['job']:<32} {row['size']:>5} {row['rows']:>9,} rows  {row['seconds']:>9} s  "
        f"peak {row['peak_rss_mb']} MB (+{row['growth_mb']})  SQL {row['sql_seconds']} s  ratio {row['ratio']}  "
        f"{row['result']} | SQL {row['sql_result']} {row['note']}"
    )
