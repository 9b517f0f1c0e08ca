"""The four-colour grade (四色检查法): derived from findings, kept with its history, driving who is inspected.

gray = never inspected; red = an open major hazard (or a general issue overdue past the policy's grace);
yellow = an open general issue; green = inspected, nothing open. The same expressions decide the grade for
one enterprise (in the transaction that changed its findings) and for the whole table (the sweep), so the two
never disagree. Guidance visits live in another app and are never read here.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Mod
from django.utils import timezone

from programs.models import Enterprise, Grade, User
from programs.services import SCHEDULER, audit_bulk

from .models import Finding, GradeChange, GradePolicy, Inspection

CHUNK = 5000
DEFAULT_POLICY = {
    Grade.RED: (30, 100, None),
    Grade.YELLOW: (90, 100, 15),
    Grade.GREEN: (365, 20, None),
    Grade.GRAY: (90, 100, None),
}


def policies() -> dict[str, GradePolicy]:
    """The policy row of every colour (the defaults where a row is missing)."""
    rows = {p.grade: p for p in GradePolicy.objects.all()}
    for grade, (frequency, sampling, grace) in DEFAULT_POLICY.items():
        rows.setdefault(
            grade,
            GradePolicy(grade=grade, frequency_days=frequency, sampling_percent=sampling, escalation_grace_days=grace),
        )
    return rows


def grade_policies_ensure() -> None:
    """Create the policy row of any colour that has none (the migration makes them; a flushed database not)."""
    for grade, (frequency, sampling, grace) in DEFAULT_POLICY.items():
        GradePolicy.objects.get_or_create(
            grade=grade,
            defaults={"frequency_days": frequency, "sampling_percent": sampling, "escalation_grace_days": grace},
        )


# --- The rule, as queryset expressions ----------------------------------------------------------------


def _open_findings():
    return Finding.objects.filter(enterprise=OuterRef("pk")).exclude(status=Finding.Status.RECTIFIED)


def _conditions(today: date) -> dict[str, Q]:
    """For each colour, the condition under which an enterprise should have it (evaluated in the database)."""
    grace = policies()[Grade.YELLOW].escalation_grace_days
    red = Q(severity=Finding.Severity.MAJOR)
    if grace is not None:
        red |= Q(severity=Finding.Severity.GENERAL, deadline__lt=today - timedelta(days=grace))
    has_red = Exists(_open_findings().filter(red))
    has_open = Exists(_open_findings())
    inspected = Exists(Inspection.objects.filter(enterprise=OuterRef("pk"), status=Inspection.Status.COMPLETED))
    return {
        Grade.RED: Q(has_red),
        Grade.YELLOW: Q(has_open) & ~Q(has_red),
        Grade.GREEN: ~Q(has_open) & Q(inspected),
        Grade.GRAY: ~Q(has_open) & ~Q(inspected),
    }


def annotate_target_grade(queryset: QuerySet, *, today: date | None = None) -> QuerySet:
    conditions = _conditions(today or timezone.localdate())
    return queryset.annotate(
        target_grade=Case(*(When(condition, then=Value(grade)) for grade, condition in conditions.items()))
    )


def _write_changes(rows, *, new: str, cause: str, actor: User | None, reason: str, now, inspection=None, finding=None):
    """The history of a set of changes: a GradeChange and an audit row each, in bulk."""
    rows = list(rows)
    GradeChange.objects.bulk_create(
        [
            GradeChange(
                enterprise_id=pk,
                old_grade=old,
                new_grade=new,
                cause=cause,
                inspection=inspection,
                finding=finding,
                actor=actor,
                reason=reason,
                changed_at=now,
            )
            for pk, old in rows
        ],
        batch_size=CHUNK,
    )
    audit_bulk(model=Enterprise, changes=rows, new=new, field="grade", actor=actor, reason=reason, at=now)


# --- One enterprise, in the transaction that changed its findings ---------------------------------------


def grade_recompute(
    *,
    enterprise_id: int,
    actor: User | None,
    cause: str,
    inspection: Inspection | None = None,
    finding: Finding | None = None,
    reason: str = "",
) -> str:
    """Bring one enterprise's grade in line with its findings; returns the grade. Locks the enterprise row."""
    now = timezone.now()
    with transaction.atomic():
        current = Enterprise.objects.select_for_update().values_list("grade", flat=True).get(pk=enterprise_id)
        target = annotate_target_grade(Enterprise.objects.filter(pk=enterprise_id)).values_list(
            "target_grade", flat=True
        )[0]
        if target != current:
            Enterprise.objects.filter(pk=enterprise_id).update(grade=target, grade_changed_at=now)
            _write_changes(
                [(enterprise_id, current)],
                new=target,
                cause=cause,
                actor=actor,
                reason=reason,
                now=now,
                inspection=inspection,
                finding=finding,
            )
    return target


# --- The sweep: the whole table, set-based ---------------------------------------------------------------


