"""The dashboard's figures, one row each: where the indicators API answers it, its label, the admin list of the
records behind it, how it is written. A figure the API adds is one row here (tests/portal/test_dashboard_figures.py
fails until it has one)."""

from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from inspections.models import Inspection
from programs.models import Grade

WORKSHOPS, INSPECTIONS, GRADES, GUIDANCE = "workshops", "inspections", "grades", "guidance"
COUNT, PERCENT, SHARE, EACH = "count", "percent", "share", "each"


@dataclass(frozen=True)
class Link:
    """The admin list behind a figure: ``model`` filtered by ``filters`` and by the period as ``period`` says
    (``months:month`` plan months, ``days:recorded_at`` the days of a time, ``dates:held_on`` dates,
    ``until:opened_on`` up to the end, ``due:deadline`` deadlines in the period up to today, ``before:deadline``
    deadlines passed; none: the list as it stands)."""

    model: str
    period: str = ""
    filters: tuple = ()

    def query(self, start: date, end: date, today: date) -> dict:
        how, _sep, field = self.period.partition(":")
        bounds = {
            "months": {f"{field}__gte": start.replace(day=1), f"{field}__lte": end},
            "days": {f"{field}__date__gte": start, f"{field}__date__lte": end},
            "dates": {f"{field}__gte": start, f"{field}__lte": end},
            "until": {f"{field}__lte": end},
            "due": {f"{field}__gte": start, f"{field}__lte": min(end, today)},
            "before": {f"{field}__lt": today},
        }.get(how, {})
        return {**{key: day.isoformat() for key, day in bounds.items()}, **dict(self.filters)}


def to(model: str, period: str = "", **filters) -> Link:
    return Link(model, period, tuple(filters.items()))


@dataclass(frozen=True)
class Row:
    """``key``: the path in the program's answer (after the group's prefix); ``state``: a count as it stands
    today, which the period does not change (not compared); ``EACH``: one figure per entry of a mapping or list
    (``PARTS`` says how), the label a format of ``%(what)s``."""

    key: str
    label: object
    link: Link | None = None
    kind: str = COUNT
    state: bool = False


def plans(**filters) -> Link:
    return to("inspections.planentry", "months:month", **filters)


def visits(**filters) -> Link:
    return to("inspections.inspection", "months:month", **filters)


def found(**filters) -> Link:
    return to("inspections.finding", "days:recorded_at", **filters)


def held(model: str = "workshops.activity", **filters) -> Link:
    return to(model, "dates:held_on", **filters)


def bookings(period: str = "", **filters) -> Link:
    return to("guidance.booking", period, **filters)


def enterprises(**filters) -> Link:
    return to("programs.enterprise", **filters)


EMPLOYED = to("workshops.employment", "until:start_date")
INCOME = to("workshops.incomerecord", "months:month")
MARKETS = held("workshops.market")
LIVE, TRAINING = held(kind="live_stream", is_cancelled__exact="0"), held(kind="training", is_cancelled__exact="0")
PLANNED, IN_YEAR_PLAN = {"status__in": "submitted,executed,cut"}, {"year_plan__isnull": "False"}
NOT_CANCELLED = {"status__in": "planned,scheduled,in_progress,completed"}
CARRIED_OUT = {"status__exact": "completed"}
SHOWN, NOT_SHOWN = {**CARRIED_OUT, "code_shown_at__isnull": "False"}, {**CARRIED_OUT, "code_shown_at__isnull": "True"}
DUE = to("inspections.finding", "due:deadline")
ON_TIME = to("inspections.finding", "due:deadline", status__exact="rectified")
HELD = {"status__exact": "completed"}
VISIT_DAY = "days:slot__starts_at"  # a visit counts in the period of its time, as the indicators count it
SESSIONS = to("guidance.session", "days:held_at")


def sessions(**filters) -> Link:
    return to("guidance.session", "days:held_at", **filters)


