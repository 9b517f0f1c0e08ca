"""The site's URLs: every app's pages and API routes put together (the root URL configuration)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from programs import forms as core_forms
from programs import views as core_views
from programs.rest import api_not_found

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("files/<str:kind>/<int:pk>/", core_views.file_download, name="file-download"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    # Django's own views, with the core's forms: a new password revokes the user's API tokens.
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=core_forms.PasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=core_forms.SetPasswordForm),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("enterprise/", views.enterprise_area, name="enterprise-area"),
    path("enterprise/bookings/<int:pk>/claim/", views.enterprise_booking_claim, name="enterprise-booking-claim"),
    path("admin/imports/", views.import_start, name="import-start"),
    path("admin/imports/<int:job_id>/", views.import_job, name="import-job"),
    path("admin/exports/", include("portal.export_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/<path:rest>", api_not_found),
    path("payments/", include("programs.payment_urls")),
    path("field/", include("inspections.field.urls")),
    path("", include("inspections.urls")),
    path("", include("guidance.urls")),
    path("", include("workshops.urls")),
]
# Uploaded files are never served from MEDIA_URL, in any mode: only through file-download, which checks rights.
