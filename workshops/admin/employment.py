"""Employment and monthly income in the staff admin: employments are read, income is recorded or corrected
through the service."""

from django.contrib import admin

from programs.admin import AuditHistoryInline, RoleScopedAdmin
from programs.roles import ORGANISERS, WORKSHOP_FIELD_STAFF

from .. import selectors, services
from ..models import Employment, IncomeRecord


class IncomeRecordInline(admin.TabularInline):
    model = IncomeRecord
    fields = ["month", "income", "recorded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(Employment)
class EmploymentAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_FIELD_STAFF
    list_display = ["registration", "start_date", "end_date", "wage", "wage_unit"]
    search_fields = ["registration__reference", "registration__resident__name"]
    list_select_related = ["registration__resident", "registration__position__workshop"]
    readonly_fields = ["registration", "start_date", "end_date", "wage", "wage_unit", "created_at"]
    inlines = [IncomeRecordInline, AuditHistoryInline]

    def get_queryset(self, request):
        return selectors.employment_list(user=request.user)


@admin.register(IncomeRecord)
class IncomeRecordAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_FIELD_STAFF
    edit_roles = ORGANISERS
    scope_paths = {"region": "employment__registration__position__workshop__village"}
    list_display = ["employment", "month", "income", "recorded_by"]
    list_select_related = ["employment__registration__resident", "employment__registration__position", "recorded_by"]
    autocomplete_fields = ["employment"]
    fields = ["employment", "month", "income"]
    date_hierarchy = "month"
    inlines = [AuditHistoryInline]

    def get_readonly_fields(self, request, obj=None):
        return ["employment", "month"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        employment = obj.employment if change else data["employment"]
        month = obj.month if change else data["month"]
        obj.pk = services.income_record(
            employment=employment, month=month, income=data["income"], actor=request.user
        ).pk