# (program, section title, [(group title, key prefix, [rows])]): the page shows them in this order.
FIGURES = [
    (WORKSHOPS, _("Co-prosperity workshops"), [
        (None, "workshops.", [
            Row("workshops", _("Workshops"), to("workshops.workshop", "until:opened_on")),
            Row("people_employed", _("People employed"), EMPLOYED),
            Row("low_income_employed", _("Low-income people employed"), EMPLOYED),
            Row("disabled_employed", _("Disabled people employed"), EMPLOYED),
            Row("people_with_income_records", _("People with income records"), INCOME),
            Row("average_monthly_income_increase", _("Average monthly income increase (yuan)"), INCOME),
        ]),
        (_("Market days"), "workshops.markets.", [
            Row("count", _("Markets held"), MARKETS),
            Row("workshops", _("Workshops taking part"), MARKETS),
            Row("stalls", _("Stalls"), MARKETS),
            Row("visitors", _("Visitors"), MARKETS),
            Row("revenue", _("Market revenue (yuan)"), MARKETS),
            Row("average_revenue_per_stall", _("Average revenue per stall (yuan)"), MARKETS),
            Row("products_offered", _("Products offered"), MARKETS),
            Row("supply_points_outside_city", _("Supply points outside the city"), MARKETS),
        ]),
        (_("Live streams and trainings"), "workshops.", [
            Row("live_streams.count", _("Live-stream events"), LIVE),
            Row("live_streams.sessions", _("Live-stream sessions"), LIVE),
            Row("live_streams.sales", _("Live-stream sales (yuan)"), LIVE),
            Row("trainings.count", _("Trainings"), TRAINING),
            Row("trainings.participants", _("Trainees"), TRAINING),
            Row("activity_revenue", _("Activity revenue (yuan)"), held(is_cancelled__exact="0")),
        ]),
    ]),
    (INSPECTIONS, _("Enterprise inspections"), [
        (_("Plan entries"), "inspections.plan_entries.", [
            Row("submitted", _("Plan entries submitted"), plans(**PLANNED)),
            Row("executed", _("Executed"), plans(status__exact="executed")),
            Row("cut", _("Cut"), plans(status__exact="cut")),
            Row("pending", _("Pending coordination"), plans(status__exact="submitted")),
            Row("coordination_rate", _("Coordination rate"), plans(status__exact="executed"), PERCENT),
            Row("reduction_rate", _("Reduction rate"), plans(status__exact="cut"), PERCENT),
            Row("delegated", _("Executed by another department"), plans(status__exact="executed", delegated__exact=1)),
            Row("cut_duplicate", _("Cut as duplicates"), plans(status__exact="cut", cut_reason__exact="duplicate")),
            Row("cut_leave_alone", _("Cut: left alone"), plans(status__exact="cut", cut_reason__exact="leave_alone")),
        ]),
        (_("Year plans"), "inspections.year_plan.", [
            Row("planned", _("Entries of year plans"), plans(**IN_YEAR_PLAN, **PLANNED)),
            Row("pending", _("Pending coordination"), plans(**IN_YEAR_PLAN, status__exact="submitted")),
            Row("executed", _("Executed"), plans(**IN_YEAR_PLAN, status__exact="executed")),
            Row("cut", _("Cut"), plans(**IN_YEAR_PLAN, status__exact="cut")),
            Row("coordination_rate", _("Coordination rate"), plans(**IN_YEAR_PLAN, status__exact="executed"), PERCENT),
            Row("reduction_rate", _("Reduction rate"), plans(**IN_YEAR_PLAN, status__exact="cut"), PERCENT),
            Row("outside_plan", _("Entries outside a year plan"), plans(year_plan__isnull="True", **PLANNED)),
        ]),
        (_("Inspections"), "inspections.inspections.", [
            Row("inspections", _("Inspections"), visits(**NOT_CANCELLED)),
            Row("joint", _("Joint inspections"), visits(is_joint__exact="1", **NOT_CANCELLED)),
            Row("joint_share", _("Share that were joint"), visits(is_joint__exact="1", **NOT_CANCELLED), PERCENT),
            Row("started", _("Started"), visits(status__in="in_progress,completed")),
            Row("completed", _("Completed"), visits(**CARRIED_OUT)),
            Row("carried_out", _("Carried out"), visits(**CARRIED_OUT)),
            Row("code_shown", _("Code shown"), visits(**SHOWN)),
            Row("code_not_shown", _("Carried out without showing the code"), visits(**NOT_SHOWN)),
            Row("code_shown_rate", _("Code-shown rate"), visits(**SHOWN), PERCENT),
            Row("code_not_shown_by_reason", _("Code not shown: %(what)s"), visits(**NOT_SHOWN), EACH),
            # Item checks have no list of their own: the joint inspections they were made in.
            Row("delegated_checks", _("Items checked on another department's behalf"), visits(is_joint__exact="1")),
        ]),
        (_("Findings"), "inspections.findings.", [
            Row("major", _("Major hazards found"), found(severity__exact="major")),
            Row("general", _("General issues found"), found(severity__exact="general")),
            Row("no_penalty", _("Decided without penalty"), found(decision__exact="no_penalty")),
            Row("lenient_proposed", _("Proposed for a lenient list"), found(lenient_proposed__exact="1")),
            Row("deadlines_due", _("Rectification deadlines due"), DUE),
            Row("rectified_on_time", _("Rectified by the deadline"), ON_TIME),
            Row("rectified_on_time_rate", _("Rectified on time"), ON_TIME, PERCENT),
            Row(
                "overdue_open",
                _("Overdue and still open"),
                to("inspections.finding", "before:deadline", status__in="open,evidence_submitted"),
                state=True,
            ),
        ]),
    ]),
    (GRADES, _("Four-colour grade"), [
        (None, "grades.", [
            Row("enterprises.graded", _("Graded enterprises"), enterprises(grade__in="red,yellow,green"), state=True),
            Row("green_rate", _("Green rate"), enterprises(grade__exact="green"), PERCENT, state=True),
            Row("conversions", "%(what)s", to("inspections.gradechange", "days:changed_at"), EACH),
            Row("enterprises.red", _("Red"), enterprises(grade__exact="red"), state=True),
            Row("enterprises.yellow", _("Yellow"), enterprises(grade__exact="yellow"), state=True),
            Row("enterprises.green", _("Green"), enterprises(grade__exact="green"), state=True),
            Row("enterprises.gray", _("Gray"), enterprises(grade__exact="gray"), state=True),
            Row("enterprises.total", _("All enterprises"), enterprises(), state=True),
        ]),
    ]),
    (GUIDANCE, _("Guidance bookings"), [
        (None, "guidance.", [
            Row("bookings_accepted", _("Bookings accepted"), bookings("days:created_at")),
            Row("bookings_cancelled", _("Bookings cancelled"), bookings("days:created_at", status__exact="cancelled")),
            Row("visits_held", _("Visits held"), bookings(VISIT_DAY, **HELD)),
            Row("visits_held_online", _("Visits held online"), bookings(VISIT_DAY, **HELD, mode__exact="online")),
            Row("visits_held_onsite", _("Visits held on site"), bookings(VISIT_DAY, **HELD, mode__exact="onsite")),
            Row("sessions_held", _("Guidance sessions held"), SESSIONS),
            Row("sessions_held_online", _("Sessions held online"), sessions(mode__exact="online")),
            Row("sessions_held_onsite", _("Sessions held on site"), sessions(mode__exact="onsite")),
            Row("follow_up_sessions", _("Follow-up sessions"), sessions(kind__exact="follow_up")),
            Row("no_shows", _("No-shows"), bookings(VISIT_DAY, status__exact="no_show")),
            Row("no_show_rate", _("No-show rate"), bookings(status__exact="no_show"), SHARE),
            Row("risks_found", _("Risks found"), to("guidance.risk", "days:created_at")),
            Row("risks_rectified", _("Risks rectified"), to("guidance.risk", "days:rectified_at")),
            Row("satisfaction_average", _("Average satisfaction (1–5)"), bookings("days:feedback_at")),
            Row("satisfaction_responses", _("Satisfaction responses"), bookings("days:feedback_at")),
        ]),
    ]),
]  # fmt: skip


