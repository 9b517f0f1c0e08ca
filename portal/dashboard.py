"""The staff dashboard: the indicators of the user's own programs for their region and a chosen period, from
the same selectors the indicators API answers with, so the two never disagree.

What a user sees first: the current year to date, and beside each figure the last full year that has records in
their area (normally last year; the Ningbo demo's plans are of 2024, so there it is 2024). Organisers and grid
workers see the workshops only; officers the inspections, grades and guidance; coordinators all three."""

from dataclasses import dataclass
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

from guidance.selectors import booking_list, guidance_indicators
from inspections.models import Inspection, PlanEntry
from inspections.selectors import grade_indicators, inspection_indicators
from programs.models import Grade, Region, User
from programs.pickers import region_path
from programs.roles import ENFORCEMENT, WORKSHOP_STAFF
from programs.selectors import scope
from workshops.models import Workshop
from workshops.selectors import workshop_indicators

from . import charts

WORKSHOPS, INSPECTIONS, GUIDANCE = "workshops", "inspections", "guidance"


def programs_of(user: User) -> frozenset[str]:
    """The programs whose sections a user sees, from the role registry (who works in which program)."""
    if user.is_superuser:
        return frozenset({WORKSHOPS, INSPECTIONS, GUIDANCE})
    shown = set()
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
        entries = scope(PlanEntry.objects.all(), user, region="enterprise__region", department="department_id")
        visits = scope(Inspection.objects.all(), user, region="enterprise__region", department="departments")
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


# --- The figures ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    value: object
    link: str | None = None
    note: str = ""
    compare: object = None  # the same figure in the comparison year
    compare_link: str | None = None
    state: bool = False  # a count as it stands now (enterprises per colour): the period does not change it


def changelist(user: User, model: str, region: Region | None = None, **filters) -> str | None:
    """The admin list behind a figure (``"app_label.model"``), filtered like the figure (its region too, where
    the list has a region), when the user may open it."""
    model_class = apps.get_model(model)
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


def _pct(value) -> str:
    return "—" if value is None else f"{value} %"


def _indicators(programs, **period) -> dict:
    found = {}
    if WORKSHOPS in programs:
        found[WORKSHOPS] = workshop_indicators(**period)
    if INSPECTIONS in programs:
        found[INSPECTIONS] = inspection_indicators(**period)
        found["grades"] = grade_indicators(**period)
    if GUIDANCE in programs:
        found[GUIDANCE] = guidance_indicators(**period)
    return found


