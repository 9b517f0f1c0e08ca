"""The staff dashboard: the indicators of the user's own programs for their region and a chosen period, from
the same selectors the indicators API answers with, so the two never disagree. Every figure of those answers is
shown (``portal.dashboard_figures.FIGURES``: one row each), linked to the records behind it; the monthly trend is
one statement per series, so the page's statement count does not grow with the months it shows.

What a user sees first: the current year to date, and beside each figure the last full year that has records in
their area (normally last year; the Ningbo demo's plans are of 2024, so there it is 2024). Organisers and grid
workers see the workshops only; officers the inspections, grades and guidance; coordinators all three."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.contrib import admin
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from guidance.selectors import booking_list, bookings_accepted_by_month, guidance_indicators
from inspections.models import Inspection, PlanEntry
from inspections.selectors import grade_indicators, inspection_indicators, inspections_completed_by_month
from programs.grid_selectors import grid_indicators
from programs.models import Grade, Region, User
from programs.pickers import region_path
from programs.roles import ENFORCEMENT, GRID_STAFF, WORKSHOP_STAFF
from programs.selectors import scope
from workshops.models import Workshop
from workshops.selectors import people_employed_by_month, workshop_indicators

from . import charts
from .dashboard_figures import (
    COUNT,
    EACH,
    FIGURES,
    GRADES,
    GRIDS,
    GUIDANCE,
    INSPECTIONS,
    PARTS,
    WORKSHOPS,
    Link,
    display,
)


def programs_of(user: User) -> frozenset[str]:
    """The programs whose sections a user sees, from the role registry (who works in which program)."""
    if user.is_superuser:
        return frozenset({WORKSHOPS, INSPECTIONS, GUIDANCE, GRIDS})
    shown = set()
    if user.role in GRID_STAFF:
        shown.add(GRIDS)
    if user.role in WORKSHOP_STAFF:
        shown.add(WORKSHOPS)
    if user.role in ENFORCEMENT:
        shown |= {INSPECTIONS, GUIDANCE}
    return frozenset(shown)


# --- The period ----------------------------------------------------------------------------------------------


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today


def comparison_year(user: User, today: date | None = None) -> int | None:
    """The last full year before this one with records of the user's programs in their area (None: none)."""
    today = today or timezone.localdate()
    this_year = today.replace(month=1, day=1)
    programs, years = programs_of(user), []
    if WORKSHOPS in programs:
        workshops = scope(Workshop.objects.all(), user, region="village", enterprise="host_enterprise_id")
        if workshops.filter(opened_on__lt=this_year).exists():
            years.append(today.year - 1)  # a workshop operates, and employs, every year after it opened
    if INSPECTIONS in programs:
        entries = scope(PlanEntry.objects.all(), user, region="region_code", department="department_id")
        visits = scope(Inspection.objects.all(), user, region="region_code", department="departments")
        for rows in (entries, visits):
            latest = rows.filter(month__lt=this_year).aggregate(latest=Max("month"))["latest"]
            years += [latest.year] if latest else []
    if GUIDANCE in programs:
        since = timezone.make_aware(datetime.combine(this_year, time.min))
        latest = booking_list(user=user).filter(created_at__lt=since).order_by().aggregate(latest=Max("created_at"))
        years += [timezone.localtime(latest["latest"]).year] if latest["latest"] else []
    return max(years, default=None)


def months_between(start: date, end: date, most: int = 12) -> list[tuple[date, date]]:
    months, cursor = [], end.replace(day=1)
    while cursor >= start.replace(day=1) and len(months) < most:
        following = (cursor + timedelta(days=32)).replace(day=1)
        months.append((max(cursor, start), min(following - timedelta(days=1), end)))
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def month_labels(months: list[date]) -> list[str]:
    """Chart labels in the language's own month format; the year on the first month and on each January."""
    short = pgettext("date format of a month on a chart", "M")
    with_year = pgettext("date format of a month and year on a chart", "M Y")
    return [dateformat.format(m, with_year if i == 0 or m.month == 1 else short) for i, m in enumerate(months)]


# --- The filter ----------------------------------------------------------------------------------------------


class _PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return region_path(obj)