def _conversions(rows: list) -> list:
    colours = dict(Grade.choices)
    return [
        (
            f"{row['from']}-{row['to']}",
            f"{colours.get(row['from'], row['from'])} → {colours.get(row['to'], row['to'])}",
            row["count"],
            {"old_grade__exact": row["from"], "new_grade__exact": row["to"]},
        )
        for row in rows
    ]


def _reasons(counts: dict) -> list:
    named = dict(Inspection.CodeNotShownReason.choices)
    return [
        (reason, named.get(reason, reason), n, {"code_not_shown_reason__exact": reason}) for reason, n in counts.items()
    ]


# How an ``EACH`` row splits: (key part, what it is, the figure, the list's further filters) for each entry.
PARTS = {"grades.conversions": _conversions, "inspections.inspections.code_not_shown_by_reason": _reasons}


def display(value, kind: str = COUNT) -> str:
    """A figure as the dashboard writes it: grouped in the reader's locale ("1,969", "2,500.00"), rates in
    percent ("54.1 %"; a share of 1 is 100 %), "—" where there is nothing to divide."""
    if value is None:
        return "—"
    if kind == SHARE:
        return f"{formats.number_format(value * 100, 1)} %"
    shown = formats.number_format(value, force_grouping=True)
    return f"{shown} %" if kind == PERCENT else shown
