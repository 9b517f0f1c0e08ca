"""The staff admin of grids (网格): a grid with its micro-grids and people inline, a micro-grid with its people
and enterprises, the current assignments with the action that ends them. Coordinators edit; a grid manager
reads their own grids. Every save goes through ``programs.grids``. Registered by one import in ``admin.py``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import grid_selectors, grids
from .admin import AuditHistoryInline, RoleScopedAdmin, service_action
from .models import Enterprise, Grid, GridAssignment, MicroGrid, Region, User
from .roles import GRID_ADMINS, GRID_STAFF, STAFF
from .selectors import scope


def _may_edit(request) -> bool:
    return request.user.is_superuser or request.user.role in GRID_ADMINS


class _PeopleInline(admin.TabularInline):
    """The current assignments of the place; a new row assigns (``grids.grid_assign``); ending one is the
    assignments list's action, so that the row stays with its end time."""

    model = GridAssignment
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0
    can_delete = False
    verbose_name = pgettext_lazy("grid", "person")
    verbose_name_plural = pgettext_lazy("grid", "people")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ended_at__isnull=True).select_related("user")

    def has_add_permission(self, request, obj=None):
        return _may_edit(request)

    def has_change_permission(self, request, obj=None):
        return False  # a row is ended and another added, never rewritten

    def has_view_permission(self, request, obj=None):
        return True  # whoever may open the grid sees its people

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            staff = User.objects.filter(role__in=STAFF, is_active=True).order_by("username")
            kwargs["queryset"] = scope(staff, request.user, region="region")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GridPeopleInline(_PeopleInline):
    fk_name = "grid"
    exclude = ["micro_grid"]


class MicroGridPeopleInline(_PeopleInline):
    fk_name = "micro_grid"
    exclude = ["grid"]


class MicroGridInline(admin.TabularInline):
    model = MicroGrid
    fields = ["code", "name"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return _may_edit(request)

    def has_change_permission(self, request, obj=None):
        return _may_edit(request)

    def has_view_permission(self, request, obj=None):
        return True

    def get_queryset(self, request):
        return grid_selectors.micro_grid_list(user=request.user).prefetch_related(None)


class EnterpriseInline(admin.TabularInline):
    """The micro-grid's enterprises, read here; an enterprise is put into a micro-grid on its own form."""

    model = Enterprise
    fields = ["name", "credit_code", "is_key", "grade"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("enterprises")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, region="region", enterprise="pk").order_by(
            "-is_key", "name"
        )


class _SavedThroughServices:
    """Saves of the form and of the inlines call ``programs.grids`` (checked, audited); a refusal is shown on
    the form (``RoleScopedAdmin.changeform_view``)."""

    def save_formset(self, request, form, formset, change):
        parent = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # the change message
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not hasattr(inline_form, "cleaned_data"):
                continue
            data, row = inline_form.cleaned_data, inline_form.instance
            if formset.model is MicroGrid and row.pk:
                changed = [name for name in inline_form.changed_data if name in grids.GRID_FIELDS]
                saved = grids.micro_grid_update(
                    micro_grid=row, actor=request.user, **{name: data[name] for name in changed}
                )
                formset.changed_objects.append((saved, changed))
            elif formset.model is MicroGrid:
                saved = grids.micro_grid_create(grid=parent, name=data["name"], code=data["code"], actor=request.user)
                formset.new_objects.append(saved)
            elif formset.model is GridAssignment and not row.pk:
                place = {"grid": parent} if isinstance(parent, Grid) else {"micro_grid": parent}
                saved = grids.grid_assign(user=data["user"], role=data["role"], actor=request.user, **place)
                formset.new_objects.append(saved)


@admin.register(Grid)
class GridAdmin(_SavedThroughServices, RoleScopedAdmin):
    view_roles = GRID_STAFF
    edit_roles = GRID_ADMINS
    scope_paths = {"region": "community", "micro_grid": "micro_grids"}
    region_levels = {"community": (Region.Level.VILLAGE,)}
    list_display = ["name", "code", "community", "micro_grid_count", "enterprise_count", "key_enterprise_count"]
    search_fields = ["name", "code", "community__name"]
    fields = ["community", "name", "code"]
    inlines = [MicroGridInline, GridPeopleInline, AuditHistoryInline]

    def get_queryset(self, request):
        return grid_selectors.grid_list(user=request.user).prefetch_related(None)

    def get_readonly_fields(self, request, obj=None):
        return ["community"] if obj is not None else []  # a grid stays in its community

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in grids.GRID_FIELDS}
            grids.grid_update(grid=obj, actor=request.user, **fields)
            return
        data = form.cleaned_data
        obj.pk = grids.grid_create(
            community=data["community"], name=data["name"], code=data["code"], actor=request.user
        ).pk

    @admin.display(description=_("micro-grids"), ordering="micro_grid_count")
    def micro_grid_count(self, grid):
        return grid.micro_grid_count

    @admin.display(description=_("enterprises"), ordering="enterprise_count")
    def enterprise_count(self, grid):
        return grid.enterprise_count

    @admin.display(description=_("key enterprises"), ordering="key_enterprise_count")
    def key_enterprise_count(self, grid):
        return grid.key_enterprise_count


@admin.register(MicroGrid)
class MicroGridAdmin(_SavedThroughServices, RoleScopedAdmin):
    view_roles = GRID_STAFF
    edit_roles = GRID_ADMINS
    scope_paths = {"region": "grid__community", "micro_grid": "pk"}
    list_display = ["name", "code", "grid", "enterprise_count", "key_enterprise_count"]
    list_filter = [("grid", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code", "grid__name"]
    fields = ["grid", "name", "code"]
    inlines = [MicroGridPeopleInline, EnterpriseInline, AuditHistoryInline]

    def get_queryset(self, request):
        return grid_selectors.micro_grid_list(user=request.user).prefetch_related(None)

    def get_readonly_fields(self, request, obj=None):
        return ["grid"] if obj is not None else []  # a micro-grid stays in its grid

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in grids.GRID_FIELDS}
            grids.micro_grid_update(micro_grid=obj, actor=request.user, **fields)
            return
        data = form.cleaned_data
        obj.pk = grids.micro_grid_create(grid=data["grid"], name=data["name"], code=data["code"], actor=request.user).pk

    @admin.display(description=_("enterprises"), ordering="enterprise_count")
    def enterprise_count(self, micro_grid):
        return micro_grid.enterprise_count

    @admin.display(description=_("key enterprises"), ordering="key_enterprise_count")
    def key_enterprise_count(self, micro_grid):
        return micro_grid.key_enterprise_count


def _end(assignment, actor, request):
    grids.grid_unassign(assignment=assignment, actor=actor)


@admin.register(GridAssignment)
class GridAssignmentAdmin(RoleScopedAdmin):
    """The current assignments of the grids the user sees; coordinators end them here."""

    view_roles = GRID_STAFF
    list_display = ["user", "role", "grid", "micro_grid", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "grid__name", "micro_grid__name"]
    readonly_fields = ["user", "role", "grid", "micro_grid", "created_at", "ended_at"]
    actions = [service_action(_end, _("End the selected assignments"), _("%(count)d assignments ended."))]

    def get_queryset(self, request):
        return grid_selectors.assignment_list(user=request.user)

    def get_actions(self, request):
        return super().get_actions(request) if _may_edit(request) else {}

    def has_add_permission(self, request):
        return False  # people are assigned on their grid's or micro-grid's page
