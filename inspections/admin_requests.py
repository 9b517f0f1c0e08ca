"""The staff admin of enterprise requests (企业诉求), their routing table, and joint assistance (联合帮扶): every
change goes through the services (a request filed, given on, answered; a case opened, its tasks set and done, the
case closed by its lead). Registered on import from ``inspections.admin``."""

from django import forms
from django.contrib import admin
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.admin import AuditHistoryInline, RoleScopedAdmin, action_reason, service_action
from programs.models import User
from programs.roles import COORDINATORS, ENFORCEMENT, STAFF
from programs.selectors import scope

from . import request_selectors, selectors
from .models import OPEN_REQUEST_STATUSES, AssistanceCase, AssistanceTask, EnterpriseRequest, RequestRoute
from .services import assistance as assistance_services
from .services import requests as request_services

HANDLERS = (User.Role.COORDINATOR, User.Role.OFFICER, User.Role.GRID_WORKER, User.Role.GRID_MANAGER)


@admin.register(RequestRoute)
class RequestRouteAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = COORDINATORS
    scope_paths = {"region": "region"}
    list_display = ["region", "category", "department", "community", "owner", "response_days", "is_active"]
    list_filter = ["category", "is_active"]
    list_select_related = ["region", "department", "community", "owner"]
    autocomplete_fields = ["department"]
    inlines = [AuditHistoryInline]

    def save_model(self, request, obj, form, change):
        request_services.request_route_save(route=obj, actor=request.user, changed=form.changed_data)


# --- Enterprise requests ---------------------------------------------------------------------------------


def _accept(obj, actor, request):
    request_services.request_accept(request=obj, actor=actor)


class RequestAnswerForm(forms.ModelForm):
    """The handler's answer (and, while it is open, who owns it); the rest of the request is read-only."""

    class Meta:
        model = EnterpriseRequest
        fields = ["owner", "reply"]
        widgets = {"reply": forms.Textarea(attrs={"rows": 6})}


class RequestFileForm(forms.ModelForm):
    """Staff file a request on an enterprise's behalf (a grid manager for an enterprise of their grids)."""

    class Meta:
        model = EnterpriseRequest
        fields = ["enterprise", "category", "title", "description", "channel"]


