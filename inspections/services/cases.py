"""Penalty cases (行政处罚案件) after an inspection, handled online (轻案零跑), following the Administrative
Penalty Law (行政处罚法):

- opened from a finding decided "penalty" (only an inspections ``Finding``: nothing of a guidance visit can open
  a case), or by an officer of the item's department directly;
- simple procedure (简易程序, art. 51): a warning, or a fine up to 3,000 yuan for an organisation, decided on the
  spot by the officer; general procedure: the advance notice (告知书) served, the statement and defence period
  (陈述申辩, ``DEFENCE_DAYS`` calendar days from receipt), every defence answered, then submitted and approved by
  a second officer of the department, who decides;
- the decision served (the enterprise confirms receipt, see ``case_receipt``), fulfilled (a warning on
  service, a fine when paid), closed; cancelled with a reason before the decision.

Every change of status is audited through ``programs.services.transition``."""

import secrets
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Enterprise, User
from programs.queue import enqueue_on_commit
from programs.services import TransitionError, audit_record, region_scope_check, transition

from ..models import CASE_MOVES, REVIEW_MOVES, CaseDefence, CaseReview, Finding, Inspection, InspectionItem, PenaltyCase
from ..models.cases import DEFENCE_DAYS, SIMPLE_FINE_LIMIT

ISSUE_TASK = "inspections.case_documents_issue"
Status = PenaltyCase.Status


# --- Who may act ------------------------------------------------------------------------------------------------


def is_case_officer(case: PenaltyCase, actor: User) -> bool:
    return actor.is_superuser or (actor.role == User.Role.OFFICER and actor.department_id == case.department_id)


def require_case_officer(case: PenaltyCase, actor: User) -> None:
    if not is_case_officer(case, actor):
        raise PermissionDenied(_("Only an officer of the case's department can do this."))


def require_case_enterprise(case: PenaltyCase, actor: User) -> None:
    if not (actor.role == User.Role.ENTERPRISE and actor.enterprise_id == case.enterprise_id):
        raise PermissionDenied(_("Only the enterprise of the case can do this."))


# --- Opening ----------------------------------------------------------------------------------------------------


