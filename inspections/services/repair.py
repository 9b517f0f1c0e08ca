"""Credit repair (信用修复): the enterprise applies once its penalty is fulfilled and the kind's minimum disclosure
period has passed; the department approves (the record is repaired) or refuses with a reason, by a deadline that a
periodic sweep reminds of and escalates, once each."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Department, Region, User
from programs.notify import notify_enterprise, notify_user
from programs.services import TransitionError, audit_record, bulk_transition, transition
from programs.uploads import EVIDENCE, check_upload

from ..models import REPAIR_MOVES, PenaltyCase, RepairApplication, RepairEvidence, RepairRule
from ._common import is_officer_of

REMIND_BEFORE = timedelta(hours=24)  # the reviewers are reminded a day before the deadline
FULFILLED = (PenaltyCase.Status.FULFILLED, PenaltyCase.Status.CLOSED)


class RepairState:
    """Where a penalty's credit repair stands, as the enterprise reads it."""

    NONE = "none"  # not a decided penalty (yet), or no rule for its kind
    NOT_FULFILLED = "not_fulfilled"  # decided: fulfil it first
    WAITING = "waiting"  # fulfilled; the minimum disclosure period has not passed
    OPEN = "open"  # may apply (again, after a refusal)
    SUBMITTED = "submitted"
    REPAIRED = "repaired"


@dataclass(frozen=True)
class Repair:
    case: PenaltyCase
    state: str
    rule: RepairRule | None
    eligible_on: date | None
    application: RepairApplication | None  # the latest one

    @property
    def can_apply(self) -> bool:
        return self.state == RepairState.OPEN


def repair_rule_for(case: PenaltyCase, *, rules: Iterable[RepairRule] | None = None) -> RepairRule | None:
    """The rule of the case's kind of penalty: a fine takes the rule with the highest threshold it reaches.
    ``rules``: the active rules, read once for a list of cases."""
    if rules is None:
        rules = RepairRule.objects.filter(is_active=True, penalty_kind=case.penalty_kind)
    fits = [
        rule
        for rule in rules
        if rule.penalty_kind == case.penalty_kind
        and (case.penalty_kind != PenaltyCase.PenaltyKind.FINE or rule.fine_from <= case.fine_amount)
    ]
    return max(fits, key=lambda rule: rule.fine_from, default=None)


def repair_eligible_on(case: PenaltyCase, rule: RepairRule | None) -> date | None:
    """The first day an application may be made: the decision's day plus the minimum disclosure period, and not
    before the penalty is fulfilled."""
    if rule is None or case.decided_at is None:
        return None
    eligible = timezone.localdate(case.decided_at) + timedelta(days=rule.min_disclosure_days)
    if case.fulfilled_at is not None:
        eligible = max(eligible, timezone.localdate(case.fulfilled_at))
    return eligible


def repair_state(case: PenaltyCase, *, today: date | None = None, rules: Iterable[RepairRule] | None = None) -> Repair:
    """Where the case's repair stands; its applications are read from a prefetch when there is one."""
    today = today or timezone.localdate()
    rule = repair_rule_for(case, rules=rules)
    eligible_on = repair_eligible_on(case, rule)
    applications = list(case.repair_applications.all()) if case.pk else []
    application = max(applications, key=lambda row: (row.submitted_at, row.pk), default=None)
    if application is not None and application.status == RepairApplication.Status.APPROVED:
        state = RepairState.REPAIRED
    elif application is not None and application.status == RepairApplication.Status.SUBMITTED:
        state = RepairState.SUBMITTED
    elif eligible_on is None or case.status == PenaltyCase.Status.CANCELLED:
        state = RepairState.NONE
    elif case.status not in FULFILLED or case.fulfilled_at is None:
        state = RepairState.NOT_FULFILLED
    elif today < eligible_on:
        state = RepairState.WAITING
    else:
        state = RepairState.OPEN
    return Repair(case=case, state=state, rule=rule, eligible_on=eligible_on, application=application)


def active_repair_rules() -> list[RepairRule]:
    return list(RepairRule.objects.filter(is_active=True))


def _require_reviewer(application: RepairApplication, actor: User) -> None:
    if not is_officer_of(actor, [application.department_id]):
        raise PermissionDenied(_("Only an officer of the department that decided the penalty reviews this."))


