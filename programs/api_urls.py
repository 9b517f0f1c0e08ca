"""The shared core's routes under /api/v1/ (the portal puts them together with every app's)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api, grid_api

router = DefaultRouter()
router.register("regions", api.RegionViewSet, basename="region")
router.register("departments", api.DepartmentViewSet, basename="department")
router.register("enterprises", api.EnterpriseViewSet, basename="enterprise")
router.register("officers", api.OfficerViewSet, basename="officer")
router.register("notifications", api.NotificationViewSet, basename="notification")
router.register("grids", grid_api.GridViewSet, basename="grid")
router.register("micro-grids", grid_api.MicroGridViewSet, basename="micro-grid")
router.register("grid-assignments", grid_api.GridAssignmentViewSet, basename="grid-assignment")

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("indicators/grids/", grid_api.GridIndicatorView.as_view(), name="indicators-grids"),
    path("", include(router.urls)),
]
