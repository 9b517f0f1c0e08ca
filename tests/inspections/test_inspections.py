"""Week execution, inspection codes, transitions, checks on another department's behalf, findings, lenient
decisions, rectification and re-inspection."""

import itertools
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from inspections import services
from inspections.models import (
    Finding,
    Inspection,
    ItemCheck,
    LenientListEntry,
    PlanEntry,
)
from programs.models import AuditEntry
from programs.services import TransitionError
from tests.factories import EnterpriseFactory

from .factories import MONTH, InspectionFactory, ItemFactory, PlanEntryFactory, answered

pytestmark = pytest.mark.django_db


def planned(cast, month=MONTH):
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, month=month, actor=cast.market_officer)
    services.month_coordinate(region=cast.enterprise.region, month=month, actor=cast.coordinator)
    return Inspection.objects.get(month=month)


def monday_of(month):
    return month - timedelta(days=month.weekday())


def test_scheduling_gives_an_unguessable_unique_code(cast):
    codes = set()
    for n in range(30):
        enterprise = EnterpriseFactory(region=cast.enterprise.region)
        PlanEntryFactory(department=cast.market, enterprise=enterprise, actor=cast.market_officer)
    services.month_coordinate(region=cast.enterprise.region, month=MONTH, actor=cast.coordinator)
    for inspection in Inspection.objects.order_by("pk"):
        assert inspection.code is None
        scheduled = services.inspection_schedule(
            inspection=inspection, week_start=monday_of(MONTH), officers=[cast.market_officer], actor=cast.coordinator
        )
        assert len(scheduled.code) == services.CODE_LENGTH
        assert set(scheduled.code) <= set(services.CODE_ALPHABET)
        codes.add(scheduled.code)
    assert len(codes) == 30
    # Not sequential: consecutive inspections share no common prefix beyond chance.
    ordered = list(Inspection.objects.order_by("pk").values_list("code", flat=True))
    assert sum(a[:3] == b[:3] for a, b in itertools.pairwise(ordered)) <= 1


def test_a_week_must_start_on_a_monday_and_officers_belong_to_the_departments(cast):
    inspection = planned(cast)
    with pytest.raises(ValidationError) as caught:
        services.inspection_schedule(
            inspection=inspection,
            week_start=monday_of(MONTH) + timedelta(days=1),
            officers=[cast.fire_officer],
            actor=cast.coordinator,
        )
    assert set(caught.value.message_dict) == {"week_start", "officers"}


def test_the_code_is_shown_on_arrival_once_with_time_and_officer(cast):
    inspection = InspectionFactory(cast=cast)
    first_time = inspection.code_shown_at
    assert inspection.code_shown_by == cast.market_officer
    again = services.inspection_show_code(inspection=inspection, actor=cast.market_officer)
    assert again.code_shown_at == first_time


def test_another_department_s_officer_cannot_show_the_code_or_start(cast):
    inspection = planned(cast)
    inspection = services.inspection_schedule(
        inspection=inspection, week_start=monday_of(MONTH), officers=[cast.market_officer], actor=cast.coordinator
    )
    with pytest.raises(PermissionDenied):
        services.inspection_start(inspection=inspection, actor=cast.fire_officer)


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (Inspection.Status.PLANNED, "start"),
        (Inspection.Status.PLANNED, "complete"),
        (Inspection.Status.SCHEDULED, "complete"),
        (Inspection.Status.SCHEDULED, "schedule"),
        (Inspection.Status.COMPLETED, "start"),
        (Inspection.Status.COMPLETED, "cancel"),
        (Inspection.Status.CANCELLED, "schedule"),
        (Inspection.Status.CANCELLED, "start"),
        (Inspection.Status.IN_PROGRESS, "schedule"),
    ],
)
def test_illegal_inspection_transitions_are_refused(cast, status, move):
    inspection = planned(cast)
    Inspection.objects.filter(pk=inspection.pk).update(status=status)
    inspection.refresh_from_db()
    calls = {
        "start": lambda: services.inspection_start(inspection=inspection, actor=cast.market_officer),
        "complete": lambda: services.inspection_complete(inspection=inspection, actor=cast.market_officer),
        "cancel": lambda: services.inspection_cancel(inspection=inspection, actor=cast.coordinator, reason="x"),
        "schedule": lambda: services.inspection_schedule(
            inspection=inspection, week_start=monday_of(MONTH), officers=[cast.market_officer], actor=cast.coordinator
        ),
    }
    with pytest.raises(TransitionError):
        calls[move]()
    inspection.refresh_from_db()
    assert inspection.status == status


