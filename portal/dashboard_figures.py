"""The dashboard's figures, one row each: where the indicators API answers it, its label, the admin list of the
records behind it, how it is written. A figure the API adds is one row here (tests/portal/test_dashboard_figures.py
fails until it has one)."""

from dataclasses import dataclass
from datetime import date

from django.utils import formats, timezone
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
    dates passed (before today), ``passed:due_at`` times passed (before now, as the overdue counts compare),
    ``running:`` rows whose ``starts_on``–``ends_on`` overlaps the period;
    none: the list as it stands)."""

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
            "passed": {f"{field}__lt": timezone.localtime().replace(microsecond=0)},
            "running": {f"{field}starts_on__lte": end, f"{field}ends_on__gte": start},
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
OFFERS = to("workshops.joboffer", "days:offered_at")
FOLLOWED = to("workshops.joboffer", "days:offered_at", led_to_registration="1")
COURSES = to("workshops.course", "running:", status__in="open,closed")
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


def complaints(**filters) -> Link:
    return to("inspections.complaint", "days:created_at", **filters)


OVERDUE_COMPLAINTS = to("inspections.complaint", "passed:reply_due_at", status__in="received,acknowledged")
TRIGGERED = to("inspections.inspection", "days:created_at", origin__exact="complaint")
DELIVERED_ORDERS = to("inspections.serviceorder", "days:delivered_at")
RATED_ORDERS = to("inspections.serviceorder", "days:delivered_at", rating__isnull="False")


def requests(**filters) -> Link:
    return to("inspections.enterpriserequest", "days:created_at", **filters)


ANSWERED = to("inspections.enterpriserequest", "days:answered_at")
ANSWERED_ON_TIME = to("inspections.enterpriserequest", "days:answered_at", answered_on_time__exact="1")
RATED_REQUESTS = to("inspections.enterpriserequest", "days:rated_at")
SATISFIED_REQUESTS = to("inspections.enterpriserequest", "days:rated_at", rating__gte="4")
OVERDUE_REQUESTS = to("inspections.enterpriserequest", "passed:due_at", status__in="submitted,in_progress")
SOLVED_CASES = to("inspections.assistancecase", "days:closed_at", status__exact="solved")
OVERDUE_TASKS = to("inspections.assistancetask", "before:deadline", status__exact="open")


def no_penalty(**filters) -> Link:
    return to("inspections.finding", "days:decided_at", decision__exact="no_penalty", **filters)


def repairs(period: str = "", **filters) -> Link:
    return to("inspections.repairapplication", period, **filters)


REPAIRED = repairs("days:decided_at", status__exact="approved")


def listed(kind: str) -> Link:
    return no_penalty(lenient_entry__kind__exact=kind)


def cases(**filters) -> Link:
    """Penalty cases opened in the period, cancelled ones left out as the indicators leave them out."""
    return to("inspections.penaltycase", "days:opened_at", status__in=CASE_COUNTED, **filters)


CASE_COUNTED = "opened,notified,awaiting_approval,decided,fulfilled,closed"
FINES_PAID = to("inspections.fine", "days:paid_at", status__exact="paid")
FINES_WAIVED = to("inspections.fine", "days:paid_at", status__exact="paid", waived="yes")
ENFORCEMENT_APPLIED = to("inspections.fine", "days:enforcement_applied_at")


# (program, section title, [(group title, key prefix, [rows])]): the page shows them in this order.
FIGURES = [
    (WORKSHOPS, _("Co-prosperity workshops"), [
        (None, "workshops.", [
            Row("workshops", _("Workshops"), to("workshops.workshop", "until:opened_on")),
            Row("people_employed", _("People employed"), EMPLOYED),
            # No link: the employments list cannot be filtered by a resident's low-income or disability status
            # (sensitive; no filter on it), so it would show another number than the figure.
            Row("low_income_employed", _("Low-income people employed")),
            Row("disabled_employed", _("Disabled people employed")),
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
        (_("Job offers and courses"), "workshops.", [
            Row("offers.sent", _("Job offers sent"), OFFERS),
            Row("offers.leading_to_registration", _("Offers leading to a registration"), FOLLOWED),
            Row("courses.count", _("Courses running"), COURSES),
            # No link: enrolments are counted on the courses running in the period, a filter on the course that
            # the enrolments list does not offer; the courses figure above links to those courses.
            Row("courses.enrolments", _("Course enrolments")),
            Row("courses.attended", _("Course attendance")),
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
    (INSPECTIONS, _("Enforcement cases"), [
        (_("Penalty cases"), "inspections.cases.", [
            Row("opened", _("Penalty cases opened"), cases()),
            Row("simple", _("Decided by the simple procedure"), cases(procedure__exact="simple")),
            Row("decided", _("Penalty decisions issued"), cases(decided_at__isnull="False")),
            Row("zero_trip", _("Cases handled with zero trips"), cases(zero_trip__exact="1")),
            Row("zero_trip_share", _("Share handled with zero trips"), cases(zero_trip__exact="1"), PERCENT),
            Row("reconsidered", _("Cases taken to reconsideration"), cases(reviews__kind__exact="reconsideration")),
            Row("litigated", _("Cases taken to court"), cases(reviews__kind__exact="litigation")),
        ]),
        (_("Fines and payment"), "inspections.fines.", [
            Row("paid", _("Fines paid"), FINES_PAID),
            Row("paid_amount", _("Fines and late fees paid (yuan)"), FINES_PAID),
            Row("late_fees_paid", _("Late fees paid (yuan)"), FINES_PAID),
            Row("waived", _("Late-fee waivers (免加罚)"), FINES_WAIVED),
            Row("waived_amount", _("Late fees waived (yuan)"), FINES_WAIVED),
            Row("enforcement_applied", _("Fines sent to compulsory enforcement"), ENFORCEMENT_APPLIED),
        ]),
        (_("No-penalty decisions by lenient list"), "inspections.lenient.", [
            Row("no_penalty_decisions", _("No-penalty decisions"), no_penalty()),
            Row("by_list.first_violation", _("First-violation exemption"), listed("first_violation")),
            Row("by_list.minor_violation", _("Minor-violation exemption"), listed("minor_violation")),
            Row("by_list.no_penalty", _("No-penalty list"), listed("no_penalty")),
            Row("by_list.prudent", _("Prudent-enforcement list"), listed("prudent")),
            Row("without_list", _("Without a lenient list"), no_penalty(lenient_entry__isnull="True")),
        ]),
        (_("Credit repair"), "inspections.credit_repair.", [
            Row("applications", _("Credit repair applications"), repairs("days:submitted_at")),
            Row("approved", _("Applications approved"), REPAIRED),
            Row("refused", _("Applications refused"), repairs("days:decided_at", status__exact="refused")),
            Row("enterprises_repaired", _("Enterprises repaired"), REPAIRED),
            Row("pending", _("Applications under review"), repairs(status__exact="submitted"), state=True),
            Row(
                "overdue",
                _("Reviews past their deadline"),
                repairs("passed:review_due", status__exact="submitted"),
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
    (INSPECTIONS, _("Enterprise services"), [
        (_("Complaints"), "inspections.complaints.", [
            Row("complaints", _("Complaints received"), complaints()),
            Row("replied", _("Complaints replied"), complaints(replied_at__isnull="False")),
            Row("replied_on_time", _("Replied by the deadline"), complaints(on_time="1")),
            Row("replied_on_time_rate", _("Replied on time"), complaints(on_time="1"), PERCENT),
            Row("guidance_offered", _("Guidance offered after a complaint"), complaints(outcome__exact="guidance")),
            Row("overdue_open", _("Complaints past their reply deadline"), OVERDUE_COMPLAINTS, state=True),
            Row("triggered_inspections", _("Complaint-triggered inspections"), TRIGGERED),
        ]),
        (_("Service ordering"), "inspections.ordering.", [
            Row("orders", _("Service orders"), to("inspections.serviceorder", "days:created_at")),
            Row("delivered", _("Orders delivered"), DELIVERED_ORDERS),
            Row("people_served", _("People served"), DELIVERED_ORDERS),
            Row("satisfaction_average", _("Average rating of services (1–5)"), RATED_ORDERS),
        ]),
        (_("Enterprise requests"), "inspections.requests.", [
            Row("received", _("Requests received"), requests()),
            Row("filed_on_behalf", _("Filed on an enterprise's behalf"), requests(channel__in="grid,phone,visit")),
            Row("answered", _("Requests answered"), ANSWERED),
            Row("answered_on_time", _("Answered by the deadline"), ANSWERED_ON_TIME),
            Row("on_time_rate", _("Answered on time"), ANSWERED_ON_TIME, PERCENT),
            Row("escalated", _("Requests escalated"), to("inspections.enterpriserequest", "days:escalated_at")),
            Row("ratings", _("Answers rated"), RATED_REQUESTS),
            Row("satisfied", _("Rated satisfied (4–5)"), SATISFIED_REQUESTS),
            Row("satisfaction_rate", _("Satisfaction"), SATISFIED_REQUESTS, PERCENT),
            Row("satisfaction_average", _("Average rating of answers (1–5)"), RATED_REQUESTS),
            Row("overdue_open", _("Requests past their deadline"), OVERDUE_REQUESTS, state=True),
        ]),
        (_("Joint assistance"), "inspections.assistance.", [
            Row("opened", _("Joint assistance cases opened"), to("inspections.assistancecase", "days:opened_at")),
            Row("solved", _("Problems solved"), SOLVED_CASES),
            Row("open", _("Cases open"), to("inspections.assistancecase", status__exact="open"), state=True),
            Row("tasks_overdue", _("Tasks past their deadline"), OVERDUE_TASKS, state=True),
        ]),
    ]),
]  # fmt: skip

# The grids of communities (programs.grid_models, /api/v1/indicators/grids/): counts as they stand today.
GRIDS = "grids"
IN_A_MICRO_GRID = {"micro_grid__isnull": "False"}
FIGURES.append((GRIDS, _("Grids"), [
    (None, "grids.", [
        Row("grids", _("Grids"), to("programs.grid"), state=True),
        Row("micro_grids", _("Micro-grids"), to("programs.microgrid"), state=True),
        Row("enterprises_assigned", _("Enterprises in a micro-grid"), enterprises(**IN_A_MICRO_GRID), state=True),
        Row("key_enterprises", _("Key enterprises"), enterprises(is_key__exact="1"), state=True),
        Row(
            "key_enterprises_assigned",
            _("Key enterprises in a micro-grid"),
            enterprises(is_key__exact="1", **IN_A_MICRO_GRID),
            state=True,
        ),
    ]),
]))  # fmt: skip


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
