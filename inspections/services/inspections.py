"""Inspections: put in a week with their officers (the code is made then), the code shown on arrival (亮码),
started, completed (the grade follows) or cancelled."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import AuditEntry, User
from programs.queue import enqueue_on_commit
from programs.roles import ENFORCEMENT, require_role
from programs.services import TransitionError, audit_record, transition

from .. import grades
from ..codes import new_inspection_code
from ..models import INSPECTION_MOVES, Finding, GradeChange, Inspection, ItemCheck, PlanEntry
from ._common import cut_entry, require_inspection_officer


def inspection_schedule(
    *,
    inspection: Inspection,
    week_start: date,
    officers: Iterable[User],
    actor: User,
    visit_date: date | None = None,
) -> Inspection:
    """Put an inspection in a week with its officers; it gets its inspection code now."""
    require_role(actor, *ENFORCEMENT)
    officers = list(officers)
    departments = set(inspection.departments.values_list("pk", flat=True)) | {inspection.lead_department_id}
    if actor.role == User.Role.OFFICER and actor.department_id not in departments:
        raise PermissionDenied(_("Your department does not take part in this inspection."))
    errors = {}
    if week_start.weekday() != 0:
        errors["week_start"] = _("A week starts on a Monday.")
    elif not (inspection.month - timedelta(days=6) <= week_start <= inspection.month + timedelta(days=31)):
        errors["week_start"] = _("The week must fall in the inspection's month.")
    if visit_date is not None and not week_start <= visit_date <= week_start + timedelta(days=6):
        errors["visit_date"] = _("The visit date must fall in the chosen week.")
    if not officers:
        errors["officers"] = _("Assign at least one officer.")
    elif any(o.role != User.Role.OFFICER or o.department_id not in departments for o in officers):
        errors["officers"] = _("Every officer must belong to a participating department.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = transition(
            instance=inspection,
            to=Inspection.Status.SCHEDULED,
            actor=actor,
            allowed=INSPECTION_MOVES,
            changes={"week_start": week_start, "visit_date": visit_date, "code": new_inspection_code()},
        )
        inspection.officers.set(officers)
    return inspection


CLOCK_SKEW = timedelta(minutes=5)


def _scheduled_at(inspection: Inspection) -> datetime:
    """When the inspection was put in its week (the audit row of that move; its creation if none)."""
    content_type = ContentType.objects.get_for_model(Inspection)
    moment = (
        AuditEntry.objects.filter(
            content_type=content_type, object_id=inspection.pk, field="status", new_value=Inspection.Status.SCHEDULED
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return moment or inspection.created_at


def inspection_show_code(*, inspection: Inspection, actor: User, shown_at: datetime | None = None) -> Inspection:
    """The officer shows the code on arrival (亮码): recorded once (the first showing wins), with the officer and
    the time; ``shown_at`` is the time the phone showed it when that was offline."""
    require_inspection_officer(inspection, actor)
    now = timezone.now()
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status not in (Inspection.Status.SCHEDULED, Inspection.Status.IN_PROGRESS):
            raise TransitionError(_("The code is shown only at a scheduled visit."), code="illegal_transition")
        if shown_at is not None:
            if timezone.is_naive(shown_at):
                raise ValidationError({"code_shown_at": _("Give the time with its time zone.")})
            if shown_at > now + CLOCK_SKEW:
                raise ValidationError({"code_shown_at": _("The code cannot have been shown in the future.")})
            if shown_at < _scheduled_at(locked):
                raise ValidationError(
                    {"code_shown_at": _("The code cannot have been shown before the visit was scheduled.")}
                )
        if locked.code_shown_at is None:
            locked.code_shown_at = min(shown_at, now) if shown_at is not None else now
            locked.code_shown_by = actor
            locked.save(update_fields=["code_shown_at", "code_shown_by"])
            audit_record(obj=locked, field="code_shown", old="", new=locked.code_shown_at.isoformat(), actor=actor)
    return locked


def inspection_start(*, inspection: Inspection, actor: User) -> Inspection:
    """Arrive and start. Starting does not show the code: showing it is the officer's own act
    (``inspection_show_code``, with its time); a visit completed without it records why."""
    require_inspection_officer(inspection, actor)
    return transition(
        instance=inspection,
        to=Inspection.Status.IN_PROGRESS,
        actor=actor,
        allowed=INSPECTION_MOVES,
        changes={"started_at": timezone.now()},
    )


# What an officer may give as the reason; ``not_recorded`` only marks visits completed before it was asked.
CODE_NOT_SHOWN_REASONS = [
    value for value in Inspection.CodeNotShownReason.values if value != Inspection.CodeNotShownReason.NOT_RECORDED
]


def code_not_shown_check(*, shown: bool, reason: str, note: str) -> dict:
    """The reason a visit is completed without its code shown: required then (``other`` with its explanation),
    a known value; nothing to check when the code was shown (the reason is then not kept)."""
    if shown:
        return {}
    if not reason:
        return {
            "code_not_shown_reason": ValidationError(
                _("The code was not shown: say why before completing."), code="code_not_shown_reason_required"
            )
        }
    if reason not in CODE_NOT_SHOWN_REASONS:
        return {
            "code_not_shown_reason": ValidationError(
                _("Choose one of the listed reasons."), code="code_not_shown_reason_invalid"
            )
        }
    if reason == Inspection.CodeNotShownReason.OTHER and not note.strip():
        return {
            "code_not_shown_note": ValidationError(
                _("Explain why the code was not shown."), code="code_not_shown_note_required"
            )
        }
    return {}


def _unfinished(inspection: Inspection) -> dict:
    """What keeps the inspection from completing: items with no answer, non-compliant items with no finding."""
    answers = dict(ItemCheck.objects.filter(inspection=inspection).values_list("item_id", "result"))
    with_finding = set(Finding.objects.filter(inspection=inspection).values_list("item_id", flat=True))
    items = list(inspection.items.order_by("code"))
    unanswered = [item.name for item in items if item.pk not in answers]
    unfound = [
        item.name
        for item in items
        if answers.get(item.pk) == ItemCheck.Result.NON_COMPLIANT and item.pk not in with_finding
    ]
    errors = {}
    if unanswered:
        errors["checks"] = _("Items not answered: %(items)s") % {"items": "、".join(unanswered)}
    if unfound:
        errors["findings"] = _("Record a finding for each item not compliant: %(items)s") % {
            "items": "、".join(unfound)
        }
    return errors


def inspection_complete(
    *,
    inspection: Inspection,
    actor: User,
    summary: str = "",
    code_not_shown_reason: str = "",
    code_not_shown_note: str = "",
) -> Inspection:
    """Complete once every item is answered and every non-compliant item has its finding, and, when the code
    was not shown, with the reason why (``code_not_shown_reason``, ``other`` explained in
    ``code_not_shown_note``; not kept when the code was shown); the grade follows and the visit's documents
    (检查记录, 整改通知书) are issued in the background."""
    require_inspection_officer(inspection, actor)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        shown = locked.code_shown_at is not None
        if locked.status == Inspection.Status.IN_PROGRESS:
            errors = {
                **_unfinished(locked),
                **code_not_shown_check(shown=shown, reason=code_not_shown_reason, note=code_not_shown_note),
            }
            if errors:
                raise ValidationError(errors)
        changes, data = {"completed_at": timezone.now(), "summary": summary}, None
        if not shown:
            data = {"code_not_shown_reason": code_not_shown_reason, "code_not_shown_note": code_not_shown_note.strip()}
            changes.update(data)
        inspection = transition(
            instance=locked,
            to=Inspection.Status.COMPLETED,
            actor=actor,
            allowed=INSPECTION_MOVES,
            changes=changes,
            data=data,
        )
        grades.grade_recompute(
            enterprise_id=inspection.enterprise_id,
            actor=actor,
            cause=GradeChange.Cause.INSPECTION,
            inspection=inspection,
        )
        enqueue_on_commit("inspections.visit_documents_issue", inspection.pk)
    return inspection


def inspection_cancel(*, inspection: Inspection, actor: User, reason: str) -> Inspection:
    """Cancel with a reason; its plan entries are cut with that reason, so every entry still ends somewhere."""
    require_role(actor, *ENFORCEMENT)
    if actor.role == User.Role.OFFICER:
        require_inspection_officer(inspection, actor)
    with transaction.atomic():
        inspection = transition(
            instance=inspection,
            to=Inspection.Status.CANCELLED,
            actor=actor,
            allowed=INSPECTION_MOVES,
            reason=reason,
            reason_required=True,
            changes={"cancel_reason": reason},
        )
        now = timezone.now()
        for entry in PlanEntry.objects.filter(inspection=inspection, status=PlanEntry.Status.EXECUTED):
            cut_entry(entry, PlanEntry.CutReason.INSPECTION_CANCELLED, reason, actor, now)
    return inspection
