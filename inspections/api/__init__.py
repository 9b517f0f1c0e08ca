"""REST endpoints of the inspections app, one module per entity: officers' mobile app, coordinators, and
enterprise users (who reach only their own enterprise's records through the same endpoints). The names are
re-exported here, so ``inspections.api.PlanEntryViewSet`` reads as before."""

from ._common import InspectionReasonSerializer
from .findings import (
    EvidenceOutSerializer,
    FindingDecisionSerializer,
    FindingEvidenceSerializer,
    FindingFilter,
    FindingSerializer,
    FindingViewSet,
    ReinspectAnswerSerializer,
    ReinspectionOutSerializer,
    ReinspectSerializer,
    UploadedFileSerializer,
)
from .grades import (
    DueEnterpriseSerializer,
    DueEnterpriseViewSet,
    GradeChangeSerializer,
    GradeChangeViewSet,
    GradePolicySerializer,
    GradePolicyViewSet,
)
from .indicators import GradeIndicatorView, IndicatorView, InspectionIndicatorView
from .inspections import (
    CheckAnswerSerializer,
    CheckSerializer,
    CompleteSerializer,
    DepartmentRefSerializer,
    FindingCreateSerializer,
    InspectionFilter,
    InspectionSerializer,
    InspectionViewSet,
    ItemRefSerializer,
    OfficerRefSerializer,
    ScheduleSerializer,
    ShowCodeSerializer,
    VisitRecordAnswerSerializer,
)
from .items import ItemSerializer, ItemViewSet, LenientEntrySerializer
from .observation import (
    ObservationDecisionSerializer,
    ObservationOpenSerializer,
    ObservationPeriodSerializer,
    ObservationPeriodViewSet,
)
from .plans import (
    CoordinationSerializer,
    CoordinationViewSet,
    PlanEntryFilter,
    PlanEntrySerializer,
    PlanEntryViewSet,
)

__all__ = [
    "CheckAnswerSerializer",
    "CheckSerializer",
    "CompleteSerializer",
    "CoordinationSerializer",
    "CoordinationViewSet",
    "DepartmentRefSerializer",
    "DueEnterpriseSerializer",
    "DueEnterpriseViewSet",
    "EvidenceOutSerializer",
    "FindingCreateSerializer",
    "FindingDecisionSerializer",
    "FindingEvidenceSerializer",
    "FindingFilter",
    "FindingSerializer",
    "FindingViewSet",
    "GradeChangeSerializer",
    "GradeChangeViewSet",
    "GradeIndicatorView",
    "GradePolicySerializer",
    "GradePolicyViewSet",
    "IndicatorView",
    "InspectionFilter",
    "InspectionIndicatorView",
    "InspectionReasonSerializer",
    "InspectionSerializer",
    "InspectionViewSet",
    "ItemRefSerializer",
    "ItemSerializer",
    "ItemViewSet",
    "LenientEntrySerializer",
    "ObservationDecisionSerializer",
    "ObservationOpenSerializer",
    "ObservationPeriodSerializer",
    "ObservationPeriodViewSet",
    "OfficerRefSerializer",
    "PlanEntryFilter",
    "PlanEntrySerializer",
    "PlanEntryViewSet",
    "ReinspectAnswerSerializer",
    "ReinspectSerializer",
    "ReinspectionOutSerializer",
    "ScheduleSerializer",
    "ShowCodeSerializer",
    "UploadedFileSerializer",
    "VisitRecordAnswerSerializer",
]
