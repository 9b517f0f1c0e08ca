"""The officers' field area, under /field/ (the service worker's scope)."""

from django.urls import path

from . import views

app_name = "field"
urlpatterns = [
    path("", views.home, name="home"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("reinspections/", views.reinspections, name="reinspections"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("offline/", views.offline, name="offline"),
]
