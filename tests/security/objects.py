"""What the security tests go through: every role (and no one signed in), and one object of each kind in the
cast's scope, so that detail routes answer with data, not only 404."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from guidance import services as guidance_services
from guidance.models import Booking, Risk
from inspections import services as inspection_services
from inspections.models import (
    ComplaintRoute,
    Coordination,
    Finding,
    GradeChange,
    GradePolicy,
    Inspection,
    LenientList,
    ObservationPeriod,
    PenaltyCase,
    PlanEntry,
    RepairRule,
    RequestRoute,
)
from inspections.services import cases as case_services
from inspections.services import complaints as complaint_services
from inspections.services import fine_arrangements
from inspections.services import fines as fine_services
from inspections.services import ordering as ordering_services
from inspections.services import repair as repair_services
from programs import grids
from programs.models import Enterprise, ExportJob, GridAssignment, ImportJob, User
from tests.cast import ANONYMOUS, Cast
from tests.guidance.factories import BookingFactory, SlotFactory, ThemeFactory, visit_started
from tests.inspections.factories import ItemFactory, PlanEntryFactory, next_monday
from tests.workshops.factories import PositionFactory, ResidentFactory, WorkshopFactory
from workshops import services as workshop_services
from workshops.models import Activity, Employment, JobOffer, Registration, Resident

ROLES = [role.value for role in User.Role]
PRINCIPALS = [*ROLES, ANONYMOUS]

# The object that each collection's detail routes are exercised on.
OBJECT_OF = {
    "regions": "region",
    "departments": "department",
    "enterprises": "enterprise",
    "grids": "grid",
    "micro-grids": "micro_grid",
    "grid-assignments": "grid_assignment",
    "officers": None,
    "notifications": None,
    "inspection-items": "item",
    "plan-entries": "plan_entry",
    "year-plans": "year_plan",
    "coordinations": "coordination",
    "inspections": "inspection",
    "findings": "finding",
    "penalty-cases": "penalty_case",
    "case-repairs": "penalty_case",
    "repair-applications": "repair_application",
    "lenient-lists": "lenient_list",
    "fines": "fine",
    "fine-arrangements": "fine_arrangement",
    "enterprise-requests": "enterprise_request",
    "request-routes": "request_route",
    "assistance-cases": "assistance_case",
    "assistance-tasks": "assistance_task",
    "observation-periods": "observation_period",
    "grade-changes": "grade_change",
    "grade-policies": "grade_policy",
    "complaints": "complaint",
    "service-offerings": "service_offering",
    "service-orders": "service_order",
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
    "workshop-offers": "offer",
    "workshop-courses": "course",
    "workshop-enrolments": "enrolment",
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
    # Between inspections: a request routed to the market department; a joint assistance case with a task.
    request_route = RequestRoute.objects.create(region=village, category="", department=market)
    enterprise_request = inspection_services.request_file(
        enterprise=enterprise, actor=cast.enterprise_user, category="policy", title="人才政策", description="咨询"
    )
    assistance_case = inspection_services.assistance_open(
        finding=finding,
        title="联合帮扶",
        problem="跨部门整改",
        lead_department=market,
        departments=[cast.fire],
        target_on=today + timedelta(days=30),
        actor=the_officer,
    )
    assistance_task = inspection_services.assistance_task_add(
        case=assistance_case, department=market, owner=the_officer, title="现场指导", deadline=today, actor=the_officer
    )
    penalty_case = case_services.case_open(
        enterprise=enterprise,
        item=item,
        actor=the_officer,
        procedure=PenaltyCase.Procedure.SIMPLE,
        penalty_kind=PenaltyCase.PenaltyKind.WARNING,
        facts="未公示许可证",
    )
    # A fine decided on the spot and served: its fine, an order awaiting payment and a deferral request.
    fine_case = case_services.case_open(
        enterprise=enterprise,
        item=item,
        actor=the_officer,
        procedure=PenaltyCase.Procedure.SIMPLE,
        penalty_kind=PenaltyCase.PenaltyKind.FINE,
        fine_amount=Decimal("500"),
        facts="超范围经营",
    )
    case_services.case_decide(case=fine_case, actor=the_officer)
    PenaltyCase.objects.filter(pk=fine_case.pk).update(decision_served_at=timezone.now())
    fine = fine_services.fine_open(PenaltyCase.objects.get(pk=fine_case.pk))
    payment_order, _cashier = fine_services.fine_pay_start(fine=fine, actor=cast.enterprise_user)
    fine_arrangement = fine_arrangements.fine_arrangement_request(
        fine=fine,
        actor=cast.enterprise_user,
        kind="deferral",
        reason="资金周转",
        defer_until=fine.due_date + timedelta(days=30),
    )
    # Credit repair: a warning decided 100 days ago and fulfilled, its repair applied for; a published lenient list.
    repair_case = case_services.case_open(
        enterprise=enterprise, item=item, actor=the_officer, procedure=PenaltyCase.Procedure.SIMPLE,
        penalty_kind=PenaltyCase.PenaltyKind.WARNING, facts="未明码标价",
    )  # fmt: skip
    repair_case = case_services.case_fulfil(case_services.case_decide(case=repair_case, actor=the_officer))
    PenaltyCase.objects.filter(pk=repair_case.pk).update(decided_at=timezone.now() - timedelta(days=100))
    RepairRule.objects.get_or_create(
        penalty_kind="warning", fine_from=0, defaults={"name": "警告", "min_disclosure_days": 90}
    )
    repair_application = repair_services.repair_apply(
        case=PenaltyCase.objects.get(pk=repair_case.pk), actor=cast.enterprise_user, statement="已整改",
        commitment=True, evidence=[("rectification", ContentFile(b"%PDF-1.4\n", name="p.pdf"))],
    )  # fmt: skip
    lenient_list = LenientList.objects.create(
        kind="first_violation", name="首违不罚清单", issuer=market, valid_from=today
    )

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
    # The job and course portal: the position offered to the cast's resident, a course they hold a place on.
    offer = JobOffer.objects.create(position=position, resident=resident, travel_minutes=0)
    course = workshop_services.course_create(
        actor=organiser, title="技能课程", region=village, starts_on=today, ends_on=today, capacity=5
    )
    enrolment, _ = workshop_services.course_enrol(course=course, resident=resident, actor=None)

    # Between inspections: a complaint routed to the market department, the village's catalogue and an order.
    ComplaintRoute.objects.create(category="fumes", region=county, department=market)
    complaint = complaint_services.complaint_file(
        category="fumes", region=village, address="一村12号", description="油烟直排",
        complainant_name="冯投诉", complainant_phone="13755509999",
    )  # fmt: skip
    service_offering = ordering_services.offering_publish(
        community=village, actor=cast.grid_worker, kind="meals", title="送餐", starts_on=today,
        ends_on=today + timedelta(days=30), capacity=50,
    )  # fmt: skip
    service_order = ordering_services.order_place(offering=service_offering, people=2, actor=cast.enterprise_user)

    # Grids: the village's grid with the cast's enterprise in its micro-grid, and the cast's grid manager on it.
    grid = grids.grid_create(community=village, name="第一网格", code="G01", actor=the_coordinator)
    micro_grid = grids.micro_grid_create(grid=grid, name="微网格01", code="G01-01", actor=the_coordinator)
    grids.enterprise_micro_grid_assign(enterprise=enterprise, micro_grid=micro_grid, actor=the_coordinator)
    grid_assignment = grids.grid_assign(
        user=cast.grid_manager, role=GridAssignment.Role.GRID_MANAGER, grid=grid, actor=the_coordinator
    )

    import_job = ImportJob.objects.create(
        kind="enterprises", file="imports/x.csv", status=ImportJob.Status.INVALID, created_by=the_coordinator
    )
    export_job = ExportJob.objects.create(
        model="programs.enterprise", path="/admin/programs/enterprise/", format="xlsx", title="企业",
        filename="enterprise.xlsx", created_by=the_coordinator,
    )  # fmt: skip

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
        "penalty_case": penalty_case,
        "repair_application": repair_application,
        "lenient_list": lenient_list,
        "fine": fine,
        "fine_arrangement": fine_arrangement,
        "payment_order": payment_order,
        "enterprise_request": enterprise_request,
        "request_route": request_route,
        "assistance_case": assistance_case,
        "assistance_task": assistance_task,
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
        "offer": offer,
        "course": course,
        "complaint": complaint,
        "service_offering": service_offering,
        "service_order": service_order,
        "enrolment": enrolment,
        "import_job": import_job,
        "export_job": export_job,
        "grid": grid,
        "micro_grid": micro_grid,
        "grid_assignment": grid_assignment,
        "month": date(month.year, month.month, 1),
    }