def grades_reconcile(*, today: date | None = None, queryset: QuerySet | None = None) -> dict[str, int]:
    """Reconcile every stored grade with its findings and the time-based policy (escalation of overdue
    rectification). Per colour, the rows whose grade must become that colour are selected and locked, changed,
    and their history written: on PostgreSQL one statement per colour (a locking SELECT, the UPDATE and the two
    history INSERTs as data-modifying CTEs); elsewhere one locking SELECT and chunked UPDATE / INSERTs of the
    changed rows only. The statement count does not grow with the table. The condition ``grade <> colour`` is
    re-checked under the row lock, so an overlapping sweep finds nothing left to change, and a second run
    changes nothing. Returns the number of enterprises moved to each colour.
    """
    today = today or timezone.localdate()
    base = queryset if queryset is not None else Enterprise.objects.all()
    conditions = _conditions(today)
    content_type = ContentType.objects.get_for_model(Enterprise)
    moved = {}
    for grade, condition in conditions.items():
        now = timezone.now()
        with transaction.atomic():
            changing = (
                base.filter(condition)
                .exclude(grade=grade)
                .select_for_update(of=("self",))
                .order_by("pk")
                .values_list("id", "grade")
            )
            if connection.vendor == "postgresql":
                moved[grade] = _move_in_one_statement(changing, grade=grade, now=now, content_type=content_type)
            else:
                moved[grade] = _move_in_chunks(changing, grade=grade, now=now)
    return {str(grade): count for grade, count in moved.items()}


def _move_in_one_statement(changing: QuerySet, *, grade: str, now, content_type: ContentType) -> int:
    select, params = changing.query.sql_with_params()
    # The SELECT is compiled by the ORM; every value is a parameter.
    sql = f"""
        WITH target AS ({select}),
        changed AS (
            UPDATE programs_enterprise e SET grade = %s, grade_changed_at = %s
            FROM target t WHERE e.id = t.id
            RETURNING e.id, t.grade AS old
        ),
        history AS (
            INSERT INTO inspections_gradechange (enterprise_id, old_grade, new_grade, cause, reason, changed_at)
            SELECT id, old, %s, %s, '', %s FROM changed
        )
        INSERT INTO programs_auditentry (content_type_id, object_id, field, action, old_value, new_value, data,
                                         actor_id, actor_label, reason, created_at)
        SELECT %s, id, 'grade', '', old, %s, '{{}}', NULL, %s, '', %s FROM changed
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [*params, grade, now, grade, GradeChange.Cause.SWEEP, now, content_type.pk, grade, SCHEDULER, now],
        )
        return cursor.rowcount


def _move_in_chunks(changing: QuerySet, *, grade: str, now) -> int:
    rows = list(changing)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        Enterprise.objects.filter(pk__in=[pk for pk, _old in chunk]).update(grade=grade, grade_changed_at=now)
        _write_changes(chunk, new=grade, cause=GradeChange.Cause.SWEEP, actor=None, reason="", now=now)
    return len(rows)


# --- Who is due for inspection, and who is left alone ---------------------------------------------------


def _period_number(on: date) -> int:
    return on.year * 12 + on.month


def _start_of_day(day: date):
    return timezone.make_aware(datetime.combine(day, time.min))


def annotate_due(queryset: QuerySet, *, on: date) -> QuerySet:
    """Annotate ``last_inspected_at`` (the last completed inspection) and ``sample_bucket`` (0–99)."""
    last = (
        Inspection.objects.filter(enterprise=OuterRef("pk"), status=Inspection.Status.COMPLETED)
        .order_by("-completed_at")
        .values("completed_at")[:1]
    )
    # A stable, spread-out sample that rotates each month: the same greens are not picked every time.
    bucket = Mod(F("pk") * 7919 + Value(_period_number(on) * 104729), Value(100), output_field=IntegerField())
    return queryset.annotate(last_inspected_at=Subquery(last), sample_bucket=bucket)


def due_condition(*, on: date) -> Q:
    """Due by ``on``: the colour's interval since the last inspection has run out (a red or yellow never
    inspected is due at once, a gray when its first-inspection period ends) and it is in the period's sample."""
    rules = policies()
    condition = Q(pk__in=[])
    for grade, rule in rules.items():
        cutoff = _start_of_day(on - timedelta(days=rule.frequency_days) + timedelta(days=1))
        if grade == Grade.GRAY:
            when = Q(created_at__lt=cutoff)
        else:
            when = Q(last_inspected_at__lt=cutoff) | Q(last_inspected_at__isnull=True)
        condition |= Q(grade=grade, sample_bucket__lt=rule.sampling_percent) & when
    return condition


def next_due_on(enterprise: Enterprise, last_inspected_at, rules: dict[str, GradePolicy]) -> date | None:
    rule = rules[enterprise.grade]
    start = enterprise.created_at if enterprise.grade == Grade.GRAY else last_inspected_at
    if start is None:
        return None
    return timezone.localdate(start) + timedelta(days=rule.frequency_days)


def enterprises_due(*, queryset: QuerySet, on: date) -> QuerySet:
    """Enterprises due for inspection by ``on`` under the grade policy, the longest-waiting first."""
    return (
        annotate_due(queryset, on=on)
        .filter(due_condition(on=on))
        .order_by(F("last_inspected_at").asc(nulls_first=True), "pk")
    )


def left_alone_ids(*, enterprise_ids, month: date) -> set[int]:
    """The enterprises that the grade policy says to leave alone (无事不扰) in ``month``: green, and either not
    due by the month's end or not in this period's sample. Other colours are never left alone."""
    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    green = Enterprise.objects.filter(pk__in=list(enterprise_ids), grade=Grade.GREEN)
    due = set(enterprises_due(queryset=green, on=last_day).values_list("pk", flat=True))
    return set(green.values_list("pk", flat=True)) - due
