"""The bare comparison views: for each hot list endpoint, the same rows from the same selector (same scope,
filters and order), authenticated by the same token, returned as ``JsonResponse(list(qs.values(...)))`` with
no DRF, no serializer, no pagination count. What an endpoint costs above this is the framework's share.

Many-to-many ids come as arrays from one correlated subquery each (PostgreSQL ``ARRAY(SELECT …)``), so the
answer carries what the API's does without a second round trip.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef
from django.http import JsonResponse
from rest_framework.authtoken.models import Token

from guidance import selectors as guidance_selectors
from guidance.models import Booking, Risk, Slot
from inspections import selectors as inspections_selectors
from inspections.field import selectors as field_selectors
from inspections.models import PlanEntry
from programs import selectors as programs_selectors
from programs.models import Region
from workshops import selectors as workshops_selectors
from workshops.models import Registration, Resident

ENTERPRISE_FIELDS = [
    "id",
    "name",
    "credit_code",
    "region",
    "region__name",
    "address",
    "industry",
    "size",
    "is_key",
    "micro_grid__grid",
    "micro_grid__grid__name",
    "micro_grid",
    "micro_grid__name",
    "is_four_new",
    "contact_name",
    "contact_phone",
    "contact_email",
    "grade",
    "grade_changed_at",
]
PLAN_ENTRY_FIELDS = [
    "id",
    "department",
    "department__name",
    "enterprise",
    "enterprise__name",
    "items_ids",
    "month",
    "mode",
    "note",
    "status",
    "inspection",
    "delegated",
    "cut_reason",
    "cut_note",
    "submitted_at",
    "decided_at",
]
SLOT_FIELDS = [
    "id",
    "starts_at",
    "ends_at",
    "mode",
    "capacity",
    "booked",
    "free",
    "region",
    "region__name",
    "theme_ids",
]
BOOKING_FIELDS = [
    "id",
    "reference",
    "status",
    "theme",
    "theme__title",
    "slot",
    "slot__starts_at",
    "slot__ends_at",
    "slot__mode",
    "slot__capacity",
    "slot__booked",
    "slot__region",
    "slot__region__name",
    "slot_theme_ids",
    "mode",
    "enterprise",
    "business_name",
    "credit_code",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
    "needs",
    "department_names",
    "officer_names",
    "created_at",
    "confirmed_at",
    "completed_at",
    "cancel_reason",
    "summary",
    "letter_number",
    "letter_issued_at",
    "satisfaction",
    "feedback_at",
    "risk_ids",
]
POSITION_FIELDS = [
    "id",
    "workshop",
    "workshop__name",
    "workshop__village",
    "workshop__village__name",
    "title",
    "category",
    "description",
    "openings",
    "accepted_count",
    "pay_amount",
    "pay_unit",
    "seasonal_start",
    "seasonal_end",
    "accessible",
    "status",
]


def _user(request):
    """The caller of ``Authorization: Token <key>``, as DRF's TokenAuthentication finds it (one query)."""
    key = request.headers.get("Authorization", "").removeprefix("Token ").strip()
    token = Token.objects.select_related("user__region").filter(key=key).first()
    return token.user if token is not None else None


def _page_size(request) -> int:
    value = request.GET.get("page_size", "")
    return min(int(value), 200) if value.isdigit() and int(value) > 0 else 50


def _answer(rows) -> JsonResponse:
    return JsonResponse(list(rows), safe=False)


def _unauthorised() -> JsonResponse:
    return JsonResponse({"detail": "unauthorised"}, status=401)


def enterprise_queryset(user, params):
    """The enterprises API's selector, its order and its ``grade`` filter (``values(*ENTERPRISE_FIELDS)`` reads
    the answer's fields)."""
    rows = programs_selectors.enterprise_list(user=user).order_by("name", "id")
    if params.get("grade"):
        rows = rows.filter(grade=params["grade"])
    return rows


