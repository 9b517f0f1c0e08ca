"""The staff dashboard: the indicators of the three programs for the user's region and a chosen period, from
the same selectors the indicators API answers with, so the two never disagree."""

from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guidance.selectors import guidance_indicators
from inspections.selectors import grade_indicators, inspection_indicators
from programs.models import Grade, Region, User
from workshops.selectors import workshop_indicators

from . import charts


@dataclass(frozen=True)
class Figure:
    label: str
    value: object
    link: str | None = None
    note: str = ""


def changelist(user: User, model: str, **filters) -> str | None:
    """The admin list behind a figure (``"app_label.model"``), filtered like the figure, when the user may
    open it."""
    model_class = apps.get_model(model)
    model_admin = admin.site._registry.get(model_class)
    if model_admin is None or not model_admin.has_view_permission(SimpleNamespace(user=user)):
        return None
    try:
        url = reverse(f"admin:{model_class._meta.app_label}_{model_class._meta.model_name}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(filters)}" if filters else url


def region_choices(user: User) -> list[Region]:
    """The user's own region and the two levels below it (a coordinator of a city picks a county or a town)."""
    if user.is_superuser and user.region_id is None:
        return list(Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY]))
    if user.region_id is None:
        return []
    depth = {Region.Level.PROVINCE: 4, Region.Level.CITY: 9, Region.Level.COUNTY: 12}.get(user.region.level)
    regions = Region.objects.filter(code__startswith=user.region.prefix)
    if depth:
        lower = [lvl for lvl, n in Region.PREFIX_LENGTH.items() if n <= depth]
        regions = regions.filter(level__in=lower)
    return list(regions.order_by("code")[:300])


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today


def months_between(start: date, end: date, most: int = 12) -> list[tuple[date, date]]:
    months, cursor = [], end.replace(day=1)
    while cursor >= start.replace(day=1) and len(months) < most:
        following = (cursor + timedelta(days=32)).replace(day=1)
        months.append((max(cursor, start), min(following - timedelta(days=1), end)))
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def _pct(value) -> str:
    return "—" if value is None else f"{value} %"


