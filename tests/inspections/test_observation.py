"""Observation periods (执法观察期) for four-new enterprises: reminders, and expiry both ways, once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspections import services
from inspections.models import Finding, ObservationPeriod
from inspections.tasks import expire_observation_periods
from programs.models import AuditEntry, Notification
from programs.services import TransitionError
from tests.factories import EnterpriseFactory, enterprise_user

from .factories import InspectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(cast):
    cast.enterprise = EnterpriseFactory(is_four_new=True, contact_email="boss@example.cn")
    cast.boss = enterprise_user(cast.enterprise)
    return cast


def finding_for(cast):
    inspection = InspectionFactory(cast=cast)
    return services.finding_record(
        inspection=inspection,
        item=inspection.items.first(),
        severity=Finding.Severity.GENERAL,
        description="新业态备案材料不全",
        deadline=timezone.localdate() + timedelta(days=10),
        actor=cast.market_officer,
    )


def test_a_period_opens_for_10_to_60_days_with_reminders_before_the_end(cast):
    finding = finding_for(cast)
    for days in (9, 61):
        with pytest.raises(ValidationError):
            services.observation_open(finding=finding, days=days, actor=cast.market_officer)

    period = services.observation_open(finding=finding, days=30, actor=cast.market_officer)

    assert period.ends_on == timezone.localdate() + timedelta(days=30)
    finding.refresh_from_db()
    assert (finding.decision, finding.deadline) == (Finding.Decision.OBSERVATION, period.ends_on)
    reminders = Notification.objects.filter(dedupe_key__startswith=f"inspections:observation:{period.pk}:")
    assert sorted(reminders.values_list("channel", flat=True)) == ["email", "email", "in_app", "in_app"]
    assert {n.due_at.date() for n in reminders} == {
        period.ends_on - timedelta(days=7),
        period.ends_on - timedelta(days=1),
    }


def test_only_four_new_enterprises_get_an_observation_period(cast):
    cast.enterprise.is_four_new = False
    cast.enterprise.save()
    with pytest.raises(ValidationError):
        services.observation_open(finding=finding_for(cast), days=20, actor=cast.market_officer)


def expire_after(period):
    return services.observation_periods_expire(today=period.ends_on + timedelta(days=1))


def test_rectified_at_expiry_closes_without_penalty_and_a_second_run_does_nothing(cast):
    finding = finding_for(cast)
    period = services.observation_open(finding=finding, days=10, actor=cast.market_officer)
    services.finding_reinspect(finding=finding, actor=cast.market_officer, rectified=True)

    assert services.observation_periods_expire(today=period.ends_on) == {"closed_no_penalty": 0, "flagged": 0}
    assert expire_after(period) == {"closed_no_penalty": 1, "flagged": 0}
    assert expire_after(period) == {"closed_no_penalty": 0, "flagged": 0}

    period.refresh_from_db()
    finding.refresh_from_db()
    assert period.status == ObservationPeriod.Status.CLOSED_NO_PENALTY
    assert finding.decision == Finding.Decision.NO_PENALTY
    assert AuditEntry.objects.filter(content_type__model="observationperiod", field="status").count() == 1


def test_not_rectified_at_expiry_is_flagged_for_a_person_who_then_decides(cast):
    finding = finding_for(cast)
    period = services.observation_open(finding=finding, days=10, actor=cast.market_officer)

    assert expire_after(period) == {"closed_no_penalty": 0, "flagged": 1}
    assert expire_after(period) == {"closed_no_penalty": 0, "flagged": 0}
    period.refresh_from_db()
    finding.refresh_from_db()
    assert period.status == ObservationPeriod.Status.FLAGGED
    assert finding.decision == Finding.Decision.OBSERVATION  # a person decides, not the scheduler
    assert Notification.objects.filter(recipient=cast.market_officer, dedupe_key__endswith=":flagged").count() == 1

    with pytest.raises(TransitionError):
        services.observation_decide(period=period, penalty=True, actor=cast.market_officer, note="")
    services.observation_decide(period=period, penalty=True, actor=cast.market_officer, note="no effort made")
    finding.refresh_from_db()
    assert finding.decision == Finding.Decision.PENALTY


def test_the_scheduled_task_expires_due_periods(cast):
    finding = finding_for(cast)
    period = services.observation_open(finding=finding, days=10, actor=cast.market_officer)
    ObservationPeriod.objects.filter(pk=period.pk).update(ends_on=timezone.localdate() - timedelta(days=1))
    assert expire_observation_periods.delay().get() == {"closed_no_penalty": 0, "flagged": 1}
