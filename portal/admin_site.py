"""The admin site, whose first page is the indicators dashboard."""

from django import forms
from django.contrib import admin
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from programs.models import Region

from . import dashboard


class DashboardForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), required=False, label=_("region"))
    start = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = dashboard.region_choices(user)
        self.fields["region"].queryset = Region.objects.filter(pk__in=[r.pk for r in choices]).order_by("code")
        self.fields["region"].empty_label = _("All of my region")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        return data


class ProgramsAdminSite(admin.AdminSite):
    site_header = _("Zhejiang programs: workshops, inspections, guidance")
    site_title = _("Programs admin")
    index_title = _("Dashboard")
    index_template = "admin/dashboard.html"

    def index(self, request, extra_context=None):
        start, end = dashboard.default_period()
        form = DashboardForm(request.GET or None, user=request.user, initial={"start": start, "end": end})
        region = None
        if form.is_bound and form.is_valid():
            region, start, end = form.cleaned_data["region"], form.cleaned_data["start"], form.cleaned_data["end"]
        key = f"dashboard:{request.user.pk}:{region.pk if region else ''}:{start}:{end}:{request.LANGUAGE_CODE}"
        board = cache.get(key)
        if board is None:
            board = dashboard.build(user=request.user, region=region, start=start, end=end)
            cache.set(key, board, 60)
        context = {"dashboard": board, "dashboard_form": form, "period": (start, end), **(extra_context or {})}
        return super().index(request, context)
