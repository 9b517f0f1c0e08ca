"""Pages of the inspections app; its REST routes are in api_urls.py."""

from django.urls import path

from . import case_views, complaint_views, fine_views, ordering_views, repair_views, request_views, views

app_name = "inspections"
urlpatterns = [
    path("verify/", views.verify_form, name="verify-form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("inspections/<int:pk>/code/", views.code_screen, name="code"),
    path("inspections/<int:pk>/documents/<slug:kind>/", views.document, name="document"),
    path("inspections/week/", views.week_schedule, name="week-schedule"),
    path("inspections/mine/", views.enterprise_home, name="enterprise-home"),
    path("inspections/mine/findings/<int:pk>/evidence/", views.evidence_upload, name="evidence"),
    path("inspections/mine/requests/", request_views.request_list, name="request-list"),
    path("inspections/mine/requests/new/", request_views.request_new, name="request-new"),
    path("inspections/mine/requests/<int:pk>/", request_views.request_detail, name="request-detail"),
    path("inspections/mine/assistance/<int:pk>/", request_views.assistance_detail, name="assistance-detail"),
    path("verify/case/<str:code>/", case_views.case_verify, name="case-verify"),
    path("inspections/mine/cases/", case_views.case_index, name="case-list"),
    path("inspections/mine/cases/<int:pk>/", case_views.case_detail, name="case-detail"),
    path("inspections/cases/<int:pk>/documents/<slug:kind>/", case_views.case_document_view, name="case-document"),
    path("inspections/mine/cases/<int:pk>/repair/", repair_views.repair_apply, name="repair-apply"),
    path("inspections/mine/cases/<int:pk>/fine/pay/", fine_views.fine_pay, name="fine-pay"),
    path("inspections/mine/cases/<int:pk>/fine/arrangement/", fine_views.fine_arrangement, name="fine-arrangement"),
    path("complaints/new/", complaint_views.complaint_new, name="complaint-new"),
    path("complaints/follow/<str:token>/", complaint_views.complaint_follow, name="complaint-follow"),
    path("inspections/mine/services/", ordering_views.catalogue, name="services"),
    path("inspections/mine/services/<int:pk>/order/", ordering_views.order, name="service-order"),
    path("inspections/mine/orders/<int:pk>/rate/", ordering_views.rate, name="service-order-rate"),
    path("inspections/mine/orders/<int:pk>/cancel/", ordering_views.cancel, name="service-order-cancel"),
]
