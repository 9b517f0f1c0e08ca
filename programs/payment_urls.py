"""URLs of the payment backend (mounted under /payments/)."""

from django.urls import path

from . import payment_views

app_name = "payments"
urlpatterns = [
    path("callback/", payment_views.payment_callback, name="callback"),
    path("simulator/<str:reference>/", payment_views.simulator_cashier, name="simulator-cashier"),
    path("simulator/<str:reference>/done/", payment_views.simulator_result, name="simulator-result"),
]