def repair_apply(
    *,
    case: PenaltyCase,
    actor: User,
    statement: str,
    commitment: bool,
    evidence: Iterable[tuple[str, UploadedFile]],
    submission_key: str = "",
    now: datetime | None = None,
) -> RepairApplication:
    """The enterprise applies to repair the record of a fulfilled penalty, with its evidence (``(kind, file)``
    pairs) and its credit commitment. Refused before the minimum disclosure period has passed. A repeated
    submission key returns the application saved the first time."""
    own = actor.role == User.Role.ENTERPRISE and actor.enterprise_id == case.enterprise_id
    if not (actor.is_superuser or own):
        raise PermissionDenied(_("Only the penalised enterprise applies for credit repair."))
    evidence = list(evidence)
    errors = {}
    if not statement.strip():
        errors["statement"] = _("Say what was corrected.")
    if not commitment:
        errors["commitment"] = _("Give the credit commitment.")
    if not evidence:
        errors["evidence"] = _("Attach the evidence of rectification or payment.")
    for kind, upload in evidence:
        if kind not in RepairEvidence.Kind.values:
            errors["evidence"] = _("Choose what each file shows.")
        else:
            check_upload(upload, field="evidence", kinds=EVIDENCE)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        locked = PenaltyCase.objects.select_for_update().get(pk=case.pk)
        if submission_key:
            earlier = RepairApplication.objects.filter(submission_key=submission_key, case=locked).first()
            if earlier is not None:
                return earlier
        repair = repair_state(locked, today=timezone.localdate(now))
        if repair.state in (RepairState.SUBMITTED, RepairState.REPAIRED):
            raise TransitionError(_("This penalty already has a credit repair application."), code="already_applied")
        if repair.state == RepairState.NONE:
            raise TransitionError(_("This penalty's record cannot be repaired online."), code="not_repairable")
        if repair.state == RepairState.NOT_FULFILLED:
            raise TransitionError(_("Fulfil the penalty first."), code="not_fulfilled")
        if repair.state == RepairState.WAITING:
            raise TransitionError(
                _("The minimum disclosure period ends on %(date)s: apply from then.") % {"date": repair.eligible_on},
                code="too_early",
            )
        try:
            with transaction.atomic():
                application = RepairApplication.objects.create(
                    case=locked,
                    enterprise_id=locked.enterprise_id,
                    department_id=locked.department_id,
                    rule=repair.rule,
                    eligible_on=repair.eligible_on,
                    statement=statement,
                    commitment=True,
                    submitted_by=actor,
                    submitted_at=now,
                    review_due=now + timedelta(days=repair.rule.review_days),
                    submission_key=submission_key[:64],
                )
        except IntegrityError as exc:  # the case is locked: only a reused key of another case gets here
            raise ValidationError({"submission_key": _("This form was already submitted.")}) from exc
        for kind, upload in evidence:
            row = RepairEvidence(application=application, kind=kind, file=upload)
            row.full_clean()
            row.save()
        audit_record(obj=application, field="created", old="", new=application.status, actor=actor)
        subject = _("Credit repair application for case %(number)s") % {"number": locked.number}
        body = _("%(enterprise)s applied to repair the record of case %(number)s; review it by %(due)s.") % {
            "enterprise": locked.enterprise.name,
            "number": locked.number,
            "due": timezone.localtime(application.review_due).strftime("%Y-%m-%d %H:%M"),
        }
        for reviewer in _reviewers(locked.department_id):
            key = f"inspections:repair:{application.pk}:submitted:{reviewer.pk}"
            notify_user(user=reviewer, key=key, subject=subject, body=body)
    return application


def repair_approve(*, application: RepairApplication, actor: User, note: str = "") -> RepairApplication:
    """Approve: the penalty's record is repaired, and the enterprise is told."""
    _require_reviewer(application, actor)
    with transaction.atomic():
        approved = transition(
            instance=application,
            to=RepairApplication.Status.APPROVED,
            actor=actor,
            allowed=REPAIR_MOVES,
            reason=note,
            action="repair.approve",
            changes={"decided_by": actor, "decided_at": timezone.now()},
        )
        case = approved.case
        notify_enterprise(
            enterprise_id=approved.enterprise_id,
            key=f"inspections:repair:{approved.pk}:approved",
            subject=_("Credit repaired: case %(number)s") % {"number": case.number},
            body=_("The record of penalty case %(number)s is repaired: it is no longer disclosed.")
            % {"number": case.number},
            email=approved.enterprise.contact_email,
        )
    return approved


