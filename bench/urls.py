"""The product's URLs plus the bare comparison views under /bench/."""

from django.urls import include, path

from . import api_layers, views

urlpatterns = [
    path("bench/enterprises/", views.enterprises, name="bench-enterprises"),
    path("bench/plan-entries/", views.plan_entries, name="bench-plan-entries"),
    path("bench/slots/", views.free_slots, name="bench-free-slots"),
    path("bench/bookings/", views.my_bookings, name="bench-my-bookings"),
    path("bench/positions-near-me/", views.positions_near_me, name="bench-positions-near-me"),
    path("bench/field-week/", views.field_week, name="bench-field-week"),
    *api_layers.urlpatterns,
    path("", include("portal.urls")),
]
