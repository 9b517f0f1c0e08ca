"""Items checked and findings recorded in an inspection, the penalty decision (with the lenient lists'
proposal), the enterprise's rectification evidence and the re-inspection (复查)."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import User
from programs.services import TransitionError, audit_record, transition
from programs.uploads import EVIDENCE, check_upload

from .. import grades
from ..models import (
    FINDING_DECISION_MOVES,
    FINDING_MOVES,
    Finding,
    FindingPhoto,
    GradeChange,
    Inspection,
    InspectionItem,
    ItemCheck,
    LenientListEntry,
    RectificationEvidence,
    Reinspection,
)
from ._common import require_inspection_officer
from .lenient import lenient_decision_entry, lenient_proposal


def _require_in_progress(inspection: Inspection) -> None:
    if inspection.status != Inspection.Status.IN_PROGRESS:
        raise TransitionError(_("Start the inspection first."), code="not_in_progress")


def item_check_record(
    *, inspection: Inspection, item: InspectionItem, actor: User, result: str = ItemCheck.Result.COMPLIANT
) -> ItemCheck:
    """Record an item's answer (符合 / 不符合 / 未检查); the answer may be changed while the inspection is in
    progress, except that an item with a finding stays not compliant. Another department's item may be
    answered only if it is simple, and is then recorded as checked on the owner's behalf (部门代检查)."""
    require_inspection_officer(inspection, actor)
    _require_in_progress(inspection)
    if result not in ItemCheck.Result.values:
        raise ValidationError({"result": _("Choose compliant, not compliant or not checked.")})
    if not inspection.items.filter(pk=item.pk).exists():
        raise ValidationError({"item": _("This item is not part of the inspection.")})
    department = actor.department if actor.department_id else inspection.lead_department
    on_behalf_of = None
    if item.department_id != department.pk:
        if not item.simple:
            raise ValidationError({"item": _("Only simple items may be checked on another department's behalf.")})
        on_behalf_of = item.department
    answer = {"checked_by_department": department, "on_behalf_of": on_behalf_of, "officer": actor, "result": result}
    with transaction.atomic():
        check = ItemCheck.objects.select_for_update().filter(inspection=inspection, item=item).first()
        if check is None:
            check = ItemCheck.objects.create(inspection=inspection, item=item, **answer)
            audit_record(obj=check, field="result", old="", new=result, actor=actor)
            return check
        if check.result == result:
            return check
        if (
            result != ItemCheck.Result.NON_COMPLIANT
            and Finding.objects.filter(inspection=inspection, item=item).exists()
        ):
            raise ValidationError({"result": _("A finding was recorded for this item: it stays not compliant.")})
        old = check.result
        for name, value in answer.items():
            setattr(check, name, value)
        check.checked_at = timezone.now()
        check.save(update_fields=[*answer, "checked_at"])
        audit_record(obj=check, field="result", old=old, new=result, actor=actor)
    return check


def finding_record(
    *,
    inspection: Inspection,
    item: InspectionItem,
    severity: str,
    description: str,
    deadline: date,
    actor: User,
    photos: Iterable[UploadedFile] = (),
) -> Finding:
    """Record a finding; a first violation of a listed item is proposed as no-penalty; the grade follows."""
    errors = {}
    if severity not in Finding.Severity.values:
        errors["severity"] = _("Choose major hazard or general issue.")
    if not description.strip():
        errors["description"] = _("Describe what was found.")
    if deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    photos = list(photos)
    for photo in photos:
        check_upload(photo, field="photos", kinds=EVIDENCE)
    with transaction.atomic():
        item_check_record(inspection=inspection, item=item, actor=actor, result=ItemCheck.Result.NON_COMPLIANT)
        now = timezone.now()
        lenient = lenient_proposal(enterprise=inspection.enterprise, item=item, at=now, severity=severity)
        finding = Finding.objects.create(
            inspection=inspection,
            enterprise_id=inspection.enterprise_id,
            item=item,
            severity=severity,
            description=description,
            deadline=deadline,
            recorded_by=actor,
            recorded_at=now,
            lenient_proposed=lenient is not None,
            lenient_entry=lenient,
        )
        for photo in photos:
            photo_row = FindingPhoto(finding=finding, file=photo)
            photo_row.full_clean()
            photo_row.save()
        audit_record(obj=finding, field="created", old="", new=finding.status, actor=actor)
        grades.grade_recompute(
            enterprise_id=finding.enterprise_id,
            actor=actor,
            cause=GradeChange.Cause.FINDING,
            inspection=inspection,
            finding=finding,
        )
    return finding


