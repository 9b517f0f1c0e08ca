"""Residents in the staff admin, for the organisers and grid workers of their region. Sensitive fields are
masked in every list and export, and shown in a form only to those with a need to know (``workshops.privacy``)."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from programs import exports
from programs.admin import EXPORT_PARAM, AuditHistoryInline, RoleScopedAdmin
from programs.exports import neutralise_row
from programs.models import Region
from programs.pickers import region_path
from programs.roles import WORKSHOP_FIELD_STAFF
from programs.validators import mask_id_number, mask_phone

from .. import services
from ..models import Category, Resident
from ..privacy import can_see_sensitive


class ResidentForm(forms.ModelForm):
    wished_categories = forms.MultipleChoiceField(
        label=_("wished categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Resident
        fields = [
            "name",
            "id_number",
            "phone",
            "village",
            "has_disability",
            "is_low_income",
            "wants_work",
            "wished_categories",
            "surveyed_on",
            "user",
        ]


@admin.register(Resident)
class ResidentAdmin(RoleScopedAdmin):
    view_roles = ()
    edit_roles = WORKSHOP_FIELD_STAFF
    scope_paths = {"region": "village"}
    region_levels = {"village": (Region.Level.VILLAGE,)}
    form = ResidentForm
    # No sensitive column, filter or search: lists are read by whoever stands behind the screen.
    list_display = ["name", "masked_id_number", "masked_phone", "place", "wants_work", "surveyed_on", "grid_worker"]
    list_filter = ["wants_work"]
    search_fields = ["name"]
    list_select_related = ["village__parent__parent", "grid_worker"]
    autocomplete_fields = ["village"]
    raw_id_fields = ["user"]
    inlines = [AuditHistoryInline]
    actions = ["export_xlsx"]
    SENSITIVE = ("id_number", "has_disability", "is_low_income")

    def lookup_allowed(self, lookup, value, request=None):
        """No query string filters on a sensitive field (or the phone), whoever asks, superusers included:
        ``?has_disability__exact=1`` would list them and ``?id_number__startswith=`` rebuild a masked number.
        Refused here, Django answers 400 (DisallowedModelAdminLookup)."""
        field = lookup.split("__", 1)[0]
        if field in (*self.SENSITIVE, "phone"):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("village / community"), ordering="village__code")
    def place(self, resident):
        return region_path(resident.village)  # twenty villages share a name: the path tells them apart

    @admin.display(description=_("ID number"))
    def masked_id_number(self, resident):
        return mask_id_number(resident.id_number)

    @admin.display(description=_("phone"))
    def masked_phone(self, resident):
        return mask_phone(resident.phone)

    @admin.display(description=_("sensitive fields"))
    def withheld(self, resident):
        return _("Withheld: you have no need to know.")

    def _sees(self, request, obj) -> bool:
        return obj is None or can_see_sensitive(request.user, obj)

    def get_fields(self, request, obj=None):
        fields = ["name", "id_number", "phone", "village", "has_disability", "is_low_income", "wants_work"]
        fields += ["wished_categories", "surveyed_on", "grid_worker", "user"]
        if self._sees(request, obj):
            return fields
        visible = [f for f in fields if f not in self.SENSITIVE and f != "phone"]
        return [*visible, "masked_id_number", "masked_phone", "withheld"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["masked_id_number", "masked_phone", "withheld", "grid_worker"]
        if obj is not None:
            readonly += ["id_number", "surveyed_on"]
        return readonly

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            # The ID number and the survey date are read-only here; the other fields the service does not take
            # (the linked account) are left as they are.
            fields = {n: data[n] for n in form.changed_data if n in services.RESIDENT_EDITABLE}
            services.resident_update(resident=obj, actor=request.user, **fields)
        else:
            created = services.resident_create(
                actor=request.user,
                **{n: data[n] for n in form.fields if n in data},
            )
            obj.pk = created.pk

    @admin.action(description=_("Export to Excel (ID numbers masked)"))
    def export_xlsx(self, request, queryset):
        """The selected residents' workbook: each row masked for the user (``can_see_sensitive``), residents read
        ``CHUNK`` at a time and written by openpyxl's write-only workbook. A selection of more than
        ``EXPORT_SYNC_ROWS`` (only "select all" of a long list makes one) gets no file but a link to the list's own
        export of the same filtered list, which runs as a background job. The action itself is not queued: an
        ``ExportJob`` rebuilds a list from its address and writes the list's columns, not this action's (the phone
        in full and the two statuses for a need-to-know role)."""
        if queryset.order_by()[: exports.EXPORT_SYNC_ROWS + 1].count() > exports.EXPORT_SYNC_ROWS:
            params = request.GET.copy()
            params[EXPORT_PARAM] = "xlsx"
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _(
                        "More than %(count)s residents are selected: so long a workbook is not written while you "
                        "wait. Narrow the list with its filters, or export the filtered list as a background job "
                        "(the list's columns: phone masked, no disability or low-income column)."
                    )
                    % {"count": f"{exports.EXPORT_SYNC_ROWS:,}"},
                    f"{request.path}?{params.urlencode()}",
                    _("Export the filtered list"),
                ),
                messages.WARNING,
            )
            return None  # back to the list, its filters kept
        return exports.xlsx_response(
            self._export_rows(request, queryset), filename="residents.xlsx", title=str(_("residents"))
        )

    def _export_rows(self, request, queryset):
        yield neutralise_row(
            [
                str(_("name")),
                str(_("ID number")),
                str(_("phone")),
                str(_("village / community")),
                str(_("disabled person")),
                str(_("low-income household")),
                str(_("wishes to work")),
                str(_("wished categories")),
                str(_("surveyed on")),
            ]
        )
        labels = dict(Category.choices)
        yes, no = str(_("yes")), str(_("no"))
        # The village alone: the list's joins (the place path's parents, the grid worker) are not cells here.
        residents = queryset.select_related(None).select_related("village")
        for resident in residents.iterator(chunk_size=exports.CHUNK):
            sees = can_see_sensitive(request.user, resident)
            yield neutralise_row(
                [
                    resident.name,
                    mask_id_number(resident.id_number),  # an export leaves the system: never the full number
                    resident.phone if sees else mask_phone(resident.phone),
                    resident.village.name,
                    (yes if resident.has_disability else no) if sees else "",
                    (yes if resident.is_low_income else no) if sees else "",
                    yes if resident.wants_work else no,
                    "、".join(str(labels.get(c, c)) for c in resident.wished_categories),
                    resident.surveyed_on.isoformat() if resident.surveyed_on else "",
                ]
            )
