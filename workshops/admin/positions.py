"""Positions in the staff admin: edited by organisers, closed and reopened through actions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, ReasonActionForm, RoleScopedAdmin, action_reason, service_action
from programs.roles import ORGANISERS, WORKSHOP_STAFF

from .. import services
from ..models import Position


def _close_position(position, actor, request):
    services.position_close(position=position, actor=actor, reason=action_reason(request))


def _reopen_position(position, actor, request):
    services.position_reopen(position=position, actor=actor, reason=action_reason(request))


@admin.register(Position)
class PositionAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_STAFF
    edit_roles = ORGANISERS
    scope_paths = {"region": "workshop__village"}
    list_display = ["title", "workshop", "category", "openings", "accepted_count", "pay_amount", "pay_unit"]
    list_display += ["accessible", "seasonal_end", "status"]
    list_filter = ["category", "status", "accessible", "pay_unit"]
    search_fields = ["title", "workshop__name"]
    list_select_related = ["workshop"]
    autocomplete_fields = ["workshop"]
    readonly_fields = ["accepted_count", "status", "created_at"]
    inlines = [AuditHistoryInline]
    action_form = ReasonActionForm
    actions = [
        service_action(_close_position, _("Close"), _("%(count)d positions closed.")),
        service_action(_reopen_position, _("Reopen"), _("%(count)d positions reopened.")),
    ]

    def save_model(self, request, obj, form, change):
        # The form's fields are the service's (``services.POSITION_FIELDS``); status and places are read-only.
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.position_update(position=obj, actor=request.user, **fields)
        else:
            obj.pk = services.position_create(actor=request.user, **form.cleaned_data).pk