def repair_refuse(*, application: RepairApplication, actor: User, reason: str) -> RepairApplication:
    """Refuse with a reason, which the enterprise is told; it may apply again."""
    _require_reviewer(application, actor)
    with transaction.atomic():
        refused = transition(
            instance=application,
            to=RepairApplication.Status.REFUSED,
            actor=actor,
            allowed=REPAIR_MOVES,
            reason=reason,
            reason_required=True,
            action="repair.refuse",
            changes={"decided_by": actor, "decided_at": timezone.now(), "refusal_reason": reason},
        )
        case = refused.case
        notify_enterprise(
            enterprise_id=refused.enterprise_id,
            key=f"inspections:repair:{refused.pk}:refused",
            subject=_("Credit repair refused: case %(number)s") % {"number": case.number},
            body=_("Your application to repair the record of case %(number)s was refused. Reason: %(reason)s")
            % {"number": case.number, "reason": reason},
            email=refused.enterprise.contact_email,
        )
    return refused


def _reviewers(department_id: int) -> QuerySet[User]:
    return User.objects.filter(role=User.Role.OFFICER, department_id=department_id, is_active=True).order_by("pk")


def _escalation_recipients(department: Department) -> list[User]:
    """The department's head; without one, the coordinators whose region contains the department's."""
    if department.head_id and department.head.is_active:
        return [department.head]
    region = department.region
    codes = {region.code[:n].ljust(12, "0") for n in Region.PREFIX_LENGTH.values() if n <= len(region.prefix)}
    return list(User.objects.filter(role=User.Role.COORDINATOR, is_active=True, region__code__in=codes).order_by("pk"))


def _remind_reviewers(application_ids: list[int]) -> None:
    for application in RepairApplication.objects.filter(pk__in=application_ids).select_related("case").order_by("pk"):
        for reviewer in _reviewers(application.department_id):
            notify_user(
                user=reviewer,
                key=f"inspections:repair:{application.pk}:reminder:{reviewer.pk}",
                subject=_("Credit repair to review by %(due)s")
                % {"due": timezone.localtime(application.review_due).strftime("%Y-%m-%d %H:%M")},
                body=_("The application to repair the record of case %(number)s is waiting for your review.")
                % {"number": application.case.number},
            )


def _escalate(application_ids: list[int]) -> None:
    applications = RepairApplication.objects.filter(pk__in=application_ids).select_related(
        "case", "department__head", "department__region"
    )
    for application in applications.order_by("pk"):
        for person in _escalation_recipients(application.department):
            notify_user(
                user=person,
                key=f"inspections:repair:{application.pk}:escalated:{person.pk}",
                subject=_("Credit repair review overdue: case %(number)s") % {"number": application.case.number},
                body=_("%(department)s has not reviewed the credit repair application of case %(number)s, due %(due)s.")
                % {
                    "department": application.department.name,
                    "number": application.case.number,
                    "due": timezone.localtime(application.review_due).strftime("%Y-%m-%d %H:%M"),
                },
            )


def repair_reviews_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Remind the reviewers of applications due within a day, and escalate those past their deadline to the
    department's head: each application is stamped once (``reminded_at``, ``escalated_at``), with its notices in
    the same transaction, however often or concurrently the sweep runs."""
    now = now or timezone.now()
    waiting = RepairApplication.objects.filter(status=RepairApplication.Status.SUBMITTED)
    reminded = bulk_transition(
        waiting.filter(reminded_at__isnull=True, review_due__lte=now + REMIND_BEFORE),
        field="reminded_at",
        audit_field="reminded",
        to=now,
        reason=_("The review deadline is near."),
        now=now,
        action="repair.remind",
        after=_remind_reviewers,
    )
    escalated = bulk_transition(
        waiting.filter(escalated_at__isnull=True, review_due__lt=now),
        field="escalated_at",
        audit_field="escalated",
        to=now,
        reason=_("Not reviewed by the deadline."),
        now=now,
        action="repair.escalate",
        after=_escalate,
    )
    return {"reminded": len(reminded), "escalated": len(escalated)}
