"""Enterprise inspections (涉企行政检查): item catalogue, lenient lists, plans, coordination, inspections with
their codes, findings, rectification, re-inspection, observation periods, and the four-colour grade's policy
and history (the grade itself is ``programs.Enterprise.grade``)."""

from .catalogue import InspectionItem, LenientListEntry
from .findings import (
    EVIDENCE_EXTENSIONS,
    FINDING_DECISION_MOVES,
    FINDING_MOVES,
    OBSERVATION_MOVES,
    Finding,
    FindingPhoto,
    ObservationPeriod,
    RectificationEvidence,
    Reinspection,
)
from .grades import GradeChange, GradedEnterprise, GradePolicy
from .inspections import INSPECTION_MOVES, Inspection, ItemCheck
from .plans import PLAN_ENTRY_MOVES, YEAR_PLAN_MOVES, Coordination, PlanEntry, YearPlan

__all__ = [
    "EVIDENCE_EXTENSIONS",
    "FINDING_DECISION_MOVES",
    "FINDING_MOVES",
    "INSPECTION_MOVES",
    "OBSERVATION_MOVES",
    "PLAN_ENTRY_MOVES",
    "YEAR_PLAN_MOVES",
    "Coordination",
    "Finding",
    "FindingPhoto",
    "GradeChange",
    "GradePolicy",
    "GradedEnterprise",
    "Inspection",
    "InspectionItem",
    "ItemCheck",
    "LenientListEntry",
    "ObservationPeriod",
    "PlanEntry",
    "RectificationEvidence",
    "Reinspection",
    "YearPlan",
]
