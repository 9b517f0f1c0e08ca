"""The staff admin for the shared core, and ``RoleScopedAdmin``, the base every app's admin uses: who may see
and edit a model is declared by role, every list is narrowed by ``scope``, nothing is hard-deleted."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import audit_display, exports, services
from .forms import AdminPasswordChangeForm
from .models import AuditEntry, Department, Enterprise, Notification, Region, User
from .pagination import CappedPaginator
from .pickers import RegionChoiceField, region_list_filter
from .roles import STAFF
from .selectors import scope


class AuditHistoryInline(GenericTabularInline):
    """The read-only history of an object's status and grade changes."""

    model = AuditEntry
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = ["when", "field_label", "old_display", "new_display", "actor_display", "reason"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    verbose_name_plural = _("history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # whoever may open the object may read its history

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "content_type")

    @admin.display(description=_("time"))
    def when(self, entry):
        return audit_display.change_time(entry)

    @admin.display(description=_("field"))
    def field_label(self, entry):
        return audit_display.field_label(entry)

    @admin.display(description=_("old value"))
    def old_display(self, entry):
        return audit_display.value_label(entry, entry.old_value)

    @admin.display(description=_("new value"))
    def new_display(self, entry):
        return audit_display.value_label(entry, entry.new_value)

    @admin.display(description=_("actor"))
    def actor_display(self, entry):
        return audit_display.actor_label(entry)


class ReasonActionForm(ActionForm):
    """The admin action bar with a reason field, for actions that record why (cancel, reject, withdraw)."""

    reason = forms.CharField(label=_("Reason"), required=False)


def action_reason(request) -> str:
    return request.POST.get("reason", "").strip()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


def service_action(function, description, success_message, *, ask_reason: bool = False, **fixed):
    """The one way to make an admin action: ``function(obj, actor, request, **fixed)`` is called for each selected
    row through ``RoleScopedAdmin.run_service``, which reports each refusal by row and goes on with the rest.

    ``ask_reason``: an intermediate page asks for the reason first; ``function`` reads it with ``action_reason``.
    """

    def run(modeladmin, request, queryset):
        if ask_reason and "apply" not in request.POST:
            return _reason_page(modeladmin, request, queryset, ReasonForm(), description)
        if ask_reason:
            form = ReasonForm(request.POST)
            if not form.is_valid():
                return _reason_page(modeladmin, request, queryset, form, description)
        modeladmin.run_service(
            request, queryset, lambda obj, actor: function(obj, actor, request, **fixed), success_message
        )
        return None

    run.short_description = description
    suffix = "_".join(str(value) for value in fixed.values())
    run.__name__ = f"action_{function.__name__.lstrip('_')}{'_' + suffix if suffix else ''}"
    return run


def _reason_page(modeladmin, request, queryset, form, title):
    return render(
        request,
        "programs/action_reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST["action"],
            "opts": modeladmin.model._meta,
        },
    )


EXPORT_PARAM = "_export"


class _RefusalOnTheForm:
    """Mixed into a form shown again after a service refused its save: the refusal's messages on their fields."""

    refusal: ValidationError

    def clean(self):
        data = super().clean()
        errors = self.refusal.error_dict if hasattr(self.refusal, "error_dict") else {None: self.refusal.error_list}
        for field, field_errors in errors.items():
            self.add_error(field if field in self.fields else None, field_errors)
        return data


def grouped_number_column(model, name):
    """A list column of an amount or a count shows the locale's grouping (1,540,000.00), which Django's lists
    give only with ``USE_THOUSAND_SEPARATOR``, a setting that would also group the ids templates put in URLs."""
    if not isinstance(name, str):
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if field.primary_key or field.choices or not isinstance(field, (models.DecimalField, models.IntegerField)):
        return name
    places = getattr(field, "decimal_places", None)

    @admin.display(description=field.verbose_name, ordering=name)
    def column(obj):
        value = getattr(obj, name)
        return "" if value is None else number_format(value, decimal_pos=places, force_grouping=True)

    column.__name__ = name
    column.raw_field = name  # exports write the number itself (a number cell), not its display
    return column


