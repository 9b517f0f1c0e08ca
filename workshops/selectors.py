"""Reads of the workshops app: scoped lists, the 15-minute-circle matching, and the indicators."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from programs.models import Region, User
from programs.roles import WORKSHOP_FIELD_STAFF
from programs.selectors import scope

from .circle import travel_minutes_from  # the circle is computed there (views and bench read it here too)
from .models import (
    Activity,
    Employment,
    IncomeRecord,
    Market,
    MarketParticipation,
    Position,
    Registration,
    Resident,
    SupplyPoint,
    Workshop,
)
from .offer_selectors import offer_and_course_figures
from .privacy import resident_view

# A day wage compares with a monthly one at this many working days a month, to rank positions by pay.
WORKING_DAYS_PER_MONTH = 22


def _is_resident(user: User) -> bool:
    return user.is_authenticated and not user.is_superuser and user.role == User.Role.RESIDENT


def workshop_list(*, user: User) -> QuerySet[Workshop]:
    workshops = Workshop.objects.select_related("village__parent", "host_enterprise")
    if _is_resident(user):
        return workshops.filter(status=Workshop.Status.OPEN)
    return scope(workshops, user, region="village", enterprise="host_enterprise_id")


def open_positions(*, today: date | None = None) -> QuerySet[Position]:
    """Positions taking registrations: open, in an open workshop, a place left, the season not over."""
    today = today or timezone.localdate()
    return (
        Position.objects.filter(
            status=Position.Status.OPEN, workshop__status=Workshop.Status.OPEN, accepted_count__lt=F("openings")
        )
        .exclude(seasonal_end__lt=today)
        .select_related("workshop__village__parent", "workshop__host_enterprise")
    )


def position_list(*, user: User) -> QuerySet[Position]:
    if _is_resident(user):
        return open_positions()
    positions = Position.objects.select_related("workshop__village__parent", "workshop__host_enterprise")
    return scope(positions, user, region="workshop__village", enterprise="workshop__host_enterprise_id")


def resident_list(*, user: User) -> QuerySet[Resident]:
    """Organisers and grid workers: the residents of their region; a resident: themself; nobody else."""
    residents = Resident.objects.select_related("village__parent", "grid_worker", "user")
    if not user.is_authenticated:
        return residents.none()
    if _is_resident(user):
        return residents.filter(user=user)
    if user.is_superuser or user.role in WORKSHOP_FIELD_STAFF:
        return scope(residents, user, region="village")
    return residents.none()


def registration_list(*, user: User) -> QuerySet[Registration]:
    """Staff: registrations of residents of their region, or for positions in their region. An enterprise:
    registrations for its own workshops' positions. A resident: their own."""
    registrations = Registration.objects.select_related(
        "resident__village", "position__workshop__village", "position__workshop__host_enterprise"
    )
    if not user.is_authenticated:
        return registrations.none()
    if _is_resident(user):
        return registrations.filter(resident__user=user)
    if user.role == User.Role.ENTERPRISE and not user.is_superuser:
        return scope(registrations, user, enterprise="position__workshop__host_enterprise_id")
    if not user.is_superuser and user.role not in WORKSHOP_FIELD_STAFF:
        return registrations.none()
    # Either place's staff: the resident's village or the workshop's, each a prefix of a code the row stores.
    return scope(registrations, user, region="resident_region_code") | scope(
        registrations, user, region="workshop_region_code"
    )


def employment_list(*, user: User) -> QuerySet[Employment]:
    visible = registration_list(user=user).values("pk")
    return (
        Employment.objects.filter(registration__in=visible)
        .select_related("registration__resident__village", "registration__position__workshop")
        .prefetch_related("income_records")
    )


def activity_list(*, user: User) -> QuerySet[Activity]:
    activities = Activity.objects.select_related("workshop__village")
    return scope(activities, user, region="workshop__village", enterprise="workshop__host_enterprise_id")


def market_list(*, user: User) -> QuerySet[Market]:
    """A market is seen by whoever sees one of the workshops that took part (an organiser: one in their region;
    an enterprise: one it hosts), once however many took part. A superuser sees every market. An enterprise sees
    only its own workshops' rows of it: another host's stalls and revenue are that business's figures."""
    participations = MarketParticipation.objects.select_related("workshop__village")
    supply_points = SupplyPoint.objects.select_related("workshop")
    if user.is_authenticated and user.role == User.Role.ENTERPRISE:
        participations = participations.filter(workshop__host_enterprise_id=user.enterprise_id)
        supply_points = supply_points.filter(workshop__host_enterprise_id=user.enterprise_id)
    markets = Market.objects.prefetch_related(
        Prefetch("participations", participations), Prefetch("supply_points", supply_points)
    )
    if user.is_authenticated and user.is_active and user.is_superuser:
        return markets
    taking_part = scope(
        MarketParticipation.objects.all(), user, region="workshop__village", enterprise="workshop__host_enterprise_id"
    )
    return markets.filter(pk__in=taking_part.values("market_id"))


