"""REST routes of the inspections app, mounted under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api
from .api.assistance import AssistanceCaseViewSet, AssistanceTaskViewSet
from .api.cases import PenaltyCaseViewSet
from .api.complaints import ComplaintViewSet
from .api.fines import FineArrangementViewSet, FineViewSet
from .api.ordering import ServiceOfferingViewSet, ServiceOrderViewSet
from .api.plans import YearPlanViewSet
from .api.repair import CaseRepairViewSet, LenientListViewSet, RepairApplicationViewSet
from .api.requests import EnterpriseRequestViewSet, RequestRouteViewSet

router = DefaultRouter()
router.register("inspection-items", api.ItemViewSet, basename="inspection-item")
router.register("plan-entries", api.PlanEntryViewSet, basename="plan-entry")
router.register("year-plans", YearPlanViewSet, basename="year-plan")
router.register("coordinations", api.CoordinationViewSet, basename="coordination")
router.register("inspections", api.InspectionViewSet, basename="inspection")
router.register("findings", api.FindingViewSet, basename="finding")
router.register("penalty-cases", PenaltyCaseViewSet, basename="penalty-case")
router.register("fines", FineViewSet, basename="fine")
router.register("fine-arrangements", FineArrangementViewSet, basename="fine-arrangement")
router.register("observation-periods", api.ObservationPeriodViewSet, basename="observation-period")
router.register("grade-changes", api.GradeChangeViewSet, basename="grade-change")
router.register("grade-policies", api.GradePolicyViewSet, basename="grade-policy")
router.register("due-enterprises", api.DueEnterpriseViewSet, basename="due-enterprise")
router.register("enterprise-requests", EnterpriseRequestViewSet, basename="enterprise-request")
router.register("request-routes", RequestRouteViewSet, basename="request-route")
router.register("assistance-cases", AssistanceCaseViewSet, basename="assistance-case")
router.register("assistance-tasks", AssistanceTaskViewSet, basename="assistance-task")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("service-offerings", ServiceOfferingViewSet, basename="service-offering")
router.register("service-orders", ServiceOrderViewSet, basename="service-order")
router.register("lenient-lists", LenientListViewSet, basename="lenient-list")
router.register("repair-applications", RepairApplicationViewSet, basename="repair-application")
router.register("case-repairs", CaseRepairViewSet, basename="case-repair")

urlpatterns = [
    path("indicators/inspections/", api.InspectionIndicatorView.as_view(), name="indicators-inspections"),
    path("indicators/grades/", api.GradeIndicatorView.as_view(), name="indicators-grades"),
    path("", include(router.urls)),
]
