"""Observation periods (执法观察期): 10–60 days for a four-new enterprise to rectify a finding without penalty,
with reminders before the end; at expiry closed without penalty or flagged for a person to decide."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Enterprise, Notification, User
from programs.notify import notify_enterprise
from programs.services import audit_record, bulk_transition, notification_schedule, transition

from ..models import FINDING_DECISION_MOVES, OBSERVATION_MOVES, Finding, ObservationPeriod
from ._common import require_inspection_officer

OBSERVATION_REMINDER_DAYS = (7, 1)


def _observation_key(period: ObservationPeriod) -> str:
    return f"inspections:observation:{period.pk}:"


def observation_open(*, finding: Finding, days: int, actor: User) -> ObservationPeriod:
    """Open a 10–60 day observation period (执法观察期) for a four-new enterprise's finding, with reminders."""
    require_inspection_officer(finding.inspection, actor)
    if not finding.enterprise.is_four_new:
        raise ValidationError(_("Observation periods are for four-new enterprises."))
    if not 10 <= days <= 60:
        raise ValidationError({"days": _("An observation period lasts 10 to 60 days.")})
    today = timezone.localdate()
    with transaction.atomic():
        transition(
            instance=finding,
            to=Finding.Decision.OBSERVATION,
            actor=actor,
            allowed=FINDING_DECISION_MOVES,
            field="decision",
            changes={"decided_by": actor, "decided_at": timezone.now()},
        )
        period = ObservationPeriod.objects.create(
            finding=finding, starts_on=today, ends_on=today + timedelta(days=days), days=days, opened_by=actor
        )
        Finding.objects.filter(pk=finding.pk).update(deadline=period.ends_on)
        audit_record(obj=period, field="created", old="", new=period.status, actor=actor)
        _remind_the_enterprise(period, finding.enterprise)
    return period


def _remind_the_enterprise(period: ObservationPeriod, enterprise: Enterprise) -> None:
    end = timezone.make_aware(datetime.combine(period.ends_on, time(9)))
    subject = _("Observation period ends on %(date)s") % {"date": period.ends_on}
    body = _(
        "Please finish rectifying “%(finding)s” and submit the evidence before %(date)s; "
        "rectified in time, no penalty is imposed."
    ) % {"finding": period.finding.description[:100], "date": period.ends_on}
    for days in OBSERVATION_REMINDER_DAYS:
        notify_enterprise(
            enterprise_id=enterprise.pk,
            key=f"{_observation_key(period)}reminder-{days}d",
            subject=subject,
            body=body,
            due_at=max(end - timedelta(days=days), timezone.now()),
            email=enterprise.contact_email,
        )


def observation_periods_expire(*, today: date | None = None) -> dict[str, int]:
    """At expiry: rectified → closed without penalty; not rectified → flagged for a person to decide, who is
    told. Two bulk transitions: a second or concurrent run finds nothing left to move."""
    today = today or timezone.localdate()
    now = timezone.now()
    due = ObservationPeriod.objects.filter(status=ObservationPeriod.Status.OPEN, ends_on__lt=today)
    rectified = Q(finding__status=Finding.Status.RECTIFIED)

    def no_penalty_for_their_findings(period_ids: list[int]) -> None:
        bulk_transition(
            Finding.objects.filter(observation_period__in=period_ids, decision=Finding.Decision.OBSERVATION),
            field="decision",
            to=Finding.Decision.NO_PENALTY,
            reason=_("Rectified within the observation period."),
            now=now,
            changes={"decided_at": now, "decision_note": _("Rectified within the period.")},
        )

    closed = bulk_transition(
        due.filter(rectified),
        to=ObservationPeriod.Status.CLOSED_NO_PENALTY,
        reason=_("Rectified within the observation period."),
        now=now,
        changes={"closed_at": now},
        after=no_penalty_for_their_findings,
    )
    flagged = bulk_transition(
        due.exclude(rectified),
        to=ObservationPeriod.Status.FLAGGED,
        reason=_("Not rectified by the end of the observation period."),
        now=now,
        after=_tell_the_officers_who_opened,
    )
    return {"closed_no_penalty": len(closed), "flagged": len(flagged)}


def _tell_the_officers_who_opened(period_ids: list[int]) -> None:
    for period in ObservationPeriod.objects.filter(pk__in=period_ids).select_related("opened_by").order_by("pk"):
        notification_schedule(
            dedupe_key=f"{_observation_key(period)}flagged",
            channel=Notification.Channel.IN_APP,
            recipient=period.opened_by,
            subject=_("Observation period ended without rectification"),
            body=_("Decide whether the normal procedure applies to finding #%(id)s.") % {"id": period.finding_id},
        )


def observation_decide(*, period: ObservationPeriod, penalty: bool, actor: User, note: str) -> ObservationPeriod:
    """A person decides a flagged period: back to the normal procedure (penalty) or no penalty after all."""
    require_inspection_officer(period.finding.inspection, actor)
    with transaction.atomic():
        period = transition(
            instance=period,
            to=ObservationPeriod.Status.DECIDED,
            actor=actor,
            allowed=OBSERVATION_MOVES,
            reason=note,
            reason_required=True,
            changes={"closed_at": timezone.now()},
        )
        transition(
            instance=period.finding,
            to=Finding.Decision.PENALTY if penalty else Finding.Decision.NO_PENALTY,
            actor=actor,
            allowed=FINDING_DECISION_MOVES,
            field="decision",
            reason=note,
            changes={"decision_note": note, "decided_by": actor, "decided_at": timezone.now()},
        )
    return period