def plan_entry_queryset(user, params):
    """The plan entries API's selector, its order and its ``month`` filter, with the items' ids in an array
    (``values(*PLAN_ENTRY_FIELDS)`` reads the answer's fields)."""
    rows = inspections_selectors.plan_entry_list(user=user).prefetch_related(None)
    if params.get("month"):
        rows = rows.filter(month=params["month"])
    items = PlanEntry.items.through.objects.filter(planentry_id=OuterRef("pk")).values("inspectionitem_id")
    return rows.annotate(items_ids=ArraySubquery(items))


def enterprises(request):
    user = _user(request)
    if user is None:
        return _unauthorised()
    return _answer(enterprise_queryset(user, request.GET).values(*ENTERPRISE_FIELDS)[: _page_size(request)])


def plan_entries(request):
    user = _user(request)
    if user is None:
        return _unauthorised()
    return _answer(plan_entry_queryset(user, request.GET).values(*PLAN_ENTRY_FIELDS)[: _page_size(request)])


def free_slots(request):
    if _user(request) is None:
        return _unauthorised()
    region = request.GET.get("region", "")
    region = Region.objects.filter(pk=region).first() if region.isdigit() else None
    themes = Slot.themes.through.objects.filter(slot_id=OuterRef("pk")).values("theme_id")
    rows = (
        guidance_selectors.slot_free_list(region=region)
        .prefetch_related(None)
        .annotate(free=F("capacity") - F("booked"), theme_ids=ArraySubquery(themes))
    )
    return _answer(rows.values(*SLOT_FIELDS)[: _page_size(request)])


def my_bookings(request):
    user = _user(request)
    if user is None:
        return _unauthorised()
    through = Booking.departments.through.objects.filter(booking_id=OuterRef("pk"))
    officers = Booking.officers.through.objects.filter(booking_id=OuterRef("pk"))
    slot_themes = Slot.themes.through.objects.filter(slot_id=OuterRef("slot_id"))
    rows = (
        guidance_selectors.booking_list(user=user)
        .prefetch_related(None)
        .annotate(
            department_names=ArraySubquery(through.values("department__name")),
            officer_names=ArraySubquery(officers.values("user__username")),
            slot_theme_ids=ArraySubquery(slot_themes.values("theme_id")),
            risk_ids=ArraySubquery(Risk.objects.filter(booking_id=OuterRef("pk")).values("pk")),
        )
    )
    return _answer(rows.values(*BOOKING_FIELDS)[: _page_size(request)])


def positions_near_me(request):
    user = _user(request)
    if user is None:
        return _unauthorised()
    resident = Resident.objects.select_related("village").filter(user=user).first()
    if resident is None:
        return JsonResponse({"detail": "not a resident"}, status=404)
    circle = workshops_selectors.travel_minutes_from(resident.village)
    taken = Registration.objects.filter(resident=resident, status__in=Registration.ACTIVE).values("position_id")
    rows = workshops_selectors.open_positions().filter(workshop__village_id__in=circle).exclude(pk__in=taken)
    if resident.wished_categories:
        rows = rows.filter(category__in=resident.wished_categories)
    answer = list(rows.values(*POSITION_FIELDS))
    for row in answer:
        row["travel_minutes"] = circle[row["workshop__village"]]
    return _answer(answer)


def field_week(request):
    """The field area's week (``/field/``) without the template: the same selector, the same session sign-in,
    each visit with what its card shows, as JSON."""
    officer = request.user
    if not officer.is_authenticated:
        return _unauthorised()
    _monday, days, earlier = field_selectors.field_week(officer=officer)
    visits = earlier + [visit for day in days for visit in day.visits]
    return _answer(
        {
            "id": visit.pk,
            "status": visit.status,
            "visit_date": visit.visit_date,
            "enterprise": visit.enterprise.name,
            "address": visit.enterprise.address,
            "grade": visit.enterprise.grade,
            "items": [(item.name, item.department.name) for item in visit.items.all()],
            "other_departments": [department.name for department in visit.other_departments],
            "open_findings": [(f.item.name, f.description, f.deadline) for f in visit.open_findings],
        }
        for visit in visits
    )
