"""The admin of the "between inspections" services: complaint routes (data), complaints (a call taken by phone,
the handling department's reply and moves), the communities' service catalogue and the enterprises' orders.
The complainant's name and phone are shown to the handling department only; never in a list or an export."""

from django import forms
from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.admin import AuditHistoryInline, RoleScopedAdmin, action_reason, service_action
from programs.models import Region
from programs.roles import COORDINATORS, Role

from .models import Complaint, ComplaintRoute, ServiceOffering, ServiceOrder
from .services import complaints as complaint_services
from .services import ordering as ordering_services

COMPLAINT_STAFF = (Role.COORDINATOR, Role.OFFICER, Role.GRID_WORKER, Role.GRID_MANAGER)
COMPLAINANT = ("complainant_name", "complainant_phone")


@admin.register(ComplaintRoute)
class ComplaintRouteAdmin(RoleScopedAdmin):
    """Which department takes which complaints where: data the coordinators keep."""

    view_roles = (Role.OFFICER,)
    edit_roles = COORDINATORS
    scope_paths = {"region": "region"}
    list_display = ["category", "region", "department", "acknowledge_hours", "reply_days"]
    list_filter = ["category"]
    list_select_related = ["region", "department"]


class RepliedOnTimeFilter(admin.SimpleListFilter):
    title = _("replied on time")
    parameter_name = "on_time"

    def lookups(self, request, model_admin):
        return [("1", _("Yes")), ("0", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(replied_at__isnull=False, replied_at__lte=F("reply_due_at"))
        if self.value() == "0":
            return queryset.filter(replied_at__isnull=False, replied_at__gt=F("reply_due_at"))
        return queryset


def _acknowledge(complaint, actor, request):
    complaint_services.complaint_acknowledge(complaint=complaint, actor=actor)


def _close(complaint, actor, request):
    complaint_services.complaint_close(complaint=complaint, actor=actor)


def _open_inspection(complaint, actor, request):
    complaint_services.complaint_open_inspection(complaint=complaint, actor=actor)


def _offer_guidance(complaint, actor, request):
    complaint_services.complaint_offer_guidance(complaint=complaint, actor=actor)


class PhoneComplaintForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["category", "region", "enterprise", "business_name", "address", "description", *COMPLAINANT]


@admin.register(Complaint)
class ComplaintAdmin(RoleScopedAdmin):
    view_roles = COMPLAINT_STAFF
    edit_roles = COMPLAINT_STAFF
    scope_paths = {"region": "region", "department": "department"}
    region_levels = {"region": (Region.Level.TOWN, Region.Level.VILLAGE)}
    list_display = [
        "reference",
        "category",
        "business_name",
        "department",
        "status",
        "outcome",
        "reply_due_at",
        "replied_at",
        "channel",
        "created_at",
    ]
    list_filter = ["status", "category", "outcome", "channel", RepliedOnTimeFilter]
    list_filter += [("department", admin.RelatedOnlyFieldListFilter)]  # the departments of rows in scope only
    search_fields = ["reference", "business_name", "address"]
    list_select_related = ["department", "region"]
    autocomplete_fields = ["enterprise"]
    inlines = [AuditHistoryInline]
    actions = [
        service_action(_acknowledge, pgettext_lazy("complaint", "Acknowledge"), _("%(count)s acknowledged.")),
        service_action(
            _open_inspection, _("Open a complaint-triggered inspection"), _("%(count)s inspections opened.")
        ),
        service_action(_offer_guidance, _("Offer the enterprise a guidance visit"), _("%(count)s offers sent.")),
        service_action(_close, pgettext_lazy("complaint", "Close"), _("%(count)s closed.")),
    ]

    def lookup_allowed(self, lookup, value, request=None):
        """No filter on the complainant: ``?complainant_phone__startswith=`` would rebuild a masked number."""
        if lookup.split("__", 1)[0] in COMPLAINANT:
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("complainant's name"))
    def masked_name(self, complaint):
        return complaint_services.mask_name(complaint.complainant_name)

    @admin.display(description=_("complainant's phone"))
    def masked_phone(self, complaint):
        return complaint_services.complainant_for(None, complaint)[1]

    @admin.display(description=_("complainant"))
    def withheld(self, complaint):
        return _("Withheld: only the handling department sees who complained.")

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a call being taken has no history yet

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PhoneComplaintForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(PhoneComplaintForm.Meta.fields)
        fields = [
            "reference",
            "status",
            "outcome",
            "category",
            "region",
            "enterprise",
            "business_name",
            "address",
            "description",
            "department",
            "channel",
            "created_at",
            "acknowledge_due_at",
            "reply_due_at",
            "acknowledged_at",
            "replied_at",
            "inspection",
            "reply",
        ]
        if complaint_services.complainant_visible_to(request.user, obj):
            return [*fields[:9], *COMPLAINANT, *fields[9:]]
        return [*fields[:9], "masked_name", "masked_phone", "withheld", *fields[9:]]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        editable = {"reply"} if obj.is_open and complaint_services.is_handler(request.user, obj) else set()
        if obj.is_open and obj.enterprise_id is None and complaint_services.is_handler(request.user, obj):
            editable.add("enterprise")
        every = [f.name for f in Complaint._meta.fields] + ["masked_name", "masked_phone", "withheld"]
        return [name for name in every if name not in editable]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = complaint_services.complaint_file(actor=request.user, **{f: data.get(f) for f in data})
            obj.pk = created.pk
            obj.reference = created.reference
            return
        if "enterprise" in form.changed_data and data.get("enterprise"):
            complaint_services.complaint_link_enterprise(
                complaint=obj, enterprise=data["enterprise"], actor=request.user
            )
        if "reply" in form.changed_data and (data.get("reply") or "").strip():
            complaint_services.complaint_reply(complaint=obj, actor=request.user, reply=data["reply"])


def _accept(order, actor, request):
    ordering_services.order_accept(order=order, actor=actor)


def _deliver(order, actor, request):
    ordering_services.order_deliver(order=order, actor=actor)


def _close_order(order, actor, request):
    ordering_services.order_close(order=order, actor=actor)


def _decline(order, actor, request):
    ordering_services.order_decline(order=order, actor=actor, reason=action_reason(request))


@admin.register(ServiceOffering)
class ServiceOfferingAdmin(RoleScopedAdmin):
    view_roles = (Role.OFFICER,)
    edit_roles = ordering_services.COMMUNITY_STAFF
    scope_paths = {"region": "community"}
    region_levels = {"community": (Region.Level.VILLAGE,)}
    list_display = ["title", "kind", "community", "starts_on", "ends_on", "capacity", "booked", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["title"]
    list_select_related = ["community"]
    readonly_fields = ["booked"]
    inlines = [AuditHistoryInline]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "community"}
        if change:
            ordering_services.offering_update(offering=obj, actor=request.user, **fields)
        else:
            fields = {n: form.cleaned_data[n] for n in ordering_services.OFFERING_FIELDS if n in form.cleaned_data}
            created = ordering_services.offering_publish(
                community=form.cleaned_data["community"], actor=request.user, **fields
            )
            obj.pk = created.pk


@admin.register(ServiceOrder)
class ServiceOrderAdmin(RoleScopedAdmin):
    view_roles = (Role.OFFICER,)
    edit_roles = ordering_services.COMMUNITY_STAFF
    scope_paths = {"region": "offering__community"}
    list_display = [
        "offering",
        "enterprise",
        "people",
        "status",
        "people_served",
        "rating",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "offering__kind"]
    search_fields = ["enterprise__name", "offering__title"]
    list_select_related = ["offering", "enterprise"]
    readonly_fields = [f.name for f in ServiceOrder._meta.fields]
    inlines = [AuditHistoryInline]
    actions = [
        service_action(_accept, pgettext_lazy("service order", "Accept"), _("%(count)s accepted.")),
        service_action(_deliver, pgettext_lazy("service order", "Mark delivered"), _("%(count)s delivered.")),
        service_action(_close_order, pgettext_lazy("service order", "Close"), _("%(count)s closed.")),
        service_action(_decline, pgettext_lazy("service order", "Decline"), _("%(count)s declined."), ask_reason=True),
    ]

    def has_add_permission(self, request):
        return False  # an order is placed by the enterprise (or through the API on its behalf)

    def save_model(self, request, obj, form, change):
        """Nothing is edited directly: the actions move an order."""