# --- Matching: the 15-minute employment circle ---------------------------------------------------------


def monthly_pay(position: Position) -> Decimal:
    if position.pay_unit == Position.PayUnit.DAY:
        return position.pay_amount * WORKING_DAYS_PER_MONTH
    return position.pay_amount


def positions_matching(*, resident: Resident, today: date | None = None) -> list[Position]:
    """Open positions within the resident's 15-minute circle that fit their wish to work, best first.

    Fit: the resident wishes to work; the category is one they wished for (no wish = any); not one they
    already have an active registration for. Best first: nearest, then (for a disabled person) accessible
    ones, then the higher monthly pay, then the earlier posted. Each position carries ``travel_minutes``.
    """
    if not resident.wants_work:
        return []
    circle = travel_minutes_from(resident.village)
    positions = open_positions(today=today).filter(workshop__village_id__in=circle)
    if resident.wished_categories:
        positions = positions.filter(category__in=resident.wished_categories)
    taken = Registration.objects.filter(resident=resident, status__in=Registration.ACTIVE).values("position_id")
    positions = list(positions.exclude(pk__in=taken))
    for position in positions:
        position.travel_minutes = circle[position.workshop.village_id]

    def rank(position):
        inaccessible = resident.has_disability and not position.accessible
        return (position.travel_minutes, inaccessible, -monthly_pay(position), position.pk)

    return sorted(positions, key=rank)