def finding_decide(
    *, finding: Finding, decision: str, actor: User, note: str = "", lenient_entry: LenientListEntry | None = None
) -> Finding:
    """The officer's penalty decision, recorded either way (following the lenient proposal or not); a decision
    without penalty records the lenient list that applied (``lenient_entry``, by default the one proposed)."""
    require_inspection_officer(finding.inspection, actor)
    if decision == Finding.Decision.OBSERVATION:
        raise ValidationError({"decision": _("Open an observation period instead.")})
    if finding.lenient_proposed and decision == Finding.Decision.PENALTY and not note.strip():
        raise ValidationError({"note": _("No penalty was proposed; say why the normal procedure applies.")})
    applied = lenient_decision_entry(finding=finding, decision=decision, entry=lenient_entry)
    listed = (
        {"lenient_entry": applied.pk, "lenient_list": applied.lenient_list_id, "kind": applied.kind}
        if applied
        else {}
    )
    return transition(
        instance=finding,
        to=decision,
        actor=actor,
        allowed=FINDING_DECISION_MOVES,
        field="decision",
        reason=note,
        changes={"decision_note": note, "decided_by": actor, "decided_at": timezone.now(), "lenient_entry": applied},
        data=listed,
    )


def evidence_submit(
    *, finding: Finding, actor: User, note: str, file: UploadedFile | None = None, submission_key: str = ""
) -> RectificationEvidence:
    """The enterprise submits rectification evidence; a re-inspection then verifies it. A repeated submission
    key returns the evidence saved the first time."""
    own = actor.role == User.Role.ENTERPRISE and actor.enterprise_id == finding.enterprise_id
    if not (actor.is_superuser or own):
        raise PermissionDenied(_("Only the inspected enterprise submits rectification evidence."))
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    if file is not None:
        check_upload(file, field="file", kinds=EVIDENCE)
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if submission_key:
            earlier = RectificationEvidence.objects.filter(submission_key=submission_key, finding=locked).first()
            if earlier is not None:
                return earlier
        if locked.status == Finding.Status.RECTIFIED:
            raise TransitionError(_("This finding is already closed."), code="illegal_transition")
        evidence = RectificationEvidence(
            finding=locked, note=note, submitted_by=actor, submission_key=submission_key[:64]
        )
        if file is not None:
            evidence.file = file
        evidence.full_clean()
        evidence.save()
        if locked.status == Finding.Status.OPEN:
            transition(instance=locked, to=Finding.Status.EVIDENCE_SUBMITTED, actor=actor, allowed=FINDING_MOVES)
    return evidence


def finding_reinspect(*, finding: Finding, actor: User, rectified: bool, note: str = "") -> Reinspection:
    """A re-inspection (复查): verified → the finding closes and the grade follows; not → it stays open."""
    require_inspection_officer(finding.inspection, actor)
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.status == Finding.Status.RECTIFIED:
            raise TransitionError(_("This finding is already closed."), code="illegal_transition")
        reinspection = Reinspection.objects.create(finding=locked, officer=actor, rectified=rectified, note=note)
        if rectified:
            transition(
                instance=locked,
                to=Finding.Status.RECTIFIED,
                actor=actor,
                allowed=FINDING_MOVES,
                reason=note,
                changes={"rectified_at": reinspection.at},
            )
        elif locked.status == Finding.Status.EVIDENCE_SUBMITTED:
            transition(instance=locked, to=Finding.Status.OPEN, actor=actor, allowed=FINDING_MOVES, reason=note)
        grades.grade_recompute(
            enterprise_id=locked.enterprise_id,
            actor=actor,
            cause=GradeChange.Cause.REINSPECTION,
            inspection=locked.inspection,
            finding=locked,
        )
    return reinspection
