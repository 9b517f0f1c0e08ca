"""A whole visit in one go: what the officer's phone recorded in a factory (the code shown, the checklist, the
findings with their photos, the summary) applied in one transaction, so a visit sent again after a lost
answer, or sent late from a phone that was offline, is either all there or not at all."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import User
from programs.services import TransitionError
from programs.uploads import EVIDENCE, check_upload

from ..models import Finding, Inspection, ItemCheck
from ._common import require_inspection_officer
from .findings import finding_record, item_check_record
from .inspections import code_not_shown_check, inspection_complete, inspection_show_code, inspection_start


def _refuse_closed(inspection: Inspection) -> None:
    if inspection.status == Inspection.Status.CANCELLED:
        if inspection.cancel_reason:
            message = _("The coordinator cancelled this visit (%(reason)s); nothing was recorded.") % {
                "reason": inspection.cancel_reason
            }
        else:
            message = _("The coordinator cancelled this visit; nothing was recorded.")
        raise TransitionError(message, code="cancelled")
    if inspection.status == Inspection.Status.COMPLETED:
        raise TransitionError(_("This visit is already completed."), code="already_completed")
    if inspection.status == Inspection.Status.PLANNED:
        raise TransitionError(_("This visit is not scheduled yet."), code="illegal_transition")


def _named(error: ValidationError, prefix: str) -> ValidationError:
    """A service's field errors under the name of the part of the request they belong to
    (``findings[0].deadline``)."""
    if isinstance(error, TransitionError) or not hasattr(error, "error_dict"):
        return error
    return ValidationError({f"{prefix}.{field}": errors for field, errors in error.error_dict.items()})


def _check_input(inspection: Inspection, answers: list[Mapping], findings: list[Mapping]) -> dict:
    """Every error of the request at once, each named by its place in it."""
    errors: dict[str, str] = {}
    items = {item.pk: item for item in inspection.items.all()}
    seen: set[int] = set()
    for n, answer in enumerate(answers):
        item = answer.get("item")
        if item not in items:
            errors[f"answers[{n}].item"] = _("This item is not part of the inspection.")
        elif item in seen:
            errors[f"answers[{n}].item"] = _("This item is answered twice.")
        seen.add(item)
        if answer.get("result") not in ItemCheck.Result.values:
            errors[f"answers[{n}].result"] = _("Choose compliant, not compliant or not checked.")
    for n, finding in enumerate(findings):
        if finding.get("item") not in items:
            errors[f"findings[{n}].item"] = _("This item is not part of the inspection.")
        if finding.get("severity") not in Finding.Severity.values:
            errors[f"findings[{n}].severity"] = _("Choose major hazard or general issue.")
        if not str(finding.get("description") or "").strip():
            errors[f"findings[{n}].description"] = _("Describe what was found.")
        deadline = finding.get("deadline")
        if not isinstance(deadline, date):
            errors[f"findings[{n}].deadline"] = _("Give the rectification deadline.")
        elif deadline < timezone.localdate():
            errors[f"findings[{n}].deadline"] = _("The deadline cannot be in the past.")
        for photo in finding.get("photos") or ():
            try:
                check_upload(photo, field="photos", kinds=EVIDENCE)
            except ValidationError as error:
                errors[f"findings[{n}].photos"] = " ".join(error.messages)
    return errors


def visit_record(
    *,
    inspection: Inspection,
    actor: User,
    answers: Iterable[Mapping] = (),
    findings: Iterable[Mapping] = (),
    summary: str = "",
    code_shown_at: datetime | None = None,
    code_not_shown_reason: str = "",
    code_not_shown_note: str = "",
) -> Inspection:
    """Record a visit and complete it, in one transaction: the code shown at ``code_shown_at`` (if given and not
    shown yet), started if only scheduled (starting never marks the code shown), every answer (``{"item": id,
    "result": ItemCheck.Result}``), every finding (``{"item", "severity", "description", "deadline", "photos":
    [UploadedFile]}``; its item becomes not compliant), then completed — with ``code_not_shown_reason`` (and
    ``code_not_shown_note``) required when the code was not shown, by this request or before.

    A cancelled visit is refused with ``TransitionError(code="cancelled")``, a completed one with
    ``code="already_completed"``; any other refusal names the field (``findings[0].deadline``) and leaves
    nothing recorded."""
    require_inspection_officer(inspection, actor)
    answers, findings = list(answers), list(findings)
    _refuse_closed(inspection)
    errors = _check_input(inspection, answers, findings)
    if errors:  # every error at once, the reason's too (checked again below on the locked row)
        shown = code_shown_at is not None or inspection.code_shown_at is not None
        errors.update(code_not_shown_check(shown=shown, reason=code_not_shown_reason, note=code_not_shown_note))
        raise ValidationError(errors)
    items = {item.pk: item for item in inspection.items.all()}
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _refuse_closed(locked)
        shown = code_shown_at is not None or locked.code_shown_at is not None
        errors = code_not_shown_check(shown=shown, reason=code_not_shown_reason, note=code_not_shown_note)
        if errors:
            raise ValidationError(errors)
        if code_shown_at is not None and locked.code_shown_at is None:
            locked = inspection_show_code(inspection=locked, actor=actor, shown_at=code_shown_at)
        if locked.status == Inspection.Status.SCHEDULED:
            locked = inspection_start(inspection=locked, actor=actor)
        for n, answer in enumerate(answers):
            try:
                item_check_record(inspection=locked, item=items[answer["item"]], actor=actor, result=answer["result"])
            except ValidationError as error:
                raise _named(error, f"answers[{n}]") from error
        for n, finding in enumerate(findings):
            try:
                finding_record(
                    inspection=locked,
                    item=items[finding["item"]],
                    severity=finding["severity"],
                    description=finding["description"],
                    deadline=finding["deadline"],
                    actor=actor,
                    photos=finding.get("photos") or (),
                )
            except ValidationError as error:
                raise _named(error, f"findings[{n}]") from error
        return inspection_complete(
            inspection=locked,
            actor=actor,
            summary=summary,
            code_not_shown_reason=code_not_shown_reason,
            code_not_shown_note=code_not_shown_note,
        )
