"""The four-colour grade: derived from findings in the same transaction, historied with its cause, reconciled
by a set-based sweep, and driving who is due for inspection."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspections import grades, services
from inspections.models import Finding, GradeChange, GradePolicy, Inspection
from inspections.tasks import reconcile_grades
from programs.models import AuditEntry, Enterprise, Grade
from tests.conftest import failures, released_together
from tests.factories import EnterpriseFactory

from .factories import InspectionFactory, ItemFactory, answered

pytestmark = pytest.mark.django_db


def find(inspection, cast, severity, *, item=None, deadline=None):
    return services.finding_record(
        inspection=inspection,
        item=item or inspection.items.first(),
        severity=severity,
        description="问题",
        deadline=deadline or timezone.localdate() + timedelta(days=10),
        actor=cast.market_officer,
    )


def grade_of(enterprise):
    enterprise.refresh_from_db()
    return enterprise.grade


def test_an_enterprise_never_inspected_is_gray(cast):
    assert grade_of(cast.enterprise) == Grade.GRAY


def test_a_completed_inspection_without_findings_turns_gray_to_green(cast):
    inspection = InspectionFactory(cast=cast)
    assert grade_of(cast.enterprise) == Grade.GRAY  # not inspected until it is completed
    services.inspection_complete(inspection=answered(inspection, cast.market_officer), actor=cast.market_officer)
    assert grade_of(cast.enterprise) == Grade.GREEN
    change = GradeChange.objects.get()
    assert (change.old_grade, change.new_grade, change.cause, change.inspection) == (
        "gray",
        "green",
        "inspection",
        inspection,
    )


def test_a_general_issue_makes_it_yellow_and_a_major_hazard_red_at_once(cast):
    inspection = InspectionFactory(cast=cast)
    general = find(inspection, cast, Finding.Severity.GENERAL)
    assert grade_of(cast.enterprise) == Grade.YELLOW
    major = find(inspection, cast, Finding.Severity.MAJOR)
    assert grade_of(cast.enterprise) == Grade.RED
    causes = list(GradeChange.objects.order_by("id").values_list("old_grade", "new_grade", "cause", "finding"))
    assert causes == [("gray", "yellow", "finding", general.pk), ("yellow", "red", "finding", major.pk)]


def test_red_turns_yellow_then_green_as_re_inspections_verify_rectification(cast):
    inspection = InspectionFactory(cast=cast)
    general = find(inspection, cast, Finding.Severity.GENERAL)
    major = find(inspection, cast, Finding.Severity.MAJOR)
    services.inspection_complete(inspection=inspection, actor=cast.market_officer)
    assert grade_of(cast.enterprise) == Grade.RED

    services.finding_reinspect(finding=major, actor=cast.market_officer, rectified=True)
    assert grade_of(cast.enterprise) == Grade.YELLOW
    services.finding_reinspect(finding=general, actor=cast.market_officer, rectified=False)
    assert grade_of(cast.enterprise) == Grade.YELLOW
    services.finding_reinspect(finding=general, actor=cast.market_officer, rectified=True)
    assert grade_of(cast.enterprise) == Grade.GREEN

    history = list(GradeChange.objects.order_by("id").values_list("old_grade", "new_grade", "cause", "actor"))
    officer = cast.market_officer.pk
    assert history == [
        ("gray", "yellow", "finding", officer),
        ("yellow", "red", "finding", officer),
        ("red", "yellow", "reinspection", officer),
        ("yellow", "green", "reinspection", officer),
    ]
    audit = AuditEntry.objects.filter(content_type__model="enterprise", field="grade", object_id=cast.enterprise.pk)
    assert audit.count() == 4


def test_a_rectified_yellow_enterprise_turns_green(cast):
    inspection = InspectionFactory(cast=cast)
    finding = find(inspection, cast, Finding.Severity.GENERAL)
    services.inspection_complete(inspection=inspection, actor=cast.market_officer)
    services.finding_reinspect(finding=finding, actor=cast.market_officer, rectified=True)
    assert grade_of(cast.enterprise) == Grade.GREEN
    assert cast.enterprise.grade_changed_at is not None


def test_guidance_visits_and_their_risks_never_touch_the_grade(cast):
    from guidance.models import Risk
    from tests.guidance.factories import BookingFactory, SlotFactory

    booking = BookingFactory(
        slot=SlotFactory(region=cast.enterprise.region.parent.parent),
        business_name=cast.enterprise.name,
        credit_code=cast.enterprise.credit_code,
        not_registered=False,
    )
    Risk.objects.create(booking=booking, description="重大隐患：消防通道堵塞", recorded_by=cast.market_officer)
    grades.grade_recompute(enterprise_id=cast.enterprise.pk, actor=None, cause=GradeChange.Cause.SWEEP)
    grades.grades_reconcile()
    assert grade_of(cast.enterprise) == Grade.GRAY
    assert not GradeChange.objects.exists()


def _stale_findings(enterprises, cast, *, severity, deadline=None):
    """Findings written straight to the table, as if the stored grade had drifted: the sweep's job."""
    inspection = Inspection.objects.create(
        enterprise=enterprises[0], month=date(2024, 6, 1), lead_department=cast.market
    )
    item = ItemFactory(department=cast.market)
    Finding.objects.bulk_create(
        Finding(
            inspection=inspection,
            enterprise=enterprise,
            region_code=enterprise.region.code,  # bulk_create skips the save() that stores it
            item=item,
            severity=severity,
            description="x",
            deadline=deadline or timezone.localdate() + timedelta(days=5),
            recorded_by=cast.market_officer,
        )
        for enterprise in enterprises
    )


