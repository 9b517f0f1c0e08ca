"""REST routes of the inspections app, mounted under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api
from .api.plans import YearPlanViewSet

router = DefaultRouter()
router.register("inspection-items", api.ItemViewSet, basename="inspection-item")
router.register("plan-entries", api.PlanEntryViewSet, basename="plan-entry")
router.register("year-plans", YearPlanViewSet, basename="year-plan")
router.register("coordinations", api.CoordinationViewSet, basename="coordination")
router.register("inspections", api.InspectionViewSet, basename="inspection")
router.register("findings", api.FindingViewSet, basename="finding")
router.register("observation-periods", api.ObservationPeriodViewSet, basename="observation-period")
router.register("grade-changes", api.GradeChangeViewSet, basename="grade-change")
router.register("grade-policies", api.GradePolicyViewSet, basename="grade-policy")
router.register("due-enterprises", api.DueEnterpriseViewSet, basename="due-enterprise")

urlpatterns = [
    path("indicators/inspections/", api.InspectionIndicatorView.as_view(), name="indicators-inspections"),
    path("indicators/grades/", api.GradeIndicatorView.as_view(), name="indicators-grades"),
    path("", include(router.urls)),
]
