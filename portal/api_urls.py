"""Everything under /api/v1/: the core's routes and each app's ``api_urls``."""

from django.urls import include, path

urlpatterns = [
    path("", include("programs.api_urls")),
    path("", include("inspections.api_urls")),
    path("", include("guidance.api_urls")),
    path("", include("workshops.api_urls")),
]
