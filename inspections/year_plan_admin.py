"""The staff admin of year plans (年计划): a department's officers draft a plan, add its entries month by month and
submit it; the department head approves, returns or publishes it; the month table shows what each month's
coordination made of its entries. Registered on import from ``inspections.admin``."""

from datetime import date

from django import forms
from django.contrib import admin
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, RoleScopedAdmin, action_reason, service_action
from programs.models import Department, Enterprise, User
from programs.roles import ENFORCEMENT
from programs.selectors import scope

from . import selectors
from .models import InspectionItem, PlanEntry, YearPlan
from .services import plans as plan_services

# --- Year plans (年计划) -----------------------------------------------------------------------------------


def _submit_plan(plan, actor, request):
    plan_services.year_plan_submit(plan=plan, actor=actor)


def _approve_plan(plan, actor, request):
    plan_services.year_plan_approve(plan=plan, actor=actor)


def _return_plan(plan, actor, request):
    plan_services.year_plan_return(plan=plan, actor=actor, reason=action_reason(request))


def _publish_plan(plan, actor, request):
    plan_services.year_plan_publish(plan=plan, actor=actor)


class YearPlanEntryForm(forms.ModelForm):
    """A new entry of the plan: the month is chosen among the plan's year's twelve."""

    month_of_year = forms.TypedChoiceField(
        label=_("month"), coerce=int, choices=[("", "---------"), *((n, MONTHS[n]) for n in range(1, 13))]
    )

    class Meta:
        model = PlanEntry
        fields = ["enterprise", "items", "mode", "note"]
        widgets = {"note": forms.TextInput(attrs={"size": 20})}


def _drafts_in(request, plan) -> bool:
    """Entries are added by an officer of the plan's department while the plan is a draft or returned."""
    user = request.user
    if not (user.is_superuser or user.role == User.Role.OFFICER):
        return False
    if plan is None:
        return True
    return plan.editable and (user.is_superuser or user.department_id == plan.department_id)