def _sections(user: User, region: Region | None, start: date, end: date, found: dict) -> list:
    def link(model, **filters):
        return changelist(user, model, region, **filters)

    months = {"month__gte": start.replace(day=1).isoformat(), "month__lte": end.isoformat()}
    days = {"__date__gte": start.isoformat(), "__date__lte": end.isoformat()}

    def on(field):
        return {f"{field}{suffix}": value for suffix, value in days.items()}

    sections = []
    if WORKSHOPS in found:
        work = found[WORKSHOPS]
        held = {"held_on__gte": start.isoformat(), "held_on__lte": end.isoformat()}
        sections.append(
            (
                _("Co-prosperity workshops"),
                [
                    Figure(_("Workshops"), work["workshops"], link("workshops.workshop")),
                    Figure(_("People employed"), work["people_employed"], link("workshops.employment")),
                    Figure(_("Low-income people employed"), work["low_income_employed"]),
                    Figure(_("Average monthly income increase (yuan)"), work["average_monthly_income_increase"]),
                    Figure(
                        _("Markets held"), work["markets"]["count"], link("workshops.activity", kind="market", **held)
                    ),
                    Figure(_("Live-stream sessions"), work["live_streams"]["sessions"]),
                    Figure(_("Activity revenue (yuan)"), work["activity_revenue"]),
                ],
            )
        )
    if INSPECTIONS in found:
        plan, visits, findings = (found[INSPECTIONS][k] for k in ("plan_entries", "inspections", "findings"))
        grade = found["grades"]
        colours = dict(Grade.choices)
        sections.append(
            (
                _("Enterprise inspections"),
                [
                    Figure(_("Plan entries submitted"), plan["submitted"], link("inspections.planentry", **months)),
                    Figure(
                        _("Executed"),
                        plan["executed"],
                        link("inspections.planentry", status__exact="executed", **months),
                    ),
                    Figure(_("Cut"), plan["cut"], link("inspections.planentry", status__exact="cut", **months)),
                    Figure(_("Coordination rate"), _pct(plan["coordination_rate"])),
                    Figure(_("Reduction rate"), _pct(plan["reduction_rate"])),
                    Figure(_("Inspections"), visits["inspections"], link("inspections.inspection", **months)),
                    Figure(_("Share that were joint"), _pct(visits["joint_share"])),
                    Figure(_("Code-shown rate"), _pct(visits["code_shown_rate"])),
                    Figure(
                        _("Major hazards found"),
                        findings["major"],
                        link("inspections.finding", severity__exact="major", **on("recorded_at")),
                    ),
                    Figure(
                        _("General issues found"),
                        findings["general"],
                        link("inspections.finding", severity__exact="general", **on("recorded_at")),
                    ),
                    Figure(_("Rectified on time"), _pct(findings["rectified_on_time_rate"])),
                ],
            )
        )
        sections.append(
            (
                _("Four-colour grade"),
                [
                    Figure(
                        _("Graded enterprises"),
                        grade["enterprises"]["graded"],
                        link("programs.enterprise"),
                        state=True,
                    ),
                    Figure(
                        _("Green rate"),
                        _pct(grade["green_rate"]),
                        link("programs.enterprise", grade__exact="green"),
                        state=True,
                    ),
                    *[
                        Figure(
                            f"{colours[c['from']]} → {colours[c['to']]}",
                            c["count"],
                            note=_("grade changes in the period"),
                        )
                        for c in grade["conversions"]
                    ],
                    *[
                        Figure(
                            label, grade["enterprises"][key], link("programs.enterprise", grade__exact=key), state=True
                        )
                        for key, label in (
                            ("red", _("Red")),
                            ("yellow", _("Yellow")),
                            ("green", _("Green")),
                            ("gray", _("Gray")),
                        )
                    ],
                ],
            )
        )
    if GUIDANCE in found:
        guide = found[GUIDANCE]
        no_show = guide["no_show_rate"]
        sections.append(
            (
                _("Guidance bookings"),
                [
                    Figure(
                        _("Bookings accepted"), guide["bookings_accepted"], link("guidance.booking", **on("created_at"))
                    ),
                    Figure(_("Visits held online"), guide["visits_held_online"]),
                    Figure(_("Visits held on site"), guide["visits_held_onsite"]),
                    Figure(_("Risks found"), guide["risks_found"], link("guidance.risk", **on("created_at"))),
                    Figure(_("Risks rectified"), guide["risks_rectified"]),
                    Figure(_("Average satisfaction (1–5)"), guide["satisfaction_average"] or "—"),
                    Figure(_("No-show rate"), "—" if no_show is None else f"{no_show * 100:.1f} %"),
                ],
            )
        )
    return sections


def _with_comparison(sections: list, earlier: list) -> list:
    """Each figure with the same figure of the comparison period beside it (counts as they stand now excepted)."""
    before = {(title, f.label): f for title, figures in earlier for f in figures}
    merged = []
    for title, figures in sections:
        row = []
        for f in figures:
            other = before.get((title, f.label))
            if other is not None and not f.state:
                f = Figure(f.label, f.value, f.link, f.note, other.value, other.link)
            row.append(f)
        merged.append((title, row))
    return merged


def _charts(user: User, region: Region | None, start: date, end: date, programs, found: dict) -> list:
    trend_months = months_between(start, end)
    series = []
    if INSPECTIONS in programs:
        series.append(
            (_("Inspections completed"), lambda span: inspection_indicators(**span)["inspections"]["completed"])
        )
    if GUIDANCE in programs:
        series.append((_("Bookings accepted"), lambda span: guidance_indicators(**span)["bookings_accepted"]))
    if WORKSHOPS in programs:
        series.append((_("People employed"), lambda span: workshop_indicators(**span)["people_employed"]))
    trend = {name: [] for name, _figure in series}
    for first, last in trend_months:
        span = {"user": user, "region": region, "start": first, "end": last}
        for name, figure in series:
            trend[name].append(figure(span))
    labels = month_labels([first for first, _last in trend_months])
    chart_list = [(_("Trend by month"), charts.line_chart(labels, trend, title=_("Trend by month")))]
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
    return chart_list


def build(
    *, user: User, region: Region | None, start: date, end: date, compare: tuple[date, date] | None = None
) -> dict:
    """The dashboard of ``user`` for [start, end], each figure beside its value in ``compare`` when given."""
    programs = programs_of(user)
    found = _indicators(programs, user=user, region=region, start=start, end=end)
    sections = _sections(user, region, start, end, found)
    if compare is not None:
        earlier = _indicators(programs, user=user, region=region, start=compare[0], end=compare[1])
        sections = _with_comparison(sections, _sections(user, region, compare[0], compare[1], earlier))
    return {
        "sections": sections,
        "charts": _charts(user, region, start, end, programs, found),
        "indicators": found,
        "compare": compare,
    }
