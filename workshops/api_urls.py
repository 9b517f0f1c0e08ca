"""REST routes of the workshops app, mounted under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("workshops", api.WorkshopViewSet, basename="workshop")
router.register("workshop-positions", api.PositionViewSet, basename="workshop-position")
router.register("workshop-residents", api.ResidentViewSet, basename="workshop-resident")
router.register("workshop-registrations", api.RegistrationViewSet, basename="workshop-registration")
router.register("workshop-employments", api.EmploymentViewSet, basename="workshop-employment")
router.register("workshop-activities", api.ActivityViewSet, basename="workshop-activity")
router.register("workshop-markets", api.MarketViewSet, basename="workshop-market")
router.register("workshop-offers", api.JobOfferViewSet, basename="workshop-offer")
router.register("workshop-courses", api.CourseViewSet, basename="workshop-course")
router.register("workshop-enrolments", api.EnrolmentViewSet, basename="workshop-enrolment")

urlpatterns = [
    path("indicators/workshops/", api.WorkshopIndicatorsView.as_view(), name="indicators-workshops"),
    path("", include(router.urls)),
]