class RoleScopedAdmin(admin.ModelAdmin):
    """Declare ``view_roles`` and ``edit_roles``, and ``scope_paths`` (the lookups to the row's region,
    department and enterprise, as ``programs.selectors.scope`` takes them); ``region_levels`` names the levels
    a region picker offers (``{"village": (Region.Level.VILLAGE,)}``).

    Every foreign key of a form offers only what the editor may see (a region: their own area, by place path);
    a service's refusal of a save is shown on the form, never as a success or a server error."""

    view_roles: tuple[str, ...] = ()
    edit_roles: tuple[str, ...] = ()
    scope_paths: dict[str, str] = {}
    region_levels: dict[str, tuple[str, ...]] = {}
    # The paginator's filtered count is the one count: "of 90,000 in all" would scan the whole scope again. And it
    # stops at API_COUNT_CAP rows ("10,000+", templates/admin/pagination.html): a city's list is not counted whole.
    show_full_result_count = False
    paginator = CappedPaginator

    def action_checkbox(self, obj):
        """Django's own row checkbox, the same markup written directly: rendering a CheckboxInput through the form
        renderer on every row was the largest part of a list's time outside SQL (issue 16)."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )

    def _role_in(self, request, roles) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.role in roles)

    def has_module_permission(self, request):
        return self._role_in(request, self.view_roles + self.edit_roles)

    def has_view_permission(self, request, obj=None):
        return self._role_in(request, self.view_roles + self.edit_roles)

    def has_add_permission(self, request):
        return self._role_in(request, self.edit_roles)

    def has_change_permission(self, request, obj=None):
        return self._role_in(request, self.edit_roles)

    def has_delete_permission(self, request, obj=None):
        # What a person recorded is archived or cancelled, never deleted from the admin.
        return False

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, **self.scope_paths)

    def get_list_display(self, request):
        return [grouped_number_column(self.model, name) for name in super().get_list_display(request)]

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self.scope_paths.get("region"):
            filters.append(region_list_filter(self.scope_paths["region"]))
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        related_admin = self.admin_site._registry.get(related)
        if related is Region:
            kwargs.setdefault("form_class", RegionChoiceField)
            kwargs.update(actor=request.user, levels=self.region_levels.get(db_field.name, ()))
        elif isinstance(related_admin, RoleScopedAdmin) and "queryset" not in kwargs:
            kwargs["queryset"] = related_admin.get_queryset(request)
            kwargs["error_messages"] = {"invalid_choice": _("Choose one of your own area's records.")}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A ValidationError out of ``save_model`` is the service refusing: the save was rolled back (the view is
        # atomic); the form is shown again with the refusal on its fields.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:
            if request.method != "POST" or hasattr(request, "service_refusal"):
                raise
            request.service_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "service_refusal", None)
        if refusal is None:
            return form
        return type(form.__name__, (_RefusalOnTheForm, form), {"refusal": refusal})

    def changelist_view(self, request, extra_context=None):
        """``?_export=xlsx`` or ``csv`` downloads the list as filtered, with its columns."""
        fmt = request.GET.get(EXPORT_PARAM)
        if fmt in exports.FORMATS and self.has_view_permission(request):
            request.GET = request.GET.copy()
            del request.GET[EXPORT_PARAM]
            queryset = self.get_changelist_instance(request).get_queryset(request)
            return exports.export_response(self, request, queryset, fmt)
        return super().changelist_view(request, extra_context)

    def run_service(self, request, queryset, service, success_message, **kwargs):
        """Call ``service(<obj>, actor=…)`` for each selected row; report refusals by name, keep the rest."""
        done = 0
        for obj in queryset:
            try:
                service(obj, actor=request.user, **kwargs)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR)
            except PermissionDenied as exc:
                self.message_user(request, f"{obj}: {exc or _('Your role does not allow this.')}", messages.ERROR)
        if done:
            self.message_user(request, success_message % {"count": done}, messages.SUCCESS)


@admin.register(Region)
class RegionAdmin(RoleScopedAdmin):
    view_roles = STAFF
    list_display = ["code", "name", "level", "parent", "latitude", "longitude"]
    list_filter = ["level"]
    # The pickers search here: "东海" finds the villages so named, "东沙 东海" the one under 东沙镇.
    search_fields = ["name", "parent__name", "parent__parent__name", "=code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        return Region.objects.select_related("parent")  # reference data: every staff member reads all of it

    def get_readonly_fields(self, request, obj=None):
        # A division code is the region's identity: rows store it for their scope (StoresRegionCode), and a
        # prefix of it is every subtree. A reissued code is a new region, to which the enterprises then move.
        return ["code"] if obj is not None else []


@admin.register(Department)
class DepartmentAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = (User.Role.COORDINATOR,)
    scope_paths = {"region": "region"}
    list_display = ["name", "kind", "region", "head"]
    list_filter = ["kind"]
    search_fields = ["name", "region__name"]
    list_select_related = ["region", "head"]
    autocomplete_fields = ["region"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "head":  # the head is one of the department's officers (Department.clean)
            kwargs["queryset"] = scope(User.objects.filter(role=User.Role.OFFICER), request.user, region="region")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Enterprise)
class EnterpriseAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = (User.Role.COORDINATOR, User.Role.OFFICER)
    scope_paths = {"region": "region", "enterprise": "pk"}  # a grid manager: their micro-grids' enterprises
    list_display = ["name", "credit_code", "region", "industry", "size", "is_key", "is_four_new", "grade", "micro_grid"]
    # the region: RoleScopedAdmin's drill-down filter; the micro-grid: in one or not (the picker is the form's)
    list_filter = ["grade", "size", "is_key", "is_four_new", ("micro_grid", admin.EmptyFieldListFilter)]
    search_fields = ["name", "credit_code", "address"]
    list_select_related = ["region", "micro_grid__grid"]
    autocomplete_fields = ["region"]
    readonly_fields = ["grade", "grade_changed_at", "created_at"]
    inlines = [AuditHistoryInline]

    def lookup_allowed(self, lookup, value, request=None):
        # The dashboard's grade map links to a region's enterprises by division-code prefix.
        return lookup == "region__code__startswith" or super().lookup_allowed(lookup, value, request)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.enterprise_update(enterprise=obj, actor=request.user, **fields)
        else:
            created = services.enterprise_create(
                actor=request.user, **{f: form.cleaned_data[f] for f in form.cleaned_data}
            )
            obj.pk = created.pk


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "region", "department", "enterprise", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["region", "department", "enterprise"]
    autocomplete_fields = ["region", "department", "enterprise"]
    # Rights come from the role (programs.roles), never from Django's groups and model permissions, whose names
    # are stored in English ("Can add log entry"): those two fields are left out.
    fieldsets = (
        *(
            (name, {**options, "fields": [f for f in options["fields"] if f not in ("groups", "user_permissions")]})
            for name, options in DjangoUserAdmin.fieldsets
        ),
        (_("Role and scope"), {"fields": ["role", "region", "department", "enterprise", "phone"]}),
    )
    change_password_form = AdminPasswordChangeForm  # a new password revokes the user's API tokens

    def save_model(self, request, obj, form, change):
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True  # the service deactivates, revokes the API tokens and writes the audit row
        super().save_model(request, obj, form, change)
        if deactivating:
            services.user_deactivate(user=obj, actor=request.user)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # people leave: deactivate the account, the records they signed stay theirs

    has_view_permission = has_change_permission = has_add_permission = lambda self, request, obj=None: (
        request.user.is_superuser
    )


class AuditFieldFilter(admin.SimpleListFilter):
    """The changed field by its label (状态, 创建), not by its name in the code."""

    title = _("field")
    parameter_name = "field"

    def lookups(self, request, model_admin):
        labels = {}
        for content_type_id, name in AuditEntry.objects.values_list("content_type", "field").distinct():
            if name not in labels:
                entry = AuditEntry(content_type=ContentType.objects.get_for_id(content_type_id), field=name)
                labels[name] = audit_display.field_label(entry)
        return sorted(labels.items(), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(field=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(RoleScopedAdmin):
    view_roles = (User.Role.COORDINATOR,)
    list_display = [
        "created_at",
        "content_type",
        "object_id",
        "field_label",
        "old_display",
        "new_display",
        "actor_display",
        "reason",
    ]
    list_filter = [("content_type", admin.RelatedOnlyFieldListFilter), AuditFieldFilter]
    # The row as a person reads it; the action code and the JSON details stay for the API and exports.
    fields = [
        "created_at",
        "content_type",
        "object_id",
        "field_label",
        "old_display",
        "new_display",
        "actor_display",
        "reason",
    ]
    readonly_fields = fields
    search_fields = ["reason", "actor__username", "actor_label"]
    list_select_related = ["content_type", "actor"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # The log itself carries no region; a coordinator reads all of it, as the bureau's auditor.
        return AuditEntry.objects.select_related("content_type", "actor")

    def has_change_permission(self, request, obj=None):
        return False

    field_label = AuditHistoryInline.field_label
    old_display = AuditHistoryInline.old_display
    new_display = AuditHistoryInline.new_display

    @admin.display(description=_("actor"))
    def actor_display(self, entry):
        return audit_display.actor_label(entry)


@admin.register(Notification)
class NotificationAdmin(RoleScopedAdmin):
    view_roles = (User.Role.COORDINATOR,)
    list_display = ["subject", "channel", "status", "due_at", "sent_at", "attempts", "recipient"]
    list_filter = ["channel", "status"]
    search_fields = ["dedupe_key", "subject"]
    list_select_related = ["recipient"]
    date_hierarchy = "due_at"
    # Addresses and bodies may carry personal data: the list shows neither.
    fields = ["dedupe_key", "channel", "status", "subject", "due_at", "sent_at", "attempts", "last_error", "read_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return Notification.objects.select_related("recipient")
