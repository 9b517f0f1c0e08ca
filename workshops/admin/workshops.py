"""Workshops in the staff admin: scoped by region, statuses changed only through actions that call the
services, with the indicators page and each workshop's printable monthly report."""

from datetime import date

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, ReasonActionForm, RoleScopedAdmin, action_reason, service_action
from programs.models import Region
from programs.roles import ORGANISERS, WORKSHOP_STAFF

from .. import selectors, services
from ..models import Workshop


def _set_workshop_status(workshop, actor, request, *, to):
    services.workshop_set_status(workshop=workshop, to=to, actor=actor, reason=action_reason(request))


@admin.register(Workshop)
class WorkshopAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_STAFF
    edit_roles = ORGANISERS
    scope_paths = {"region": "village"}
    region_levels = {"village": (Region.Level.VILLAGE,)}
    list_display = ["name", "kind", "village", "host_enterprise", "manager_name", "status", "opened_on"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "products", "manager_name"]
    list_select_related = ["village", "host_enterprise"]
    autocomplete_fields = ["village", "host_enterprise"]
    readonly_fields = ["status", "closed_on", "created_at", "monthly_report"]
    inlines = [AuditHistoryInline]
    action_form = ReasonActionForm

    @admin.display(description=_("Monthly employment report"))
    def monthly_report(self, workshop):
        if workshop.pk is None:
            return "—"
        url = reverse("admin:workshops_workshop_report", args=[workshop.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the printable report"))

    actions = [
        service_action(_set_workshop_status, _("Open"), _("%(count)d workshops opened."), to="open"),
        service_action(_set_workshop_status, _("Suspend (give a reason)"), _("%(count)d suspended."), to="suspended"),
        service_action(_set_workshop_status, _("Close (give a reason)"), _("%(count)d closed."), to="closed"),
    ]

    def save_model(self, request, obj, form, change):
        # The form's fields are the service's (``services.WORKSHOP_FIELDS``); the status is read-only here.
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.workshop_update(workshop=obj, actor=request.user, **fields)
        else:
            obj.pk = services.workshop_create(actor=request.user, **form.cleaned_data).pk

    def get_urls(self):
        view = self.admin_site.admin_view(self.indicators_view)
        report = self.admin_site.admin_view(self.month_report_view)
        return [
            path("indicators/", view, name="workshops_indicators"),
            path("<int:pk>/report/", report, name="workshops_workshop_report"),
            *super().get_urls(),
        ]

    def month_report_view(self, request, pk):
        """The printable monthly employment report of one workshop (``?month=2025-03``)."""
        workshop = self.get_object(request, pk)
        if workshop is None or not self.has_view_permission(request, workshop):
            raise PermissionDenied
        today = timezone.localdate()
        try:
            month = date.fromisoformat(request.GET["month"] + "-01") if request.GET.get("month") else today
        except ValueError:
            messages.error(request, _("Months are written YYYY-MM."))
            month = today
        report = selectors.workshop_month_report(workshop=workshop, month=month, user=request.user)
        context = {
            **self.admin_site.each_context(request),
            **report,
            "title": _("Monthly employment report"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/month_report.html", context)

    def indicators_view(self, request):
        """The indicators dashboard: the staff member's region and the regions below it, for a period."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        try:
            start = date.fromisoformat(request.GET.get("start", "")) if request.GET.get("start") else None
            end = date.fromisoformat(request.GET.get("end", "")) if request.GET.get("end") else None
        except ValueError:
            start = end = None
            messages.error(request, _("Dates are written YYYY-MM-DD."))
        start, end = start or date(today.year, 1, 1), end or today
        region = request.user.region
        figures = selectors.workshop_indicators(user=request.user, region=region, start=start, end=end)
        rows = (
            selectors.workshop_indicators_by_region(user=request.user, parent=region, start=start, end=end)
            if region is not None
            else []
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Workshop indicators"),
            "figures": figures,
            "rows": rows,
            "start": start,
            "end": end,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/indicators.html", context)
