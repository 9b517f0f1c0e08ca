"""REST routes of the guidance app, mounted under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("guidance/themes", api.ThemeViewSet, basename="guidance-theme")
router.register("guidance/slots", api.SlotViewSet, basename="guidance-slot")
router.register("guidance/bookings", api.BookingViewSet, basename="guidance-booking")
router.register("guidance/risks", api.RiskViewSet, basename="guidance-risk")
router.register("guidance/visits", api.OfficerVisitViewSet, basename="guidance-visit")

urlpatterns = [
    path("", include(router.urls)),
    path("indicators/guidance/", api.IndicatorsView.as_view(), name="guidance-indicators"),
]
