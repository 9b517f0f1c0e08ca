"""Electronic service (电子送达) of a penalty case's documents: the enterprise confirms receipt online, with the
time recorded. The notice's receipt starts the statement and defence period; the decision's receipt makes a
warning fulfilled and opens the fine of a fine case (``inspections.services.fines.fine_open``).

An officer may record a service by other means instead (on the spot, by post): the document is then deemed
served at the time given. Kept apart from ``cases`` because it calls the fines, which call back into ``cases``
(``case_fulfil``)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import User
from programs.services import TransitionError, audit_record

from ..models import PenaltyCase
from .case_documents import DECISION, NOTICE, case_document
from .cases import case_fulfil, defence_deadline_from, require_case_enterprise, require_case_officer
from .fines import fine_open

Status = PenaltyCase.Status


def _serve(locked: PenaltyCase, *, kind: str, actor: User | None, at: datetime, how: str) -> PenaltyCase:
    if kind not in (NOTICE, DECISION):
        raise ValidationError({"kind": ValidationError(_("Not a document of a case."), code="invalid")})
    document = case_document(locked, kind)
    if document is None:
        raise TransitionError(_("This document has not been issued yet."), code="document_not_issued")
    if at < document.issued_at:
        message = _("A document cannot be served before it was issued.")
        raise ValidationError({"at": ValidationError(message, code="before_issue")})
    if kind == NOTICE:
        if locked.notice_served_at is not None:
            return locked  # confirmed already: the first time stands
        if locked.status != Status.NOTIFIED:
            raise TransitionError(_("The advance notice is no longer open."), code="illegal_transition")
        locked.notice_served_at = at
        locked.defence_deadline = defence_deadline_from(at)
        locked.save(update_fields=["notice_served_at", "defence_deadline"])
        audit_record(obj=locked, field="notice_served_at", old="", new=at.isoformat(), actor=actor, action=how, at=at)
        return locked
    if locked.decision_served_at is not None:
        return locked
    if locked.status != Status.DECIDED:
        raise TransitionError(_("The decision is no longer open."), code="illegal_transition")
    locked.decision_served_at = at
    locked.save(update_fields=["decision_served_at"])
    audit_record(obj=locked, field="decision_served_at", old="", new=at.isoformat(), actor=actor, action=how, at=at)
    if locked.is_fine:
        fine_open(locked)
    else:
        locked = case_fulfil(locked, actor=actor, at=at)
    return locked


def case_receipt_confirm(*, case: PenaltyCase, actor: User, kind: str, at: datetime | None = None) -> PenaltyCase:
    """The enterprise confirms it received the ``kind`` document (``penalty_notice`` or ``penalty_decision``);
    confirming again changes nothing (the first time stands)."""
    require_case_enterprise(case, actor)
    with transaction.atomic():
        locked = PenaltyCase.objects.select_for_update().get(pk=case.pk)
        return _serve(locked, kind=kind, actor=actor, at=at or timezone.now(), how="confirmed")


def case_served_otherwise(
    *, case: PenaltyCase, actor: User, kind: str, at: datetime | None = None, note: str = ""
) -> PenaltyCase:
    """An officer records that the document was served by other means (on the spot, by post): deemed served
    at ``at``. A note saying how is required."""
    require_case_officer(case, actor)
    if not note.strip():
        raise ValidationError({"note": ValidationError(_("Say how the document was served."), code="required")})
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": ValidationError(_("The time cannot be in the future."), code="invalid")})
    with transaction.atomic():
        locked = PenaltyCase.objects.select_for_update().get(pk=case.pk)
        served = _serve(locked, kind=kind, actor=actor, at=at, how="served_otherwise")
        audit_record(obj=served, field="service_note", old="", new=kind, actor=actor, reason=note)
        return served