class YearPlanNewEntryInline(admin.TabularInline):
    model = PlanEntry
    fk_name = "year_plan"
    form = YearPlanEntryForm
    fields = ["month_of_year", "enterprise", "items", "mode", "note"]
    autocomplete_fields = ["enterprise"]
    extra = 3
    can_delete = False
    verbose_name = _("new entry")
    verbose_name_plural = _("add entries")

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_add_permission(self, request, obj=None):
        return _drafts_in(request, obj)

    def has_change_permission(self, request, obj=None):
        return _drafts_in(request, obj)

    def has_view_permission(self, request, obj=None):
        return _drafts_in(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "enterprise":
            kwargs["queryset"] = scope(Enterprise.objects.all(), request.user, region="region")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "items":
            items = InspectionItem.objects.filter(is_active=True).select_related("department")
            if not request.user.is_superuser:
                items = items.filter(Q(department_id=request.user.department_id) | Q(simple=True))
            kwargs["queryset"] = items.order_by("code")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        """On a plan's page, the items offered are the plan's department's own (in the user's area), not every
        district's: the same department the entries are checked against (``plan_entry_errors``)."""
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("items")
        if obj is not None and field is not None:  # the form class is made for this request: changing it is safe
            items = InspectionItem.objects.filter(is_active=True, department_id=obj.department_id)
            field.queryset = scope(items, request.user, region="department__region").order_by("code")
        return formset


class YearPlanEntryInline(admin.TabularInline):
    model = PlanEntry
    fk_name = "year_plan"
    fields = ["month", "enterprise", "mode", "status", "cut_reason", "inspection"]
    readonly_fields = fields
    ordering = ["month", "enterprise__name", "id"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("entries of the plan")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(YearPlan)
class YearPlanAdmin(RoleScopedAdmin):
    """A department's year plan: its officers draft it (entries added below) and submit it; the department head
    approves, returns or publishes it (the actions); the month table shows what each month's coordination made
    of its entries, each figure a link to the entries behind it."""

    view_roles = ENFORCEMENT
    edit_roles = (User.Role.OFFICER,)
    scope_paths = {"region": "department__region", "department": "department_id"}
    list_display = ["department", "year_label", "status", "submitted_by", "approved_by", "published_at"]
    list_filter = ["status", "year"]
    list_select_related = ["department", "submitted_by", "approved_by"]
    search_fields = ["department__name"]
    inlines = [YearPlanNewEntryInline, YearPlanEntryInline, AuditHistoryInline]
    actions = ["submit", "approve", "return_plan", "publish"]

    submit = service_action(
        _submit_plan, _("Submit the selected year plans to the department head"), _("%(count)s year plans submitted.")
    )
    approve = service_action(
        _approve_plan, _("Approve the selected year plans (department head)"), _("%(count)s approved.")
    )
    return_plan = service_action(
        _return_plan, _("Return the selected year plans with a reason"), _("%(count)s returned."), ask_reason=True
    )
    publish = service_action(
        _publish_plan, _("Publish the selected year plans: submit their entries"), _("%(count)s published.")
    )

    @admin.display(description=YearPlan._meta.get_field("year").verbose_name, ordering="year")
    def year_label(self, plan):
        return str(plan.year)  # a year, not a quantity: never grouped as "2,026"

    def get_ordering(self, request):
        # The plans waiting for the head's decision (submitted) come first, then the newest years.
        waiting = Case(
            When(status=YearPlan.Status.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [waiting.asc(), "-year", "department__name"]

    def has_change_permission(self, request, obj=None):
        # A plan's own fields never change here; its page is an editing one only while entries may be added.
        return super().has_change_permission(request, obj) and (obj is None or _drafts_in(request, obj))

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["department", "year"]
        return [
            "department",
            "year",
            "status",
            "return_reason",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "published_at",
            "month_table",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_changeform_initial_data(self, request):
        return {"department": request.user.department_id, "year": timezone.localdate().year + 1}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department" and not request.user.is_superuser:
            kwargs["queryset"] = Department.objects.filter(pk=request.user.department_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing of the plan itself is edited here: its entries are added below, its status by actions
        plan = plan_services.year_plan_create(
            department=form.cleaned_data["department"], year=form.cleaned_data["year"], actor=request.user
        )
        obj.pk, obj.status, obj.created_by = plan.pk, plan.status, plan.created_by
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if not issubclass(formset.form, YearPlanEntryForm):
            super().save_formset(request, form, formset, change)
            return
        plan = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # for the change message
        for entry_form in formset.forms:
            data = getattr(entry_form, "cleaned_data", None)
            if not data or not entry_form.has_changed():
                continue
            entry = plan_services.plan_entry_create(
                department=plan.department,
                enterprise=data["enterprise"],
                items=data["items"],
                month=date(plan.year, data["month_of_year"], 1),
                mode=data["mode"],
                note=data.get("note", ""),
                actor=request.user,
                year_plan=plan,
            )
            formset.new_objects.append(entry)

    @admin.display(description=_("month by month"))
    def month_table(self, obj):
        changelist = reverse("admin:inspections_planentry_changelist")
        columns = [
            ("entries", _("entries"), {}),
            ("planned", _("planned"), {"status__in": "submitted,executed,cut"}),
            ("pending", _("pending"), {"status": "submitted"}),
            ("executed", _("executed"), {"status": "executed"}),
            ("cut", _("cut"), {"status": "cut"}),
        ]

        def cell(row, key, params):
            if not row[key]:
                return format_html("<td>{}</td>", 0)
            query = urlencode({"year_plan__id__exact": obj.pk, "month": f"{row['month']:%Y-%m-%d}", **params})
            return format_html('<td><a href="{}?{}">{}</a></td>', changelist, query, row[key])

        def rate(value):
            return "—" if value is None else f"{value} %"

        months = selectors.year_plan_months(obj)
        header = format_html_join(
            "",
            "<th>{}</th>",
            [
                (_("month"),),
                *((label,) for _key, label, _p in columns),
                (_("coordination rate"),),
                (_("reduction rate"),),
            ],
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td>{}<td>{}</td><td>{}</td></tr>",
            (
                (
                    MONTHS[row["month"].month],
                    format_html_join("", "{}", ((cell(row, key, params),) for key, _label, params in columns)),
                    rate(row["coordination_rate"]),
                    rate(row["reduction_rate"]),
                )
                for row in months
            ),
        )
        return format_html(
            '<table class="year-plan-months"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', header, body
        )


__all__ = ["YearPlanAdmin"]
