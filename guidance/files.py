"""Guidance's uploaded files as the core's file view finds them: only among the risks the user may see."""

from programs import uploads

from . import selectors
from .models import Risk

RISK_EVIDENCE = "guidance.risk"


def risk_evidence_file(user, pk: int):
    risk = selectors.risk_list(user=user).filter(pk=pk).first()
    return risk.evidence_file if risk is not None else None


def risk_evidence_url(risk: Risk) -> str:
    return uploads.file_url(RISK_EVIDENCE, risk.pk) if risk.evidence_file else ""


def register() -> None:
    uploads.register(RISK_EVIDENCE, risk_evidence_file)