class OverdueFilter(admin.SimpleListFilter):
    """Open requests past their deadline: the list a five-person office works through first."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("1", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(status__in=OPEN_REQUEST_STATUSES, due_at__lt=timezone.now())
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = pgettext_lazy("request", "owner")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("Mine"))]

    def queryset(self, request, queryset):
        return queryset.filter(owner=request.user) if self.value() == "1" else queryset


READ_ONLY = [
    "reference",
    "enterprise",
    "category",
    "title",
    "description",
    "channel",
    "filed_by",
    "created_at",
    "department",
    "community",
    "due_at",
    "status",
    "answered_at",
    "answered_by",
    "answered_on_time",
    "escalated_at",
    "rating",
    "rating_comment",
    "rated_at",
]


@admin.register(EnterpriseRequest)
class EnterpriseRequestAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = HANDLERS
    scope_paths = {"region": "enterprise__region"}
    # Ten columns fit a 1280-pixel screen; the community and "answered on time" are on the page and in the filters.
    list_display = ["reference", "enterprise", "category", "title", "department", "owner", "due_at"]
    list_display += ["overdue", "status", "rating"]
    list_filter = [OverdueFilter, MineFilter, "status", "category", "channel", "answered_on_time", "rating"]
    # Only the departments of the rows the user may see, never the province's hundreds.
    list_filter += [("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reference", "enterprise__name", "title"]
    list_select_related = ["enterprise", "department", "community", "owner"]
    autocomplete_fields = ["enterprise"]
    date_hierarchy = "created_at"
    actions = [service_action(_accept, _("Take on the selected requests"), _("%(count)d requests taken on."))]
    inlines = [AuditHistoryInline]

    def get_queryset(self, request):
        open_first = Case(When(status__in=OPEN_REQUEST_STATUSES, then=Value(0)), default=Value(1))
        return request_selectors.request_list(user=request.user).annotate(open_first=open_first)

    def get_ordering(self, request):
        # Open requests first, the nearest deadline on top; then the rest, newest first.
        return ["open_first", "due_at", "-created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = RequestFileForm if obj is None else RequestAnswerForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(RequestFileForm._meta.fields)
        return [*READ_ONLY[:9], "owner", "reply", *READ_ONLY[9:]]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if not obj.is_open or not request_services.may_handle(request.user, obj):
            return [*READ_ONLY, "owner", "reply"]
        return READ_ONLY

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":  # the service checks that the one chosen handles this request
            handlers = User.objects.filter(role__in=HANDLERS, is_active=True)
            kwargs["queryset"] = scope(handlers, request.user, region="region").order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            filed = request_services.request_file(actor=request.user, **form.cleaned_data)
            obj.pk, obj._state.adding = filed.pk, False
            return
        current = EnterpriseRequest.objects.get(pk=obj.pk)
        if "owner" in form.changed_data and form.cleaned_data["owner"] is not None:
            current = request_services.request_assign(
                request=current, owner=form.cleaned_data["owner"], actor=request.user
            )
        if "reply" in form.changed_data and form.cleaned_data["reply"].strip():
            request_services.request_answer(request=current, reply=form.cleaned_data["reply"], actor=request.user)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue


# --- Joint assistance ------------------------------------------------------------------------------------


class AssistanceOpenForm(forms.ModelForm):
    class Meta:
        model = AssistanceCase
        fields = ["enterprise", "finding", "request", "title", "problem", "lead_department", "departments"]
        fields += ["target_on"]


class AssistanceTaskInline(admin.TabularInline):
    """The case's tasks: new ones are set here (through the service); their owners mark them done in the tasks'
    list."""

    model = AssistanceTask
    extra = 1
    can_delete = False
    fields = ["department", "owner", "title", "deadline", "status", "note", "done_at"]
    readonly_fields = ["status", "note", "done_at"]

    def has_change_permission(self, request, obj=None):
        return False  # a task once set changes only by its owner marking it done

    def has_add_permission(self, request, obj=None):
        return (
            obj is not None
            and obj.status == AssistanceCase.Status.OPEN
            and assistance_services.is_lead(request.user, obj)
        )

    def has_view_permission(self, request, obj=None):
        return True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            officers = User.objects.filter(role=User.Role.OFFICER, is_active=True)
            kwargs["queryset"] = scope(officers, request.user, region="region").order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


CASE_FIELDS = ["reference", "enterprise", "title", "problem", "finding", "observation_period", "request"]
CASE_FIELDS += ["lead_department", "departments", "target_on", "status", "opened_by", "opened_at", "resolution"]
CASE_FIELDS += ["closed_by", "closed_at"]


def _cancel_case(obj, actor, request):
    assistance_services.assistance_cancel(case=obj, actor=actor, reason=action_reason(request))


@admin.register(AssistanceCase)
class AssistanceCaseAdmin(RoleScopedAdmin):
    view_roles = ENFORCEMENT
    edit_roles = ENFORCEMENT
    scope_paths = {"region": "enterprise__region"}
    list_display = ["reference", "enterprise", "title", "lead_department", "target_on", "status", "closed_at"]
    list_filter = ["status", ("lead_department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reference", "enterprise__name", "title"]
    list_select_related = ["enterprise", "lead_department"]
    autocomplete_fields = ["enterprise"]
    filter_horizontal = ["departments"]
    actions = [
        service_action(_cancel_case, _("Cancel the selected cases"), _("%(count)d cases cancelled."), ask_reason=True)
    ]
    inlines = [AssistanceTaskInline, AuditHistoryInline]

    def get_queryset(self, request):
        return request_selectors.assistance_list(user=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AssistanceOpenForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(AssistanceOpenForm._meta.fields)
        return CASE_FIELDS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = self.get_fields(request, obj)
        if obj.status == AssistanceCase.Status.OPEN and assistance_services.is_lead(request.user, obj):
            return [f for f in fields if f != "resolution"]  # the lead closes the case by recording its resolution
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("finding", "request"):
            kwargs["required"] = False
            if db_field.name == "request":
                kwargs["queryset"] = request_selectors.request_list(user=request.user)
            else:
                kwargs["queryset"] = selectors.finding_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            data = dict(form.cleaned_data)
            data["departments"] = list(data["departments"])
            if data.get("finding") or data.get("request"):
                data.pop("enterprise", None)
            case = assistance_services.assistance_open(actor=request.user, **data)
            obj.pk, obj._state.adding = case.pk, False
            return
        if "resolution" in form.changed_data and form.cleaned_data["resolution"].strip():
            case = AssistanceCase.objects.get(pk=obj.pk)
            assistance_services.assistance_close(
                case=case, resolution=form.cleaned_data["resolution"], actor=request.user
            )

    def save_related(self, request, form, formsets, change):
        if not change:
            return  # the service set the departments; tasks are added once the case exists
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not AssistanceTask:
            return super().save_formset(request, form, formset, change)
        case = AssistanceCase.objects.get(pk=form.instance.pk)
        for task_form in formset.forms:
            data = getattr(task_form, "cleaned_data", None)
            if not data or not task_form.has_changed() or task_form.instance.pk:
                continue
            assistance_services.assistance_task_add(
                case=case,
                department=data["department"],
                owner=data["owner"],
                title=data["title"],
                deadline=data["deadline"],
                actor=request.user,
            )
        return None


def _task_done(obj, actor, request):
    assistance_services.assistance_task_done(task=obj, actor=actor, note=action_reason(request))


@admin.register(AssistanceTask)
class AssistanceTaskAdmin(RoleScopedAdmin):
    view_roles = ENFORCEMENT
    scope_paths = {"region": "case__enterprise__region"}
    list_display = ["title", "case", "department", "owner", "deadline", "overdue", "status", "done_at"]
    list_filter = ["status", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "case__reference", "case__enterprise__name"]
    list_select_related = ["case", "department", "owner"]
    readonly_fields = [f.name for f in AssistanceTask._meta.fields]
    actions = [
        service_action(
            _task_done,
            _("Mark the selected tasks done (say what was done)"),
            _("%(count)d tasks done."),
            ask_reason=True,
        )
    ]
    inlines = [AuditHistoryInline]

    def get_queryset(self, request):
        return request_selectors.assistance_task_list(user=request.user)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue
