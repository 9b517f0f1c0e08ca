"""Pages of the inspections app; its REST routes are in api_urls.py."""

from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("verify/", views.verify_form, name="verify-form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("inspections/<int:pk>/code/", views.code_screen, name="code"),
    path("inspections/<int:pk>/documents/<slug:kind>/", views.document, name="document"),
    path("inspections/week/", views.week_schedule, name="week-schedule"),
    path("inspections/mine/", views.enterprise_home, name="enterprise-home"),
    path("inspections/mine/findings/<int:pk>/evidence/", views.evidence_upload, name="evidence"),
]