def test_an_overdue_general_issue_escalates_to_red_after_the_grace_period(cast):
    grace = GradePolicy.objects.get(grade=Grade.YELLOW).escalation_grace_days
    inspection = InspectionFactory(cast=cast)
    finding = find(inspection, cast, Finding.Severity.GENERAL)
    Finding.objects.filter(pk=finding.pk).update(deadline=timezone.localdate() - timedelta(days=grace))
    assert grades.grades_reconcile() == {"red": 0, "yellow": 0, "green": 0, "gray": 0}
    assert grade_of(cast.enterprise) == Grade.YELLOW  # overdue, but still within the grace period

    Finding.objects.filter(pk=finding.pk).update(deadline=timezone.localdate() - timedelta(days=grace + 1))
    assert grades.grades_reconcile()["red"] == 1
    assert grade_of(cast.enterprise) == Grade.RED
    change = GradeChange.objects.latest("id")
    assert (change.old_grade, change.new_grade, change.cause, change.actor) == ("yellow", "red", "sweep", None)


def test_escalation_can_be_switched_off_by_the_policy(cast):
    GradePolicy.objects.filter(grade=Grade.YELLOW).update(escalation_grace_days=None)
    _stale_findings([cast.enterprise], cast, severity=Finding.Severity.GENERAL, deadline=date(2020, 1, 1))
    grades.grades_reconcile()
    assert grade_of(cast.enterprise) == Grade.YELLOW


def test_the_sweep_reconciles_drifted_grades_and_a_second_run_changes_nothing(cast):
    reds, yellows = EnterpriseFactory.create_batch(3), EnterpriseFactory.create_batch(2)
    _stale_findings(reds, cast, severity=Finding.Severity.MAJOR)
    _stale_findings(yellows, cast, severity=Finding.Severity.GENERAL)
    stale_green = EnterpriseFactory(grade=Grade.GREEN)  # green without any inspection: really gray

    assert reconcile_grades.delay().get() == {"red": 3, "yellow": 2, "green": 0, "gray": 1}
    assert grades.grades_reconcile() == {"red": 0, "yellow": 0, "green": 0, "gray": 0}

    assert {grade_of(e) for e in reds} == {Grade.RED}
    assert grade_of(stale_green) == Grade.GRAY
    assert GradeChange.objects.filter(cause="sweep").count() == 6
    assert AuditEntry.objects.filter(field="grade", actor_label="scheduler").count() == 6


def test_the_sweep_s_statement_count_does_not_grow_with_the_enterprises(cast):
    def statements(n):
        enterprises = EnterpriseFactory.create_batch(n)
        _stale_findings(enterprises, cast, severity=Finding.Severity.GENERAL)
        EnterpriseFactory.create_batch(n)  # and as many that are already right
        with CaptureQueriesContext(connection) as captured:
            grades.grades_reconcile()
        return len(captured.captured_queries)

    assert statements(3) == statements(40)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_sweeps_have_one_effect(cast):
    enterprises = EnterpriseFactory.create_batch(30)
    _stale_findings(enterprises, cast, severity=Finding.Severity.MAJOR)
    results = released_together([grades.grades_reconcile] * 2)

    assert not failures(results)
    assert sorted(r["red"] for r in results) == [0, 30]
    assert GradeChange.objects.count() == 30
    assert Enterprise.objects.filter(pk__in=[e.pk for e in enterprises], grade=Grade.RED).count() == 30