def test_every_inspection_transition_writes_an_audit_row(cast):
    inspection = InspectionFactory(cast=cast)
    answered(inspection, cast.market_officer)
    services.inspection_complete(inspection=inspection, actor=cast.market_officer, summary="all fine")
    moves = list(
        AuditEntry.objects.filter(object_id=inspection.pk, content_type__model="inspection", field="status")
        .order_by("id")
        .values_list("old_value", "new_value")
    )
    assert moves == [("planned", "scheduled"), ("scheduled", "in_progress"), ("in_progress", "completed")]


def test_a_department_of_simple_items_only_is_served_by_delegation_and_its_plan_counts(cast):
    simple_fire_item = ItemFactory(department=cast.fire, simple=True, name="灭火器是否在有效期")
    fire_entry = PlanEntryFactory(department=cast.fire, enterprise=cast.enterprise, items=[simple_fire_item])
    market_entry = PlanEntryFactory(department=cast.market, enterprise=cast.enterprise)
    services.month_coordinate(region=cast.enterprise.region, month=MONTH, actor=cast.coordinator)
    inspection = Inspection.objects.get()
    fire_entry.refresh_from_db()
    market_entry.refresh_from_db()

    assert (fire_entry.status, fire_entry.delegated) == (PlanEntry.Status.EXECUTED, True)
    assert market_entry.delegated is False
    assert list(inspection.departments.all()) == [cast.market]  # the fire brigade need not come
    assert inspection.is_joint  # one visit serves two departments' plans
    assert simple_fire_item in inspection.items.all()

    inspection = services.inspection_schedule(
        inspection=inspection, week_start=monday_of(MONTH), officers=[cast.market_officer], actor=cast.coordinator
    )
    inspection = services.inspection_start(inspection=inspection, actor=cast.market_officer)
    check = services.item_check_record(inspection=inspection, item=simple_fire_item, actor=cast.market_officer)
    assert (check.checked_by_department, check.on_behalf_of) == (cast.market, cast.fire)
    assert ItemCheck.objects.filter(on_behalf_of=cast.fire).count() == 1


def test_another_department_s_ordinary_item_cannot_be_checked_on_its_behalf(cast):
    ordinary_fire_item = ItemFactory(department=cast.fire, simple=False)
    inspection = InspectionFactory(cast=cast)
    inspection.items.add(ordinary_fire_item)
    with pytest.raises(ValidationError):
        services.item_check_record(inspection=inspection, item=ordinary_fire_item, actor=cast.market_officer)


def record(inspection, cast, *, item=None, severity=Finding.Severity.GENERAL, photos=()):
    item = item or inspection.items.first()
    return services.finding_record(
        inspection=inspection,
        item=item,
        severity=severity,
        description="电梯应急电话不畅通",
        deadline=timezone.localdate() + timedelta(days=15),
        actor=cast.market_officer,
        photos=photos,
    )


def test_a_finding_needs_the_inspection_in_progress(cast):
    inspection = planned(cast)
    with pytest.raises(TransitionError):
        record(inspection, cast, item=inspection.items.first())


