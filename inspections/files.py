"""The inspections' uploaded files as the core's file view finds them: only under the findings the user may see."""

from programs import uploads

from . import selectors
from .models import FindingPhoto, RectificationEvidence

PHOTO = "inspections.photo"
EVIDENCE = "inspections.evidence"


def _visible(model, user, pk: int):
    row = model.objects.filter(pk=pk, finding__in=selectors.finding_list(user=user).values("pk")).first()
    return row.file if row is not None else None


def photo_file(user, pk: int):
    return _visible(FindingPhoto, user, pk)


def evidence_file(user, pk: int):
    return _visible(RectificationEvidence, user, pk)


def file_url(row) -> str:
    """The download address of a finding's photo or evidence row ("" when it has no file)."""
    kind = PHOTO if isinstance(row, FindingPhoto) else EVIDENCE
    return uploads.file_url(kind, row.pk) if row.file else ""


def register() -> None:
    uploads.register(PHOTO, photo_file)
    uploads.register(EVIDENCE, evidence_file)