def test_the_due_list_follows_the_policy_per_colour(cast):
    today = date(2026, 6, 15)
    at = lambda day: timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))  # noqa: E731

    def inspected(enterprise, grade, days_ago):
        Inspection.objects.create(
            enterprise=enterprise,
            month=today.replace(day=1),
            lead_department=cast.market,
            status=Inspection.Status.COMPLETED,
            completed_at=at(today - timedelta(days=days_ago)) + timedelta(hours=10),
        )
        Enterprise.objects.filter(pk=enterprise.pk).update(grade=grade)

    red_due, red_recent = EnterpriseFactory(), EnterpriseFactory()
    inspected(red_due, Grade.RED, 31)
    inspected(red_recent, Grade.RED, 10)
    yellow_due = EnterpriseFactory()
    inspected(yellow_due, Grade.YELLOW, 95)
    gray_old = EnterpriseFactory(created_at=at(today - timedelta(days=120)))
    EnterpriseFactory(created_at=at(today - timedelta(days=5)))  # gray, registered 5 days ago: not due yet
    GradePolicy.objects.filter(grade=Grade.GREEN).update(sampling_percent=100)
    green_due, green_recent = EnterpriseFactory(), EnterpriseFactory()
    inspected(green_due, Grade.GREEN, 400)
    inspected(green_recent, Grade.GREEN, 100)

    cast_of_this_test = Enterprise.objects.exclude(pk=cast.enterprise.pk)
    due = grades.enterprises_due(queryset=cast_of_this_test, on=today)
    assert set(due.values_list("pk", flat=True)) == {red_due.pk, yellow_due.pk, gray_old.pk, green_due.pk}

    GradePolicy.objects.filter(grade=Grade.GREEN).update(sampling_percent=0)
    due = grades.enterprises_due(queryset=cast_of_this_test, on=today)
    assert set(due.values_list("pk", flat=True)) == {red_due.pk, yellow_due.pk, gray_old.pk}


def test_the_green_sample_takes_about_the_policy_s_share(cast):
    enterprises = EnterpriseFactory.create_batch(200, grade=Grade.GREEN)
    sampled = grades.enterprises_due(
        queryset=Enterprise.objects.filter(pk__in=[e.pk for e in enterprises]), on=date(2026, 6, 1)
    ).count()
    assert 20 <= sampled <= 60  # 20 % of 200, give or take the spread


def test_the_coordinator_edits_the_policy_and_the_change_is_audited(cast, api_as):
    policy = GradePolicy.objects.get(grade=Grade.GREEN)
    answer = api_as(cast.coordinator).patch(f"/api/v1/grade-policies/{policy.pk}/", {"sampling_percent": 30})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["sampling_percent"] == 30
    assert AuditEntry.objects.filter(field="sampling_percent", old_value="20", new_value="30").exists()
    assert (
        api_as(cast.market_officer).patch(f"/api/v1/grade-policies/{policy.pk}/", {"sampling_percent": 1}).status_code
        == 403
    )


def test_grade_indicators_count_colours_green_rate_and_conversions(cast):
    greens = EnterpriseFactory.create_batch(13, grade=Grade.GREEN)
    EnterpriseFactory(grade=Grade.YELLOW)
    EnterpriseFactory(grade=Grade.GRAY)
    GradeChange.objects.create(enterprise=greens[0], old_grade="yellow", new_grade="green", cause="reinspection")
    from inspections import selectors

    today = timezone.localdate()
    figures = selectors.grade_indicators(user=cast.coordinator, start=today - timedelta(days=30), end=today)
    assert figures["enterprises"]["graded"] == 14
    assert figures["green_rate"] == 92.9
    assert figures["conversions"] == [{"from": "yellow", "to": "green", "count": 1}]
    town = {row["region"]: row for row in figures["map"]}["330212001000"]
    assert town["green"] == 13