def _penalty(procedure: str, penalty_kind: str, fine_amount) -> Decimal:
    errors = {}
    if procedure not in PenaltyCase.Procedure.values:
        errors["procedure"] = ValidationError(_("Choose the simple or the general procedure."), code="invalid")
    if penalty_kind not in PenaltyCase.PenaltyKind.values:
        errors["penalty_kind"] = ValidationError(_("Choose a warning or a fine."), code="invalid")
    try:
        amount = Decimal(str(fine_amount or "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors["fine_amount"] = ValidationError(_("Enter an amount in yuan."), code="invalid")
        raise ValidationError(errors) from None
    if penalty_kind == PenaltyCase.PenaltyKind.FINE and amount <= 0:
        errors["fine_amount"] = ValidationError(_("A fine needs an amount above zero."), code="fine_amount_required")
    if penalty_kind == PenaltyCase.PenaltyKind.WARNING and amount != 0:
        errors["fine_amount"] = ValidationError(_("A warning has no fine amount."), code="warning_has_no_amount")
    if (
        procedure == PenaltyCase.Procedure.SIMPLE
        and penalty_kind == PenaltyCase.PenaltyKind.FINE
        and amount > SIMPLE_FINE_LIMIT
    ):
        errors["procedure"] = ValidationError(
            _("The simple procedure allows a fine of at most %(limit)s yuan; use the general procedure.")
            % {"limit": SIMPLE_FINE_LIMIT},
            code="simple_fine_too_high",
        )
    if errors:
        raise ValidationError(errors)
    return amount


def _create(*, actor: User, **fields) -> PenaltyCase:
    now = timezone.now()
    case = PenaltyCase.objects.create(
        number=f"tmp-{secrets.token_hex(8)}",
        verify_code=secrets.token_hex(13),
        opened_by=actor,
        opened_at=now,
        **fields,
    )
    # E.g. CF2026-000042: the year opened and the case; unique without a counter to lock.
    case.number = f"CF{timezone.localtime(now):%Y}-{case.pk:06d}"
    case.save(update_fields=["number"])
    audit_record(obj=case, field="created", old="", new=case.status, actor=actor, data={"number": case.number})
    return case


def case_open(
    *,
    enterprise: Enterprise,
    item: InspectionItem,
    actor: User,
    procedure: str,
    penalty_kind: str,
    fine_amount=0,
    facts: str,
    legal_basis: str = "",
    inspection: Inspection | None = None,
) -> PenaltyCase:
    """An officer of the item's department opens a case directly (立案) for an enterprise and an item."""
    if not (actor.is_superuser or (actor.role == User.Role.OFFICER and actor.department_id == item.department_id)):
        raise PermissionDenied(_("Only an officer of the item's department can open a case for it."))
    # Only an enterprise of the officer's own area (the rule every region picker follows).
    region_scope_check(region=enterprise.region, actor=actor, field="enterprise")
    amount = _penalty(procedure, penalty_kind, fine_amount)
    if not facts.strip():
        raise ValidationError({"facts": ValidationError(_("State the facts of the case."), code="required")})
    if inspection is not None and inspection.enterprise_id != enterprise.pk:
        raise ValidationError(
            {"inspection": ValidationError(_("Not an inspection of this enterprise."), code="invalid")}
        )
    with transaction.atomic():
        return _create(
            actor=actor,
            enterprise=enterprise,
            department_id=item.department_id,
            item=item,
            inspection=inspection,
            legal_basis=legal_basis.strip() or item.legal_basis or item.name,
            facts=facts,
            procedure=procedure,
            penalty_kind=penalty_kind,
            fine_amount=amount,
        )


def case_open_from_finding(
    *, finding, actor: User, procedure: str, penalty_kind: str, fine_amount=0, facts: str = "", legal_basis: str = ""
) -> PenaltyCase:
    """Open the case of a finding decided "penalty" (一般程序); the finding's description is the facts unless
    others are given. Only an inspection's finding opens a case: a guidance visit's risks never do."""
    if not isinstance(finding, Finding):
        raise ValidationError(
            {"finding": ValidationError(_("Only a finding of an inspection can open a case."), code="not_a_finding")}
        )
    with transaction.atomic():
        locked = Finding.objects.select_for_update().select_related("item", "inspection").get(pk=finding.pk)
        if locked.decision != Finding.Decision.PENALTY:
            raise TransitionError(
                _("Decide the finding for the normal procedure (penalty) first."), code="finding_not_penalty"
            )
        if PenaltyCase.objects.filter(finding=locked).exists():
            raise TransitionError(_("A case is already open for this finding."), code="case_exists")
        if not (
            actor.is_superuser or (actor.role == User.Role.OFFICER and actor.department_id == locked.item.department_id)
        ):
            raise PermissionDenied(_("Only an officer of the item's department can open a case for it."))
        amount = _penalty(procedure, penalty_kind, fine_amount)
        return _create(
            actor=actor,
            enterprise_id=locked.enterprise_id,
            department_id=locked.item.department_id,
            item=locked.item,
            finding=locked,
            inspection=locked.inspection,
            legal_basis=legal_basis.strip() or locked.item.legal_basis or locked.item.name,
            facts=facts.strip() or locked.description,
            procedure=procedure,
            penalty_kind=penalty_kind,
            fine_amount=amount,
        )


# --- The advance notice and the defence -------------------------------------------------------------------------


def case_notify(*, case: PenaltyCase, actor: User) -> PenaltyCase:
    """Issue the advance notice (行政处罚告知书): the PDF is issued by a task and the enterprise told where to
    read it; the defence period starts when it confirms receipt."""
    require_case_officer(case, actor)
    case = transition(
        instance=case, to=Status.NOTIFIED, actor=actor, allowed=CASE_MOVES, changes={"notice_issued_at": timezone.now()}
    )
    enqueue_on_commit(ISSUE_TASK, case.pk)
    return case


def defence_open(case: PenaltyCase, *, today=None) -> bool:
    """Whether the enterprise may still state its defence: the notice received, the period running, not waived."""
    today = today or timezone.localdate()
    return (
        case.status == Status.NOTIFIED
        and case.notice_served_at is not None
        and case.defence_waived_at is None
        and case.defence_deadline is not None
        and today <= case.defence_deadline
    )


def case_defence_submit(*, case: PenaltyCase, actor: User, statement: str, at: datetime | None = None) -> CaseDefence:
    """The enterprise states its case (陈述申辩) online, within the period after the notice's receipt."""
    require_case_enterprise(case, actor)
    if not statement.strip():
        raise ValidationError({"statement": ValidationError(_("Write your statement."), code="required")})
    at = at or timezone.now()
    with transaction.atomic():
        locked = PenaltyCase.objects.select_for_update().get(pk=case.pk)
        if not defence_open(locked, today=timezone.localdate(at)):
            raise TransitionError(_("The statement and defence period is over."), code="defence_period_over")
        defence = CaseDefence.objects.create(case=locked, statement=statement, submitted_by=actor, submitted_at=at)
        audit_record(obj=locked, field="defence", old="", new=str(defence.pk), actor=actor, at=at)
    return defence


def case_defence_waive(*, case: PenaltyCase, actor: User) -> PenaltyCase:
    """The enterprise says it will not state a defence (放弃陈述申辩): the case need not wait for the period."""
    require_case_enterprise(case, actor)
    with transaction.atomic():
        locked = PenaltyCase.objects.select_for_update().get(pk=case.pk)
        if not defence_open(locked):
            raise TransitionError(_("The statement and defence period is over."), code="defence_period_over")
        locked.defence_waived_at = timezone.now()
        locked.save(update_fields=["defence_waived_at"])
        audit_record(obj=locked, field="defence_waived", old="", new="yes", actor=actor)
    return locked


def case_defence_answer(*, defence: CaseDefence, actor: User, answer: str, accepted: bool) -> CaseDefence:
    """The officer answers a statement in the case (采纳 or not, with reasons); the enterprise reads it online."""
    require_case_officer(defence.case, actor)
    if not answer.strip():
        raise ValidationError({"answer": ValidationError(_("Write the answer."), code="required")})
    if accepted not in (True, False):  # "unknown" would reach the enterprise as a refusal
        raise ValidationError(
            {"accepted": ValidationError(_("Say whether the defence is accepted."), code="required")}
        )
    with transaction.atomic():
        locked = CaseDefence.objects.select_for_update().select_related("case").get(pk=defence.pk)
        if locked.answered_at is not None:
            raise TransitionError(_("This statement has already been answered."), code="already_answered")
        locked.answer, locked.accepted = answer, accepted
        locked.answered_by, locked.answered_at = actor, timezone.now()
        locked.save(update_fields=["answer", "accepted", "answered_by", "answered_at"])
        audit_record(obj=locked.case, field="defence_answer", old=str(locked.pk), new=str(accepted), actor=actor)
    return locked


def _require_defence_done(case: PenaltyCase, *, today=None) -> None:
    """A decision waits for the enterprise's defence: the notice received and the period over (or waived, or a
    statement made), and every statement answered."""
    if case.status == Status.OPENED:
        return  # a simple-procedure decision on the spot, the defence heard there
    if case.notice_served_at is None:
        raise TransitionError(_("The advance notice has not been received yet."), code="notice_not_served")
    if case.defences.filter(answered_at__isnull=True).exists():
        raise TransitionError(_("Answer every statement first."), code="defence_unanswered")
    stated = case.defence_waived_at is not None or case.defences.exists()
    if not stated and defence_open(case, today=today):
        raise TransitionError(
            _("The statement and defence period runs until %(date)s.") % {"date": case.defence_deadline},
            code="defence_period_open",
        )


# --- Approval and decision --------------------------------------------------------------------------------------


def case_submit(*, case: PenaltyCase, actor: User) -> PenaltyCase:
    """General procedure: the case goes to a second officer of the department for approval (审批)."""
    require_case_officer(case, actor)
    with transaction.atomic():
        locked = PenaltyCase.objects.select_for_update().get(pk=case.pk)
        if locked.procedure != PenaltyCase.Procedure.GENERAL:
            raise TransitionError(_("A simple-procedure case is decided without approval."), code="simple_procedure")
        if locked.status != Status.NOTIFIED:
            raise TransitionError(_("Serve the advance notice first."), code="illegal_transition")
        _require_defence_done(locked)
        return transition(
            instance=locked,
            to=Status.AWAITING_APPROVAL,
            actor=actor,
            allowed=CASE_MOVES,
            changes={"submitted_by": actor},
        )


def case_return(*, case: PenaltyCase, actor: User, reason: str) -> PenaltyCase:
    """The approver sends the case back to the handling officer, with a reason."""
    require_case_officer(case, actor)
    return transition(
        instance=case, to=Status.NOTIFIED, actor=actor, allowed=CASE_MOVES, reason=reason, reason_required=True
    )


def case_decide(*, case: PenaltyCase, actor: User, note: str = "") -> PenaltyCase:
    """Issue the decision (行政处罚决定书). Simple procedure: the handling officer decides on the spot. General
    procedure: a second officer of the department, neither the one who opened nor the one who submitted the
    case, approves and decides. The PDF is issued by a task and the enterprise told."""
    require_case_officer(case, actor)
    now = timezone.now()
    with transaction.atomic():
        locked = PenaltyCase.objects.select_for_update().get(pk=case.pk)
        changes = {"decided_by": actor, "decided_at": now}
        if locked.procedure == PenaltyCase.Procedure.GENERAL:
            if locked.status != Status.AWAITING_APPROVAL:
                raise TransitionError(_("Submit the case for approval first."), code="approval_required")
            if not actor.is_superuser and actor.pk in {locked.opened_by_id, locked.submitted_by_id}:
                raise PermissionDenied(_("A second officer approves: not the one who opened or submitted the case."))
            changes.update(approved_by=actor, approved_at=now)
        elif locked.status == Status.NOTIFIED:
            _require_defence_done(locked)
        locked = transition(
            instance=locked, to=Status.DECIDED, actor=actor, allowed=CASE_MOVES, reason=note, changes=changes
        )
    enqueue_on_commit(ISSUE_TASK, locked.pk)
    return locked


def case_cancel(*, case: PenaltyCase, actor: User, reason: str) -> PenaltyCase:
    """Cancel (撤销立案) before the decision: e.g. the facts do not hold after the defence."""
    require_case_officer(case, actor)
    return transition(
        instance=case,
        to=Status.CANCELLED,
        actor=actor,
        allowed=CASE_MOVES,
        reason=reason,
        reason_required=True,
        changes={"cancel_reason": reason, "closed_at": timezone.now()},
    )


# --- After the decision -----------------------------------------------------------------------------------------


def case_fulfil(case: PenaltyCase, *, actor: User | None = None, at: datetime | None = None) -> PenaltyCase:
    """The decision is carried out (履行): a warning when served, a fine when paid. Running it again on a
    fulfilled case changes nothing."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = PenaltyCase.objects.select_for_update().get(pk=case.pk)
        if locked.status in {Status.FULFILLED, Status.CLOSED}:
            return locked
        return transition(
            instance=locked, to=Status.FULFILLED, actor=actor, allowed=CASE_MOVES, changes={"fulfilled_at": at}
        )


def case_close(*, case: PenaltyCase, actor: User) -> PenaltyCase:
    """Close a fulfilled case (结案)."""
    require_case_officer(case, actor)
    return transition(
        instance=case, to=Status.CLOSED, actor=actor, allowed=CASE_MOVES, changes={"closed_at": timezone.now()}
    )


def case_record_office_visit(*, case: PenaltyCase, actor: User, note: str) -> PenaltyCase:
    """The enterprise came to the office for this case (e.g. to hand in papers): the case is no longer zero-trip."""
    require_case_officer(case, actor)
    if not note.strip():
        raise ValidationError({"note": ValidationError(_("Say why the enterprise came."), code="required")})
    with transaction.atomic():
        locked = PenaltyCase.objects.select_for_update().get(pk=case.pk)
        old = locked.zero_trip
        locked.zero_trip = False
        locked.office_visit_note = "\n".join(filter(None, [locked.office_visit_note, note.strip()]))
        locked.save(update_fields=["zero_trip", "office_visit_note"])
        audit_record(obj=locked, field="zero_trip", old=str(old), new="False", actor=actor, reason=note)
    return locked


def defence_deadline_from(served_at: datetime):
    return timezone.localdate(served_at) + timedelta(days=DEFENCE_DAYS)


# --- Reconsideration and litigation -----------------------------------------------------------------------------


def review_record(*, case: PenaltyCase, actor: User, kind: str, filed_on, body: str = "", note: str = "") -> CaseReview:
    """Record an application for reconsideration (行政复议) or a lawsuit (行政诉讼) against a decided case."""
    require_case_officer(case, actor)
    if kind not in CaseReview.Kind.values:
        raise ValidationError({"kind": ValidationError(_("Choose reconsideration or litigation."), code="invalid")})
    if case.decided_at is None:
        raise TransitionError(_("Only a decided case can be reconsidered or litigated."), code="not_decided")
    if filed_on is None or filed_on > timezone.localdate():
        raise ValidationError(
            {"filed_on": ValidationError(_("Give the filing date (not in the future)."), code="invalid")}
        )
    with transaction.atomic():
        review = CaseReview.objects.create(
            case=case, kind=kind, filed_on=filed_on, body=body, note=note, recorded_by=actor
        )
        audit_record(obj=review, field="outcome", old="", new=review.outcome, actor=actor, data={"kind": kind})
    return review


def review_conclude(*, review: CaseReview, actor: User, outcome: str, outcome_on, note: str = "") -> CaseReview:
    """Record the outcome of a reconsideration or a lawsuit (维持、变更、撤销, or withdrawn)."""
    require_case_officer(review.case, actor)
    if outcome_on is None or outcome_on < review.filed_on:
        raise ValidationError({"outcome_on": ValidationError(_("Give the date of the outcome."), code="invalid")})
    changes = {"outcome_on": outcome_on}
    if note.strip():
        changes["note"] = "\n".join(filter(None, [review.note, note.strip()]))
    return transition(
        instance=review, to=outcome, actor=actor, allowed=REVIEW_MOVES, field="outcome", reason=note, changes=changes
    )
