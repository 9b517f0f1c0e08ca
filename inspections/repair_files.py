"""Credit repair evidence as the core's file view finds it: only under the applications the user may see."""

from programs import uploads

from . import repair_selectors
from .models import RepairEvidence

REPAIR_EVIDENCE = "inspections.repair-evidence"


def repair_evidence_file(user, pk: int):
    visible = repair_selectors.repair_application_list(user=user).values("pk")
    row = RepairEvidence.objects.filter(pk=pk, application__in=visible).first()
    return row.file if row is not None else None


def file_url(row: RepairEvidence) -> str:
    return uploads.file_url(REPAIR_EVIDENCE, row.pk) if row.file else ""


def register() -> None:
    uploads.register(REPAIR_EVIDENCE, repair_evidence_file)
