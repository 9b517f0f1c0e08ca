"""Markets (大市集) in the staff admin: an organiser records a market with the workshops that took part and the
supply points outside the city on one page (the service records them together); cancelled with a reason, never
rewritten. Listed for whoever sees one of the workshops that took part."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db import models
from django.db.models import Count, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, ReasonActionForm, RoleScopedAdmin, action_reason, service_action
from programs.models import Region
from programs.pickers import RegionListFilter
from programs.roles import ORGANISERS, WORKSHOP_STAFF

from .. import selectors, services
from ..models import Market, MarketParticipation, SupplyPoint, Workshop


class _RecordedWithTheMarket(admin.TabularInline):
    """Rows entered with a new market, read-only afterwards; a workshop is one the editor's workshop list shows."""

    can_delete = False
    formfield_overrides = {models.TextField: {"widget": forms.TextInput(attrs={"size": 30})}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            # A workshop is chosen here, not created or edited from a market's row.
            widget = formfield.widget
            widget.can_add_related = widget.can_change_related = widget.can_view_related = False
        return formfield

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None else self.extra

    def has_add_permission(self, request, obj=None):
        return obj is None and (request.user.is_superuser or request.user.role in ORGANISERS)

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # whoever may open the market reads who took part

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Workshop:
            kwargs["queryset"] = self.admin_site._registry[Workshop].get_queryset(request)
            kwargs["error_messages"] = {"invalid_choice": _("Choose one of your own area's records.")}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("workshop__village")


class ParticipationInline(_RecordedWithTheMarket):
    model = MarketParticipation
    fields = ["workshop", "stalls", "revenue", "products_offered", "products"]
    extra = 2
    min_num = 1


class SupplyPointInline(_RecordedWithTheMarket):
    model = SupplyPoint
    fields = ["workshop", "city", "address"]
    extra = 1


class MarketRegionFilter(RegionListFilter):
    """``?in_region=``: the markets in which a workshop of that place took part, each once."""

    path = "participations__workshop__village"

    def queryset(self, request, queryset):
        code = self.value()
        if not code or not code.isdigit() or len(code) != 12:
            return queryset
        taking_part = MarketParticipation.objects.filter(workshop__village__code__startswith=Region.prefix_of(code))
        return queryset.filter(pk__in=taking_part.values("market_id"))


def _cancel_market(market, actor, request):
    services.market_cancel(market=market, actor=actor, reason=action_reason(request))


@admin.register(Market)
class MarketAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_STAFF
    edit_roles = ORGANISERS
    # Read by the dashboard's links (``in_region``); the list itself is ``selectors.market_list``.
    scope_paths = {"region": "participations__workshop__village"}
    list_display = ["title", "held_on", "venues", "workshop_count", "stall_count", "revenue_total"]
    list_display += ["average_per_stall", "visitors", "is_cancelled"]
    list_filter = ["is_cancelled"]
    search_fields = ["title", "venues", "organised_by"]
    fields = ["title", "held_on", "venues", "organised_by", "visitors", "is_cancelled"]
    readonly_fields = ["is_cancelled"]
    date_hierarchy = "held_on"
    action_form = ReasonActionForm
    actions = [service_action(_cancel_market, _("Cancel (give a reason)"), _("%(count)d cancelled."))]
    inlines = [ParticipationInline, SupplyPointInline, AuditHistoryInline]

    def get_fields(self, request, obj=None):
        return self.fields if obj is not None else [f for f in self.fields if f != "is_cancelled"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else [ParticipationInline, SupplyPointInline]

    def get_queryset(self, request):
        return selectors.market_list(user=request.user).annotate(
            workshops_taking_part=Count("participations"),
            stalls_total=Sum("participations__stalls"),
            revenue_sum=Sum("participations__revenue"),
        )

    def get_list_filter(self, request):
        return [*self.list_filter, MarketRegionFilter]

    @admin.display(description=_("workshops taking part"), ordering="workshops_taking_part")
    def workshop_count(self, market):
        return market.workshops_taking_part

    @admin.display(description=_("stalls"), ordering="stalls_total")
    def stall_count(self, market):
        return market.stalls_total or 0

    @admin.display(description=_("revenue (yuan)"), ordering="revenue_sum")
    def revenue_total(self, market):
        return number_format(market.revenue_sum or 0, decimal_pos=2, force_grouping=True)

    @admin.display(description=_("average revenue per stall (yuan)"))
    def average_per_stall(self, market):
        if not market.stalls_total:
            return "—"
        return number_format(market.revenue_sum / market.stalls_total, decimal_pos=2, force_grouping=True)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # a market is cancelled, not rewritten

    def save_model(self, request, obj, form, change):
        pass  # recorded in save_related, with the workshops taking part, by one call of the service

    def save_related(self, request, form, formsets, change):
        fields = {MarketParticipation: services.PARTICIPATION_FIELDS, SupplyPoint: services.SUPPLY_POINT_FIELDS}
        rows = {MarketParticipation: [], SupplyPoint: []}
        for formset in formsets:
            if formset.model in rows:
                rows[formset.model] += [
                    {name: f.cleaned_data[name] for name in fields[formset.model]}
                    for f in formset.forms
                    if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
                ]
        market = services.market_record(
            actor=request.user,
            participations=rows[MarketParticipation],
            supply_points=rows[SupplyPoint],
            **{name: form.cleaned_data[name] for name in services.MARKET_FIELDS},
        )
        form.instance.pk = market.pk
        for formset in formsets:  # what the admin's history message reads
            made = {MarketParticipation: market.participations.all(), SupplyPoint: market.supply_points.all()}
            formset.new_objects = list(made.get(formset.model, []))
            formset.changed_objects, formset.deleted_objects = [], []
