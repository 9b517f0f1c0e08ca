"""Activities (live-stream sessions, trainings) in the staff admin: recorded, and cancelled with a
reason, never rewritten."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, ReasonActionForm, RoleScopedAdmin, action_reason, service_action
from programs.roles import ORGANISERS, WORKSHOP_STAFF

from .. import services
from ..models import Activity


def _cancel_activity(activity, actor, request):
    services.activity_cancel(activity=activity, actor=actor, reason=action_reason(request))


@admin.register(Activity)
class ActivityAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_STAFF
    edit_roles = ORGANISERS
    scope_paths = {"region": "workshop__village"}
    list_display = ["title", "workshop", "kind", "held_on", "sessions", "participants", "revenue", "is_cancelled"]
    list_filter = ["kind", "is_cancelled"]
    list_select_related = ["workshop"]
    autocomplete_fields = ["workshop"]
    exclude = ["recorded_by"]
    readonly_fields = ["is_cancelled"]
    date_hierarchy = "held_on"
    action_form = ReasonActionForm
    actions = [service_action(_cancel_activity, _("Cancel (give a reason)"), _("%(count)d cancelled."))]
    inlines = [AuditHistoryInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # a record is cancelled, not rewritten

    def save_model(self, request, obj, form, change):
        obj.pk = services.activity_record(actor=request.user, **form.cleaned_data).pk
