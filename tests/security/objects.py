"""What the security tests go through: every role (and no one signed in), and one object of each kind in the
cast's scope, so that detail routes answer with data, not only 404."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from guidance import services as guidance_services
from guidance.models import Booking, Risk
from inspections import services as inspection_services
from inspections.models import Coordination, Finding, GradeChange, GradePolicy, Inspection, ObservationPeriod, PlanEntry
from programs.models import Enterprise, ImportJob, User
from tests.cast import ANONYMOUS, Cast
from tests.guidance.factories import BookingFactory, SlotFactory, ThemeFactory, visit_started
from tests.inspections.factories import ItemFactory, PlanEntryFactory, next_monday
from tests.workshops.factories import PositionFactory, ResidentFactory, WorkshopFactory
from workshops import services as workshop_services
from workshops.models import Activity, Employment, Registration, Resident

ROLES = [role.value for role in User.Role]
PRINCIPALS = [*ROLES, ANONYMOUS]

# The object that each collection's detail routes are exercised on.
OBJECT_OF = {
    "regions": "region",
    "departments": "department",
    "enterprises": "enterprise",
    "officers": None,
    "notifications": None,
    "inspection-items": "item",
    "plan-entries": "plan_entry",
    "year-plans": "year_plan",
    "coordinations": "coordination",
    "inspections": "inspection",
    "findings": "finding",
    "observation-periods": "observation_period",
    "grade-changes": "grade_change",
    "grade-policies": "grade_policy",
    "guidance/themes": "theme",
    "guidance/slots": "slot",
    "guidance/bookings": "booking",
    "guidance/risks": "risk",
    "workshops": "workshop",
    "workshop-positions": "position",
    "workshop-residents": "resident",
    "workshop-registrations": "registration",
    "workshop-employments": "employment",
    "workshop-activities": "activity",
    "workshop-markets": "market",
}


def one_of_each(cast: Cast) -> dict[str, object]:
    """Objects of every kind, reached through the services by the cast's people, by name."""
    cast.users  # every user made now, inside the module's transaction, not later in a test's savepoint
    county, village = cast.county, cast.village
    Enterprise.objects.filter(pk=cast.enterprise.pk).update(is_four_new=True)
    cast.enterprise.refresh_from_db()
    enterprise, the_officer, the_coordinator = cast.enterprise, cast.market_officer, cast.coordinator
    market = cast.market

    # Inspections: an entry coordinated into an inspection, scheduled, started, with a finding under observation.
    today = timezone.localdate()
    month = today.replace(day=1)
    item = ItemFactory(department=market)
    entry = PlanEntryFactory(department=market, enterprise=enterprise, items=[item], month=month, actor=the_officer)
    inspection_services.month_coordinate(region=enterprise.region, month=month, actor=the_coordinator)
    inspection = Inspection.objects.get(enterprise=enterprise, month=month)
    inspection = inspection_services.inspection_schedule(
        inspection=inspection, week_start=next_monday(today), officers=[the_officer], actor=the_coordinator
    )
    inspection = inspection_services.inspection_start(inspection=inspection, actor=the_officer)
    finding = inspection_services.finding_record(
        inspection=inspection,
        item=item,
        severity=Finding.Severity.GENERAL,
        description="灭火器过期",
        deadline=today + timedelta(days=20),
        actor=the_officer,
    )
    period = inspection_services.observation_open(finding=finding, days=30, actor=the_officer)
    year_plan = inspection_services.year_plan_create(department=market, year=today.year + 1, actor=the_officer)

    # Guidance: the enterprise's visit held, with a risk found and the letter issued; another booking still open.
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme], region=county)
    booking = BookingFactory(slot=slot, actor=cast.enterprise_user, business_name=enterprise.name, not_registered=False)
    Booking.objects.filter(pk=booking.pk).update(enterprise=enterprise)
    booking = guidance_services.booking_confirm(booking=booking, actor=the_coordinator, departments=[market])
    booking = visit_started(booking)
    risk = guidance_services.risk_record(booking=booking, actor=the_coordinator, description="油烟管道未清洗")
    booking = guidance_services.booking_complete(booking=booking, actor=the_coordinator, summary="已指导")
    booking = guidance_services.letter_issue(booking=booking, actor=the_coordinator)
    open_booking = BookingFactory(slot=SlotFactory(themes=[theme], region=county), actor=None, contact_name="赵先生")
    # A full slot with a business on its waitlist.
    full = SlotFactory(themes=[theme], region=county, capacity=1)
    BookingFactory(slot=full, actor=None, contact_name="钱女士", contact_phone="13900000077")
    waiting = guidance_services.waitlist_join(
        theme=theme,
        slot=full,
        mode=full.mode,
        not_registered=True,
        business_name="孙记小吃（筹）",
        contact_name="孙先生",
        contact_phone="13900000078",
        address="梅山街道3号",
        consent=True,
        actor=None,
    )

    # Workshops: a workshop in the village with a position, the cast's resident (with an account), a
    # registration that led to employment with one month's income, and an activity.
    organiser = cast.organiser
    workshop = WorkshopFactory(village=village, host_enterprise=enterprise)
    position = PositionFactory(workshop=workshop)
    # Phones no other record uses, so that finding one in a body means this resident's leaked.
    resident = cast.resident
    Resident.objects.filter(pk=resident.pk).update(has_disability=True, is_low_income=True, phone="13755501234")
    resident.refresh_from_db()
    other_resident = ResidentFactory(village=village, phone="13755505678")
    registration, _ = workshop_services.registration_submit(
        resident=other_resident, position=position, channel=Registration.Channel.GRID_WORKER, actor=organiser
    )
    for move in (
        workshop_services.registration_recommend,
        workshop_services.registration_record_home_visit,
    ):
        registration = move(registration=registration, actor=cast.grid_worker)
    registration = workshop_services.registration_accept(registration=registration, actor=organiser)
    employment = workshop_services.registration_employ(registration=registration, actor=organiser, start_date=today)
    workshop_services.income_record(employment=employment, month=today, income=Decimal("3200"), actor=organiser)
    own_registration, _ = workshop_services.registration_submit(
        resident=resident, position=position, channel=Registration.Channel.SELF, actor=None, consent=True
    )
    activity = workshop_services.activity_record(
        actor=organiser, workshop=workshop, kind=Activity.Kind.LIVE_STREAM, title="直播", held_on=today
    )
    workshop_market = workshop_services.market_record(
        actor=organiser, title="大市集", held_on=today, participations=[{"workshop": workshop, "stalls": 2}]
    )

    import_job = ImportJob.objects.create(
        kind="enterprises", file="imports/x.csv", status=ImportJob.Status.INVALID, created_by=the_coordinator
    )

    return {
        "enterprise": enterprise,
        "department": market,
        "region": village,
        "item": item,
        "plan_entry": PlanEntry.objects.get(pk=entry.pk),
        "year_plan": year_plan,
        "coordination": Coordination.objects.filter(month=month).first(),
        "inspection": inspection,
        "finding": finding,
        "observation_period": ObservationPeriod.objects.get(pk=period.pk),
        "grade_change": GradeChange.objects.filter(enterprise=enterprise).first(),
        # A migration seeds the policies, but a transactional test elsewhere may have flushed them.
        "grade_policy": GradePolicy.objects.get_or_create(grade="green", defaults={"frequency_days": 365})[0],
        "theme": theme,
        "slot": slot,
        "booking": booking,
        "open_booking": open_booking,
        "waitlist_entry": waiting,
        "risk": Risk.objects.get(pk=risk.pk),
        "workshop": workshop,
        "position": position,
        "resident": resident,
        "other_resident": other_resident,
        "registration": registration,
        "own_registration": own_registration,
        "employment": Employment.objects.get(pk=employment.pk),
        "activity": activity,
        "market": workshop_market,
        "import_job": import_job,
        "month": date(month.year, month.month, 1),
    }
