"""The staff admin for guidance: coordinators edit themes and publish slots; bookings and risks change status
only through actions that call the same services as the API, each leaving its audit row."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programs.admin import STAFF, AuditHistoryInline, ReasonActionForm, RoleScopedAdmin, action_reason
from programs.models import User
from programs.selectors import department_list, officer_list, scope

from . import services
from .models import Advice, Booking, Risk, Slot, SlotTemplate, Theme

COORDINATOR = (User.Role.COORDINATOR,)
VISIT_STAFF = (User.Role.COORDINATOR, User.Role.OFFICER)


@admin.register(Theme)
class ThemeAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = COORDINATOR
    list_display = ["title", "code", "duration_minutes", "offers_online", "offers_onsite", "is_active", "position"]
    list_editable = ["position"]
    list_filter = ["is_active", "offers_online", "offers_onsite"]
    search_fields = ["title", "code", "description"]
    filter_horizontal = ["departments", "items"]

    def get_queryset(self, request):
        return Theme.objects.all()  # reference data: every staff member reads all themes


@admin.register(SlotTemplate)
class SlotTemplateAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = COORDINATOR
    scope_paths = {"region": "region"}
    list_display = ["__str__", "region", "capacity", "is_active"]
    list_filter = ["weekday", "mode", "is_active"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["themes"]


@admin.register(Slot)
class SlotAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = COORDINATOR
    scope_paths = {"region": "region"}
    list_display = ["__str__", "region", "capacity", "booked", "is_withdrawn", "template"]
    list_filter = ["mode", "is_withdrawn"]
    list_select_related = ["region", "template"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["themes"]
    readonly_fields = ["booked", "template", "is_withdrawn", "created_at"]
    inlines = [AuditHistoryInline]
    date_hierarchy = "starts_at"
    action_form = ReasonActionForm
    actions = ["withdraw"]

    @admin.action(description=_("Withdraw (cancel its bookings with the reason above)"))
    def withdraw(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda slot, actor: services.slot_withdraw(slot=slot, actor=actor, reason=action_reason(request)),
            _("%(count)d slots withdrawn."),
        )


class AdviceInline(admin.TabularInline):
    model = Advice
    extra = 0
    can_delete = False
    fields = ["item", "text", "author", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RiskInline(admin.TabularInline):
    model = Risk
    extra = 0
    can_delete = False
    fields = ["item", "description", "deadline", "status", "evidence_note", "rectified_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


def _confirm(booking, actor, request):
    services.booking_confirm(booking=booking, actor=actor)


def _complete(booking, actor, request):
    services.booking_complete(booking=booking, actor=actor)


def _no_show(booking, actor, request):
    services.booking_mark_no_show(booking=booking, actor=actor, reason=action_reason(request))


def _cancel(booking, actor, request):
    services.booking_cancel(booking=booking, actor=actor, reason=action_reason(request))


def _letter(booking, actor, request):
    services.letter_issue(booking=booking, actor=actor)


def _action(function, description, message):
    def run(modeladmin, request, queryset):
        modeladmin.run_service(request, queryset, lambda obj, actor: function(obj, actor, request), message)

    run.short_description = description
    run.__name__ = f"action{function.__name__}"
    return run


@admin.register(Booking)
class BookingAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = VISIT_STAFF
    scope_paths = {"region": "region", "department": "departments", "enterprise": "enterprise_id"}
    list_display = ["reference", "business_name", "theme", "slot", "mode", "status", "region", "escalated_at"]
    list_filter = ["status", "mode", "theme"]
    search_fields = ["reference", "business_name", "credit_code", "contact_name"]
    list_select_related = ["theme", "slot", "region"]
    date_hierarchy = "created_at"
    filter_horizontal = ["departments", "officers"]
    fields = [
        "reference",
        "status",
        "theme",
        "slot",
        "mode",
        "region",
        "enterprise",
        "business_name",
        "credit_code",
        "contact_name",
        "contact_phone",
        "contact_email",
        "address",
        "needs",
        "departments",
        "officers",
        "summary",
        "created_at",
        "confirmed_at",
        "escalated_at",
        "completed_at",
        "cancel_reason",
        "letter_number",
        "letter_issued_at",
        "satisfaction",
        "feedback",
    ]
    # Assignment (departments, officers) and the summary are the only things edited in place.
    readonly_fields = [f for f in fields if f not in ("departments", "officers", "summary")]
    inlines = [AdviceInline, RiskInline, AuditHistoryInline]
    action_form = ReasonActionForm
    actions = [
        _action(_confirm, _("Confirm (assign the theme's departments)"), _("%(count)d bookings confirmed.")),
        _action(_complete, _("Mark the visit completed"), _("%(count)d visits completed.")),
        _action(_no_show, _("Mark no-show"), _("%(count)d bookings marked no-show.")),
        _action(_cancel, _("Cancel (give the reason above)"), _("%(count)d bookings cancelled.")),
        _action(_letter, _("Issue the recommendation letter"), _("%(count)d letters issued.")),
    ]

    def has_add_permission(self, request):
        return False  # bookings come from the public form and the app

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "officers":
            kwargs["queryset"] = officer_list(user=request.user)
        elif db_field.name == "departments":
            kwargs["queryset"] = scope(department_list(), request.user, region="region")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Nothing is saved directly: ``save_related`` hands the assignment and summary to the service."""

    def save_related(self, request, form, formsets, change):
        services.booking_assign(
            booking=form.instance,
            actor=request.user,
            departments=form.cleaned_data["departments"],
            officers=form.cleaned_data["officers"],
            summary=form.cleaned_data["summary"],
        )
        for formset in formsets:  # read-only inlines: nothing changes, but the admin's change message reads them
            self.save_formset(request, form, formset, change=change)


def _risk_confirm(risk, actor, request):
    services.risk_confirm(risk=risk, actor=actor)


def _risk_reject(risk, actor, request):
    services.risk_reject(risk=risk, actor=actor, reason=action_reason(request))


@admin.register(Risk)
class RiskAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = VISIT_STAFF
    scope_paths = {
        "region": "booking__region",
        "department": "booking__departments",
        "enterprise": "booking__enterprise_id",
    }
    list_display = ["description", "booking", "item", "deadline", "status", "evidence_at", "rectified_at"]
    list_filter = ["status"]
    search_fields = ["description", "booking__reference", "booking__business_name"]
    list_select_related = ["booking", "item"]
    fields = [
        "booking",
        "item",
        "description",
        "suggestion",
        "deadline",
        "status",
        "evidence_note",
        "evidence_file",
        "evidence_at",
        "rectified_at",
        "recorded_by",
    ]
    readonly_fields = fields
    inlines = [AuditHistoryInline]
    action_form = ReasonActionForm
    actions = [
        _action(_risk_confirm, _("Confirm rectified"), _("%(count)d risks confirmed rectified.")),
        _action(_risk_reject, _("Reject the evidence (give the reason above)"), _("%(count)d risks reopened.")),
    ]

    def has_add_permission(self, request):
        return False