def build(*, user: User, region: Region | None, start: date, end: date) -> dict:
    period = {"user": user, "region": region, "start": start, "end": end}
    work = workshop_indicators(**period)
    insp = inspection_indicators(**period)
    grade = grade_indicators(**period)
    guide = guidance_indicators(**period)
    plan, visits, findings = insp["plan_entries"], insp["inspections"], insp["findings"]
    colours = dict(Grade.choices)
    month = {"month__gte": start.replace(day=1).isoformat(), "month__lte": end.isoformat()}

    sections = [
        (
            _("Co-prosperity workshops"),
            [
                Figure(_("Workshops"), work["workshops"], changelist(user, "workshops.workshop")),
                Figure(_("People employed"), work["people_employed"], changelist(user, "workshops.employment")),
                Figure(_("Low-income people employed"), work["low_income_employed"]),
                Figure(_("Average monthly income increase (yuan)"), work["average_monthly_income_increase"]),
                Figure(
                    _("Markets held"),
                    work["markets"]["count"],
                    changelist(user, "workshops.activity", kind__exact="market"),
                ),
                Figure(_("Live-stream sessions"), work["live_streams"]["sessions"]),
                Figure(_("Activity revenue (yuan)"), work["activity_revenue"]),
            ],
        ),
        (
            _("Enterprise inspections"),
            [
                Figure(
                    _("Plan entries submitted"), plan["submitted"], changelist(user, "inspections.planentry", **month)
                ),
                Figure(
                    _("Executed"),
                    plan["executed"],
                    changelist(user, "inspections.planentry", status__exact="executed", **month),
                ),
                Figure(_("Cut"), plan["cut"], changelist(user, "inspections.planentry", status__exact="cut", **month)),
                Figure(_("Coordination rate"), _pct(plan["coordination_rate"])),
                Figure(_("Reduction rate"), _pct(plan["reduction_rate"])),
                Figure(_("Inspections"), visits["inspections"], changelist(user, "inspections.inspection", **month)),
                Figure(_("Share that were joint"), _pct(visits["joint_share"])),
                Figure(_("Code-shown rate"), _pct(visits["code_shown_rate"])),
                Figure(
                    _("Major hazards found"),
                    findings["major"],
                    changelist(user, "inspections.finding", severity__exact="major"),
                ),
                Figure(
                    _("General issues found"),
                    findings["general"],
                    changelist(user, "inspections.finding", severity__exact="general"),
                ),
                Figure(_("Rectified on time"), _pct(findings["rectified_on_time_rate"])),
            ],
        ),
        (
            _("Four-colour grade"),
            [
                Figure(
                    _("Graded enterprises"), grade["enterprises"]["graded"], changelist(user, "programs.enterprise")
                ),
                Figure(
                    _("Green rate"),
                    _pct(grade["green_rate"]),
                    changelist(user, "programs.enterprise", grade__exact="green"),
                ),
                *[
                    Figure(
                        f"{colours[c['from']]} → {colours[c['to']]}", c["count"], note=_("grade changes in the period")
                    )
                    for c in grade["conversions"]
                ],
                *[
                    Figure(label, grade["enterprises"][key], changelist(user, "programs.enterprise", grade__exact=key))
                    for key, label in (
                        ("red", _("Red")),
                        ("yellow", _("Yellow")),
                        ("green", _("Green")),
                        ("gray", _("Gray")),
                    )
                ],
            ],
        ),
        (
            _("Guidance bookings"),
            [
                Figure(_("Bookings accepted"), guide["bookings_accepted"], changelist(user, "guidance.booking")),
                Figure(_("Visits held online"), guide["visits_held_online"]),
                Figure(_("Visits held on site"), guide["visits_held_onsite"]),
                Figure(_("Risks found"), guide["risks_found"], changelist(user, "guidance.risk")),
                Figure(_("Risks rectified"), guide["risks_rectified"]),
                Figure(_("Average satisfaction (1–5)"), guide["satisfaction_average"] or "—"),
                Figure(
                    _("No-show rate"), "—" if guide["no_show_rate"] is None else f"{guide['no_show_rate'] * 100:.1f} %"
                ),
            ],
        ),
    ]

    trend_months = months_between(start, end)
    trend = {
        _("Inspections completed"): [],
        _("Bookings accepted"): [],
        _("People employed"): [],
    }
    for first, last in trend_months:
        span = {"user": user, "region": region, "start": first, "end": last}
        trend[_("Inspections completed")].append(inspection_indicators(**span)["inspections"]["completed"])
        trend[_("Bookings accepted")].append(guidance_indicators(**span)["bookings_accepted"])
        trend[_("People employed")].append(workshop_indicators(**span)["people_employed"])
    grade_rows = [
        (
            row["name"],
            {k: row[k] for k in ("red", "yellow", "green", "gray")},
            changelist(user, "programs.enterprise", region__code__startswith=Region.prefix_of(row["region"])),
        )
        for row in grade["map"]
    ]
    chart_list = [
        (
            _("Trend by month"),
            charts.line_chart([f"{m.month}月" for m, _last in trend_months], trend, title=_("Trend by month")),
        ),
        (
            _("Grade by region"),
            charts.stacked_bar_chart(
                grade_rows, colours=charts.GRADE_COLOURS, labels=dict(Grade.choices), title=_("Grade by region")
            ),
        ),
        (
            _("Bookings by theme"),
            charts.bar_chart(
                [charts.Bar(row["theme"], row["accepted"]) for row in guide["by_theme"]], title=_("Bookings by theme")
            ),
        ),
    ]
    return {
        "sections": sections,
        "charts": chart_list,
        "indicators": {"workshops": work, "inspections": insp, "grades": grade, "guidance": guide},
    }
