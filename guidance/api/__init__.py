"""REST endpoints of the guidance app for the mobile clients, one module per entity: themes, free slots,
booking and managing visits (enterprise users), confirming, holding and following them up (staff), risks and
their evidence, the officers' own visits, indicators. Every name is re-exported here for ``api_urls``."""

from ._common import GuidanceReasonSerializer, SlotFull, call_service
from .bookings import (
    BookingViewSet,
    GuidanceAdviceSerializer,
    GuidanceBookingCreateSerializer,
    GuidanceBookingSerializer,
    GuidanceCompleteSerializer,
    GuidanceConfirmSerializer,
    GuidanceFeedbackSerializer,
    GuidanceLetterSerializer,
    GuidanceRescheduleSerializer,
    GuidanceRiskCreateSerializer,
)
from .indicators import IndicatorsView
from .risks import GuidanceEvidenceSerializer, GuidanceRiskSerializer, RiskViewSet
from .sessions import GuidanceSessionCreateSerializer, GuidanceSessionSerializer
from .slots import GuidanceSlotSerializer, SlotViewSet
from .themes import GuidanceItemSerializer, GuidanceThemeSerializer, ThemeViewSet
from .visits import OfficerVisitViewSet

__all__ = [
    "BookingViewSet",
    "GuidanceAdviceSerializer",
    "GuidanceBookingCreateSerializer",
    "GuidanceBookingSerializer",
    "GuidanceCompleteSerializer",
    "GuidanceConfirmSerializer",
    "GuidanceEvidenceSerializer",
    "GuidanceFeedbackSerializer",
    "GuidanceItemSerializer",
    "GuidanceLetterSerializer",
    "GuidanceReasonSerializer",
    "GuidanceRescheduleSerializer",
    "GuidanceRiskCreateSerializer",
    "GuidanceRiskSerializer",
    "GuidanceSessionCreateSerializer",
    "GuidanceSessionSerializer",
    "GuidanceSlotSerializer",
    "GuidanceThemeSerializer",
    "IndicatorsView",
    "OfficerVisitViewSet",
    "RiskViewSet",
    "SlotFull",
    "SlotViewSet",
    "ThemeViewSet",
    "call_service",
]