def test_a_finding_keeps_its_photos_and_marks_the_item_not_compliant(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inspection = InspectionFactory(cast=cast)
    photo = SimpleUploadedFile("scene.jpg", b"\xff\xd8\xff\xe0jpeg", content_type="image/jpeg")
    finding = record(inspection, cast, photos=[photo])
    assert finding.photos.count() == 1
    assert ItemCheck.objects.get(inspection=inspection, item=finding.item).result == ItemCheck.Result.NON_COMPLIANT


def test_a_first_violation_of_a_listed_item_is_proposed_as_no_penalty(cast):
    item = ItemFactory(department=cast.market)
    listed = LenientListEntry.objects.create(item=item, kind=LenientListEntry.Kind.FIRST_VIOLATION, lookback_days=365)
    inspection = InspectionFactory(cast=cast, items=[item])
    finding = record(inspection, cast, item=item)
    assert (finding.lenient_proposed, finding.lenient_entry) == (True, listed)


def test_an_earlier_violation_within_the_window_means_no_proposal(cast):
    item = ItemFactory(department=cast.market)
    LenientListEntry.objects.create(item=item, kind=LenientListEntry.Kind.FIRST_VIOLATION, lookback_days=365)
    earlier_inspection = InspectionFactory(cast=cast, items=[item], month=MONTH)
    earlier = record(earlier_inspection, cast, item=item)
    Finding.objects.filter(pk=earlier.pk).update(recorded_at=timezone.now() - timedelta(days=100))
    inspection = InspectionFactory(cast=cast, items=[item])
    finding = record(inspection, cast, item=item)
    assert (finding.lenient_proposed, finding.lenient_entry) == (False, None)


def test_a_violation_older_than_the_window_does_not_count(cast):
    item = ItemFactory(department=cast.market)
    LenientListEntry.objects.create(item=item, kind=LenientListEntry.Kind.FIRST_VIOLATION, lookback_days=365)
    earlier_inspection = InspectionFactory(cast=cast, items=[item], month=MONTH)
    earlier = record(earlier_inspection, cast, item=item)
    Finding.objects.filter(pk=earlier.pk).update(recorded_at=timezone.now() - timedelta(days=400))
    finding = record(InspectionFactory(cast=cast, items=[item]), cast, item=item)
    assert finding.lenient_proposed


def test_an_unlisted_item_is_never_proposed(cast):
    finding = record(InspectionFactory(cast=cast), cast)
    assert finding.lenient_proposed is False


def test_the_officer_s_decision_is_recorded_either_way(cast):
    item = ItemFactory(department=cast.market)
    LenientListEntry.objects.create(item=item, kind=LenientListEntry.Kind.MINOR_VIOLATION)
    inspection = InspectionFactory(cast=cast, items=[item])
    proposed = record(inspection, cast, item=item)
    with pytest.raises(ValidationError):
        services.finding_decide(finding=proposed, decision=Finding.Decision.PENALTY, actor=cast.market_officer)
    decided = services.finding_decide(
        finding=proposed,
        decision=Finding.Decision.PENALTY,
        note="repeated in the same visit",
        actor=cast.market_officer,
    )
    assert (decided.decision, decided.decided_by) == (Finding.Decision.PENALTY, cast.market_officer)
    followed = services.finding_decide(
        finding=record(inspection, cast, item=item),
        decision=Finding.Decision.NO_PENALTY,
        actor=cast.market_officer,
    )
    assert followed.decision == Finding.Decision.NO_PENALTY
    with pytest.raises(TransitionError):
        services.finding_decide(
            finding=followed, decision=Finding.Decision.PENALTY, note="x", actor=cast.market_officer
        )


def test_rectification_evidence_then_a_verifying_reinspection_closes_the_finding(cast, settings, tmp_path):
    from tests.factories import enterprise_user

    settings.MEDIA_ROOT = tmp_path
    finding = record(InspectionFactory(cast=cast), cast)
    boss = enterprise_user(cast.enterprise)
    services.evidence_submit(
        finding=finding,
        actor=boss,
        note="已更换应急电话线路",
        file=SimpleUploadedFile("fixed.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.EVIDENCE_SUBMITTED

    services.finding_reinspect(finding=finding, actor=cast.market_officer, rectified=False, note="still broken")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN

    services.finding_reinspect(finding=finding, actor=cast.market_officer, rectified=True)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RECTIFIED
    assert finding.rectified_at is not None
    with pytest.raises(TransitionError):
        services.finding_reinspect(finding=finding, actor=cast.market_officer, rectified=True)


def test_another_enterprise_cannot_submit_evidence(cast):
    from tests.factories import enterprise_user

    finding = record(InspectionFactory(cast=cast), cast)
    with pytest.raises(PermissionDenied):
        services.evidence_submit(finding=finding, actor=enterprise_user(), note="not mine")


def test_overdue_findings_are_visible(cast):
    from inspections import selectors

    finding = record(InspectionFactory(cast=cast), cast)
    Finding.objects.filter(pk=finding.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    finding.refresh_from_db()
    assert finding.is_overdue
    assert list(selectors.overdue(selectors.finding_list(user=cast.market_officer))) == [finding]


def test_a_closed_finding_takes_no_more_evidence_or_decisions_out_of_order(cast):
    from tests.factories import enterprise_user

    finding = record(InspectionFactory(cast=cast), cast)
    services.finding_reinspect(finding=finding, actor=cast.market_officer, rectified=True)
    with pytest.raises(TransitionError):
        services.evidence_submit(finding=finding, actor=enterprise_user(cast.enterprise), note="late")
    with pytest.raises(ValidationError):
        services.finding_decide(finding=finding, decision=Finding.Decision.OBSERVATION, actor=cast.market_officer)
    finding.refresh_from_db()
    assert (finding.status, finding.decision) == (Finding.Status.RECTIFIED, Finding.Decision.UNDECIDED)