def region_choices(user: User):
    """The user's own region and the two levels below it (a coordinator of a city picks a county or a town)."""
    regions = Region.objects.select_related("parent__parent").order_by("code")
    if user.is_superuser and user.region_id is None:
        return regions.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY])
    if user.region_id is None:
        return regions.none()
    depth = {Region.Level.PROVINCE: 4, Region.Level.CITY: 9, Region.Level.COUNTY: 12}.get(user.region.level)
    regions = regions.filter(code__startswith=user.region.prefix)
    if depth:
        regions = regions.filter(level__in=[lvl for lvl, n in Region.PREFIX_LENGTH.items() if n <= depth])
    return regions


class DashboardForm(forms.Form):
    """The filter: dates travel as ISO values whatever the language (a date input accepts nothing else)."""

    region = _PlaceChoiceField(queryset=Region.objects.none(), required=False, label=gettext_lazy("region"))
    start = forms.DateField(
        label=gettext_lazy("from"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("to"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    compare = forms.TypedChoiceField(
        label=gettext_lazy("compare with"), coerce=int, empty_value=None, required=False, choices=()
    )

    def __init__(self, *args, user, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        self.fields["region"].queryset = region_choices(user)
        self.fields["region"].empty_label = _("All of my region")
        suggested = self.initial.get("compare") or today.year - 1
        years = range(today.year - 1, min(suggested, today.year - 6) - 1, -1)
        self.fields["compare"].choices = [
            ("", _("No comparison")),
            *((y, pgettext("a calendar year", "%(year)s") % {"year": y}) for y in years),
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        return data


# --- The figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure as the page shows it (``shown``: written the locale's way), from a row of ``FIGURES``."""

    label: str
    value: object
    link: str | None = None
    compare: object = None  # the same figure in the comparison year
    compare_link: str | None = None
    state: bool = False  # a count as it stands now (enterprises per colour): the period does not change it
    key: str = ""  # where the indicators API answers it: "inspections.plan_entries.submitted"
    kind: str = COUNT
    group: str = ""
    records: str = ""  # the model of the list behind it ("inspections.finding"), linked when the user may see it

    @property
    def shown(self) -> str:
        return display(self.value, self.kind)

    @property
    def compare_shown(self) -> str:
        return display(self.compare, self.kind)


def changelist(user: User, model: str, region: Region | None = None, **filters) -> str | None:
    """The admin list behind a figure (``"app_label.model"``), filtered like the figure (its region too, where
    the list has a region), when the user may open it."""
    try:
        model_class = apps.get_model(model)
    except LookupError:
        return None
    model_admin = admin.site._registry.get(model_class)
    if model_admin is None or not model_admin.has_view_permission(SimpleNamespace(user=user)):
        return None
    try:
        url = reverse(f"admin:{model_class._meta.app_label}_{model_class._meta.model_name}_changelist")
    except NoReverseMatch:
        return None
    if region is not None and getattr(model_admin, "scope_paths", {}).get("region"):
        filters["in_region"] = region.code
    return f"{url}?{urlencode(filters)}" if filters else url


def _indicators(programs, **period) -> dict:
    found = {}
    if WORKSHOPS in programs:
        found[WORKSHOPS] = workshop_indicators(**period)
    if INSPECTIONS in programs:
        found[INSPECTIONS] = inspection_indicators(**period)
        found[GRADES] = grade_indicators(**period)
    if GUIDANCE in programs:
        found[GUIDANCE] = guidance_indicators(**period)
    if GRIDS in programs:
        found[GRIDS] = grid_indicators(**period)
    return found


_MISSING = object()


def lookup(found: dict, key: str):
    """The value at ``key`` ("inspections.plan_entries.submitted") in the indicators, ``_MISSING`` if absent."""
    value = found
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _sections(user: User, region: Region | None, start: date, end: date, found: dict) -> list:
    """The figures of ``FIGURES`` whose program the user sees, each with the list of the records behind it."""
    today = timezone.localdate()

    def link(to: Link | None, **more) -> str | None:
        return None if to is None else changelist(user, to.model, region, **to.query(start, end, today), **more)

    sections = []
    for program, title, groups in FIGURES:
        if program not in found:
            continue
        figures = []
        for group, prefix, rows in groups:
            for row in rows:
                key = prefix + row.key
                value = lookup(found, key)
                if value is _MISSING:
                    continue  # a figure the API no longer answers (tests/portal/test_dashboard_figures.py says so)
                common = {
                    "state": row.state,
                    "group": str(group or ""),
                    "kind": row.kind,
                    "records": row.link.model if row.link else "",
                }
                if row.kind != EACH:
                    figures.append(Figure(str(row.label), value, link(row.link), key=key, **common))
                    continue
                for part, what, figure, filters in PARTS[key](value):
                    label = str(row.label) % {"what": what}
                    figures.append(Figure(label, figure, link(row.link, **filters), key=f"{key}.{part}", **common))
        sections.append((str(title), figures))
    return sections


def _with_comparison(sections: list, earlier: list) -> list:
    """Each figure with the same figure of the comparison period beside it (counts as they stand now excepted)."""
    before = {f.key: f for _title, figures in earlier for f in figures}
    merged = []
    for title, figures in sections:
        row = []
        for f in figures:
            other = before.get(f.key)
            if other is not None and not f.state:
                f = replace(f, compare=other.value, compare_link=other.link)
            row.append(f)
        merged.append((title, row))
    return merged


def _charts(user: User, region: Region | None, start: date, end: date, programs, found: dict) -> list:
    """The trend by month (one statement per series, whatever the months), the grade map, bookings by theme."""
    trend_months = [first for first, _last in months_between(start, end)]
    span = {"user": user, "region": region, "start": trend_months[0], "end": end}
    series = []
    if INSPECTIONS in programs:
        series.append((_("Inspections completed"), inspections_completed_by_month(**span)))
    if GUIDANCE in programs:
        series.append((_("Bookings accepted"), bookings_accepted_by_month(**span)))
    if WORKSHOPS in programs:
        series.append((_("People employed"), people_employed_by_month(**span)))
    trend = {name: [by_month.get(month, 0) for month in trend_months] for name, by_month in series}
    labels = month_labels(trend_months)
    # No trend without a series (a grid manager's figures are counts as they stand today).
    chart_list = [(_("Trend by month"), charts.line_chart(labels, trend, title=_("Trend by month")))] if series else []
    if "grades" in found:
        grade_rows = [
            (
                row["name"],
                {k: row[k] for k in ("red", "yellow", "green", "gray")},
                changelist(user, "programs.enterprise", region__code__startswith=Region.prefix_of(row["region"])),
            )
            for row in found["grades"]["map"]
        ]
        chart_list.append(
            (
                _("Grade by region"),
                charts.stacked_bar_chart(
                    grade_rows, colours=charts.GRADE_COLOURS, labels=dict(Grade.choices), title=_("Grade by region")
                ),
            )
        )
    if GUIDANCE in found:
        themes = [charts.Bar(row["theme"], row["accepted"]) for row in found[GUIDANCE]["by_theme"]]
        chart_list.append((_("Bookings by theme"), charts.bar_chart(themes, title=_("Bookings by theme"))))
    if found.get(GRIDS, {}).get("by_grid"):
        bars = [charts.Bar(row["name"], row["key_enterprises"]) for row in found[GRIDS]["by_grid"][:30]]
        title = _("Key enterprises by grid")
        chart_list.append((title, charts.bar_chart(bars, title=title)))
    return chart_list


def build(
    *, user: User, region: Region | None, start: date, end: date, compare: tuple[date, date] | None = None
) -> dict:
    """The dashboard of ``user`` for [start, end], each figure beside its value in ``compare`` when given.
    Each program's indicators are computed once for the period (and once for the comparison year); the trend
    is one statement per series, so the statement count does not grow with the months shown."""
    programs = programs_of(user)
    found = _indicators(programs, user=user, region=region, start=start, end=end)
    sections = _sections(user, region, start, end, found)
    if compare is not None:
        # The grids' figures are counts as they stand today, never compared: not computed again.
        earlier = _indicators(programs - {GRIDS}, user=user, region=region, start=compare[0], end=compare[1])
        sections = _with_comparison(sections, _sections(user, region, compare[0], compare[1], earlier))
    return {
        "sections": sections,
        "charts": _charts(user, region, start, end, programs, found),
        "indicators": found,
        "compare": compare,
    }
