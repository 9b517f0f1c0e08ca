from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views
from .rest import api_not_found

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("enterprise/", views.enterprise_area, name="enterprise-area"),
    path("admin/imports/", views.import_start, name="import-start"),
    path("admin/imports/<int:job_id>/", views.import_job, name="import-job"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("programs.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/<path:rest>", api_not_found),
    path("", include("inspections.urls")),
    path("", include("guidance.urls")),
    path("", include("workshops.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