# --- Indicators ---------------------------------------------------------------------------------------


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def workshop_indicators(*, user: User, region: Region | None = None, start: date, end: date) -> dict:
    """The figures the Zhoushan article publishes, computed from the records for a region and period.

    - ``workshops``: workshops operating at some time in the period (opened by its end, not closed before
      its start);
    - ``people_employed`` / ``low_income_employed`` / ``disabled_employed``: distinct residents with an
      employment overlapping the period;
    - ``average_monthly_income_increase``: for each person with income records in the period, the mean of
      (monthly income − the baseline given at registration); then the mean over those people;
    - ``markets``: markets held in the period (cancelled ones left out) in which a workshop of the region took
      part, each counted once however many took part (``count``); of those workshops: how many took part
      (``workshops``, distinct), their ``stalls``, ``revenue`` and ``products_offered``, the
      ``average_revenue_per_stall`` (revenue ÷ stalls, to the fen; 0.00 without stalls) and the
      ``supply_points_outside_city`` the markets opened for them; ``visitors``: the markets' own figure, whole
      (a market of two counties shows its visitors in each);
    - ``live_streams`` (``count``, ``sessions``, ``sales``) and ``trainings`` (``count``, ``participants``):
      the workshops' activities held in the period, cancelled ones left out;
    - ``activity_revenue``: market revenue plus live-stream sales;
    - ``offers`` (``sent``, ``leading_to_registration``) and ``courses`` (``count``, ``enrolments``, ``attended``):
      ``offer_selectors.offer_and_course_figures``.
    """
    workshops = scope(Workshop.objects.all(), user, region="village", enterprise="host_enterprise_id")
    if region is not None:
        workshops = workshops.filter(village__code__startswith=region.prefix)
    operating = workshops.filter(opened_on__lte=end).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    employments = Employment.objects.filter(
        registration__position__workshop__in=workshops.values("pk"), start_date__lte=end
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    people = employments.aggregate(
        employed=Count("registration__resident", distinct=True),
        low_income=Count("registration__resident", filter=Q(registration__resident__is_low_income=True), distinct=True),
        disabled=Count("registration__resident", filter=Q(registration__resident__has_disability=True), distinct=True),
    )
    # Summed per person in the database (one row per person, not per month), averaged here in exact decimals.
    per_person = [
        Decimal(total) / months
        for total, months in IncomeRecord.objects.filter(
            employment__in=employments.values("pk"), month__gte=start.replace(day=1), month__lte=end
        )
        .values("employment__registration__resident_id")
        .annotate(
            total=Sum(
                F("income") - F("employment__registration__baseline_monthly_income"),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
            months=Count("pk"),
        )
        .values_list("total", "months")
    ]
    average = _cents(sum(per_person) / len(per_person)) if per_person else Decimal("0.00")

    activities = Activity.objects.filter(
        workshop__in=workshops.values("pk"), held_on__gte=start, held_on__lte=end, is_cancelled=False
    )
    by_kind = {
        row["kind"]: row
        for row in activities.values("kind").annotate(
            count=Count("pk"),
            sessions=Sum("sessions"),
            participants=Sum("participants"),
            revenue=Sum("revenue"),
        )
    }
    empty = {"count": 0, "sessions": 0, "participants": 0, "revenue": Decimal("0")}
    market = _market_figures(workshops, start, end)
    live = by_kind.get(Activity.Kind.LIVE_STREAM, empty)
    training = by_kind.get(Activity.Kind.TRAINING, empty)
    return {
        "region": region.code if region is not None else None,
        "region_name": region.name if region is not None else None,
        "start": start,
        "end": end,
        "workshops": operating.count(),
        "people_employed": people["employed"],
        "low_income_employed": people["low_income"],
        "disabled_employed": people["disabled"],
        "people_with_income_records": len(per_person),
        "average_monthly_income_increase": average,
        "markets": market,
        "live_streams": {
            "count": live["count"],
            "sessions": live["sessions"] or 0,
            "sales": _cents(live["revenue"] or 0),
        },
        "trainings": {"count": training["count"], "participants": training["participants"] or 0},
        "activity_revenue": _cents(market["revenue"] + (live["revenue"] or 0)),
        **offer_and_course_figures(workshops=workshops, user=user, region=region, start=start, end=end),
    }


def _market_figures(workshops: QuerySet[Workshop], start: date, end: date) -> dict:
    """The market figures of ``workshop_indicators`` for the markets in which one of ``workshops`` took part."""
    held = {"market__held_on__gte": start, "market__held_on__lte": end, "market__is_cancelled": False}
    taking_part = MarketParticipation.objects.filter(workshop__in=workshops.values("pk"), **held)
    totals = taking_part.aggregate(
        count=Count("market", distinct=True),
        workshops=Count("workshop", distinct=True),
        stalls=Sum("stalls"),
        revenue=Sum("revenue"),
        products=Sum("products_offered"),
    )
    visitors = Market.objects.filter(pk__in=taking_part.values("market_id")).aggregate(total=Sum("visitors"))
    stalls, revenue = totals["stalls"] or 0, _cents(totals["revenue"] or 0)
    return {
        "count": totals["count"],
        "workshops": totals["workshops"],
        "stalls": stalls,
        "visitors": visitors["total"] or 0,
        "revenue": revenue,
        "average_revenue_per_stall": _cents(revenue / stalls) if stalls else Decimal("0.00"),
        "products_offered": totals["products"] or 0,
        "supply_points_outside_city": SupplyPoint.objects.filter(workshop__in=workshops.values("pk"), **held).count(),
    }


def workshop_indicators_by_region(*, user: User, parent: Region, start: date, end: date) -> list[dict]:
    """The indicators for each region one level below ``parent`` (a city's counties, a county's towns)."""
    return [
        workshop_indicators(user=user, region=child, start=start, end=end)
        for child in Region.objects.filter(parent=parent).order_by("code")
    ]


def workshop_month_report(*, workshop: Workshop, month: date, user: User) -> dict:
    """A workshop's employment in one month, for its printed monthly report: who worked (with what they
    earned against their baseline), and the totals. Sensitive flags only for those who may see them."""
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    employments = (
        employment_list(user=user)
        .filter(registration__position__workshop=workshop, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .order_by("registration__position__title", "registration__resident__name")
    )
    rows, increases = [], []
    for employment in employments:
        registration = employment.registration
        income = next((r.income for r in employment.income_records.all() if r.month == first), None)
        increase = None if income is None else income - registration.baseline_monthly_income
        if increase is not None:
            increases.append(increase)
        rows.append(
            {
                "resident": registration.resident,
                "personal": resident_view(user, registration.resident),
                "position": registration.position,
                "start": employment.start_date,
                "baseline": registration.baseline_monthly_income,
                "income": income,
                "increase": increase,
            }
        )
    return {
        "workshop": workshop,
        "month": first,
        "rows": rows,
        "employed": len(rows),
        "with_income": len(increases),
        "average_increase": _cents(sum(increases) / len(increases)) if increases else None,
    }


# --- Monthly series (the dashboard's trend: one statement per series, whatever the number of months) ----------


def people_employed_by_month(*, user: User, region: Region | None = None, start: date, end: date) -> dict[date, int]:
    """People employed in each month of [start, end] (first day of the month → count), counted as
    ``workshop_indicators`` counts ``people_employed`` for the month. An employment spans months, so this is
    not a GROUP BY: one statement with a distinct count per month."""
    workshops = scope(Workshop.objects.all(), user, region="village", enterprise="host_enterprise_id")
    if region is not None:
        workshops = workshops.filter(village__code__startswith=region.prefix)
    spans, first = {}, start.replace(day=1)
    while first <= end:
        following = (first + timedelta(days=32)).replace(day=1)
        spans[first] = (max(first, start), min(following - timedelta(days=1), end))
        first = following
    employments = Employment.objects.filter(registration__position__workshop__in=workshops.values("pk"))
    counts = employments.aggregate(
        **{
            f"m{month:%Y%m}": Count(
                "registration__resident",
                distinct=True,
                filter=Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=since)),
            )
            for month, (since, last) in spans.items()
        }
    )
    return {month: counts[f"m{month:%Y%m}"] for month in spans}
