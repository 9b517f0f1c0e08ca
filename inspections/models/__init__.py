"""Enterprise inspections (涉企行政检查): item catalogue, lenient lists, plans, coordination, inspections with
their codes, findings, rectification, re-inspection, observation periods, and the four-colour grade's policy
and history (the grade itself is ``programs.Enterprise.grade``)."""

from .assistance import ASSISTANCE_MOVES, ASSISTANCE_TASK_MOVES, AssistanceCase, AssistanceTask
from .cases import CASE_MOVES, REVIEW_MOVES, CaseDefence, CaseReview, PenaltyCase
from .catalogue import InspectionItem, LenientList, LenientListEntry
from .complaints import COMPLAINT_MOVES, Complaint, ComplaintCategory, ComplaintRoute
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
from .fines import (
    ARRANGEMENT_MOVES,
    FINE_DUE_DAYS,
    FINE_MOVES,
    LATE_FEE_DAILY_RATE,
    Fine,
    FineArrangement,
    FineInstalment,
    LateFeeWaiverPolicy,
)
from .grades import GradeChange, GradedEnterprise, GradePolicy
from .inspections import INSPECTION_MOVES, Inspection, ItemCheck
from .ordering import SERVICE_ORDER_MOVES, ServiceOffering, ServiceOrder
from .plans import PLAN_ENTRY_MOVES, YEAR_PLAN_MOVES, Coordination, PlanEntry, YearPlan
from .repair import REPAIR_MOVES, RepairApplication, RepairEvidence, RepairRule
from .requests import (
    OPEN_REQUEST_STATUSES,
    REQUEST_MOVES,
    EnterpriseRequest,
    RequestCategory,
    RequestRoute,
)

__all__ = [
    "ARRANGEMENT_MOVES",
    "ASSISTANCE_MOVES",
    "ASSISTANCE_TASK_MOVES",
    "CASE_MOVES",
    "COMPLAINT_MOVES",
    "EVIDENCE_EXTENSIONS",
    "FINDING_DECISION_MOVES",
    "FINDING_MOVES",
    "FINE_DUE_DAYS",
    "FINE_MOVES",
    "INSPECTION_MOVES",
    "LATE_FEE_DAILY_RATE",
    "OBSERVATION_MOVES",
    "OPEN_REQUEST_STATUSES",
    "PLAN_ENTRY_MOVES",
    "REPAIR_MOVES",
    "REQUEST_MOVES",
    "REVIEW_MOVES",
    "SERVICE_ORDER_MOVES",
    "YEAR_PLAN_MOVES",
    "AssistanceCase",
    "AssistanceTask",
    "CaseDefence",
    "CaseReview",
    "Complaint",
    "ComplaintCategory",
    "ComplaintRoute",
    "Coordination",
    "EnterpriseRequest",
    "Finding",
    "FindingPhoto",
    "Fine",
    "FineArrangement",
    "FineInstalment",
    "GradeChange",
    "GradePolicy",
    "GradedEnterprise",
    "Inspection",
    "InspectionItem",
    "ItemCheck",
    "LateFeeWaiverPolicy",
    "LenientList",
    "LenientListEntry",
    "ObservationPeriod",
    "PenaltyCase",
    "PlanEntry",
    "RectificationEvidence",
    "Reinspection",
    "RepairApplication",
    "RepairEvidence",
    "RepairRule",
    "RequestCategory",
    "RequestRoute",
    "ServiceOffering",
    "ServiceOrder",
    "YearPlan",
]
