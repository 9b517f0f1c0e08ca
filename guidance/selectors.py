"""Reads of the guidance app: themes, free slots, bookings as each role may see them, the issued letters, and the
indicators."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Avg, Count, DateField, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from programs.documents import document_current, document_versions
from programs.models import Department, IssuedDocument, Region, User
from programs.selectors import prefetch_as_list, scope

from .models import Booking, Mode, Office, Risk, Session, Slot, Theme


@dataclass(frozen=True)
class OfficeContact:
    name: str
    address: str
    phone: str
    hours: str = ""


def office_for(region: Region | None) -> OfficeContact:
    """The office of the nearest region (the district, then the city, the province) that has one recorded;
    else the site's office (``SITE_OFFICE_*`` settings, as in the footer)."""
    if region is not None:
        codes = {region.code[:n].ljust(12, "0") for n in Region.PREFIX_LENGTH.values()}
        office = max(  # the nearest: the longest significant prefix
            Office.objects.filter(region__code__in=codes).select_related("region"),
            key=lambda o: len(o.region.prefix),
            default=None,
        )
        if office is not None:
            return OfficeContact(office.name, office.address, office.phone, office.hours)
    return OfficeContact(
        settings.SITE_OFFICE_NAME, settings.SITE_OFFICE_ADDRESS, settings.SITE_OFFICE_PHONE, settings.SITE_OFFICE_HOURS
    )


def district_of(region: Region) -> Region | None:
    """The county-level region (区县) a region lies in, or the region itself when it is one or above."""
    if region.level in (Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY):
        return region
    return Region.objects.filter(code=region.code[:6].ljust(12, "0")).first()


def theme_districts(*, theme: Theme, now: datetime | None = None) -> list[Region]:
    """The districts (county-level regions) that have free slots for the theme, for the booking form's picker."""
    prefixes = {
        code[:6] for code in slot_free_list(theme=theme, now=now).values_list("region__code", flat=True).distinct()
    }
    return list(
        Region.objects.filter(level=Region.Level.COUNTY, code__in=[p.ljust(12, "0") for p in prefixes]).order_by("code")
    )


def district_named_in(address: str, districts: list[Region]) -> Region | None:
    """The district whose name the address contains ("宁波市北仑区新碶街道…" → 北仑区), if exactly one does."""
    named = [d for d in districts if d.name and d.name in (address or "")]
    return named[0] if len(named) == 1 else None


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.filter(is_active=True).prefetch_related("departments", "items")


def slot_free_list(
    *,
    theme: Theme | None = None,
    mode: str | None = None,
    region: Region | None = None,
    now: datetime | None = None,
    as_lists: bool = False,
) -> QuerySet[Slot]:
    """Slots still open for booking: in the future, not withdrawn, with a free place. ``as_lists``: for the API's
    list, their themes' ids as a plain list (``programs.selectors.prefetch_as_list``)."""
    slots = Slot.objects.filter(
        starts_at__gt=now or timezone.now(), is_withdrawn=False, booked__lt=F("capacity")
    ).select_related("region")
    if theme is not None:
        slots = slots.filter(themes=theme)
    if mode:
        slots = slots.filter(mode=mode)
    if region is not None:
        slots = slots.filter(region__code__startswith=region.prefix)
    themes = prefetch_as_list("themes", Theme.objects.only("pk")) if as_lists else "themes"
    return slots.prefetch_related(themes).order_by("starts_at", "id")


def slot_open_list(
    *, theme: Theme, mode: str | None = None, region: Region | None = None, now: datetime | None = None
) -> QuerySet[Slot]:
    """The slots a business may choose on the form: in the future and not withdrawn, free or full (a full one
    takes a place on its waitlist)."""
    slots = Slot.objects.filter(starts_at__gt=now or timezone.now(), is_withdrawn=False, themes=theme)
    if mode:
        slots = slots.filter(mode=mode)
    if region is not None:
        slots = slots.filter(region__code__startswith=region.prefix)
    return slots.select_related("region").order_by("starts_at", "id")


def _risks() -> QuerySet[Risk]:
    return Risk.objects.select_related("item")


def _sessions() -> QuerySet[Session]:
    return Session.objects.prefetch_related("officers", "departments").order_by("held_at", "id")


def _booking_queryset(*, as_lists: bool = False) -> QuerySet[Booking]:
    """Bookings with what their pages and answers show. ``as_lists``: for the API's lists only, which serialize a
    page of bookings and nothing else: the relations come as plain lists (``programs.selectors.prefetch_as_list``;
    about 280 queryset clones a page fewer). The lists carry only what ``GuidanceBookingSerializer`` shows: not
    the booking's region and enterprise (it shows their ids), nor the sessions' departments."""
    if not as_lists:
        return Booking.objects.select_related("theme", "slot__region", "region", "enterprise").prefetch_related(
            "departments",
            "officers",
            "slot__themes",
            Prefetch("risks", queryset=_risks()),
            Prefetch("sessions", queryset=_sessions()),
        )
    # Only what the answer shows of them: the names of the departments, the officers' usernames, the themes' ids.
    departments = Department.objects.only("pk", "name")
    officers = User.objects.only("pk", "username")
    sessions = Session.objects.prefetch_related(prefetch_as_list("officers", officers)).order_by("held_at", "id")
    return Booking.objects.select_related("theme", "slot__region").prefetch_related(
        prefetch_as_list("departments", departments),
        prefetch_as_list("officers", officers),
        prefetch_as_list("slot__themes", Theme.objects.only("pk")),
        prefetch_as_list("risks", _risks()),
        prefetch_as_list("sessions", sessions),
    )


def booking_list(*, user: User, as_lists: bool = False) -> QuerySet[Booking]:
    """Staff see their region's bookings (an officer: those assigned to their department); an enterprise user
    sees its own enterprise's; nobody else sees any. ``as_lists``: for the API's list (``_booking_queryset``)."""
    return scope(
        _booking_queryset(as_lists=as_lists),
        user,
        region="region_code",
        department="departments",
        enterprise="enterprise_id",
    )


def booking_claimable_list(*, user: User) -> QuerySet[Booking]:
    """The bookings a stranger may have made with the credit code of the user's enterprise, to claim."""
    if not user.is_authenticated or not user.is_active or user.role != User.Role.ENTERPRISE or not user.enterprise_id:
        return Booking.objects.none()
    return _booking_queryset().filter(unverified_enterprise_id=user.enterprise_id)


def officer_visit_list(*, user: User, as_lists: bool = False) -> QuerySet[Booking]:
    """The visits an officer is assigned to, soonest first. ``as_lists``: for the API's list
    (``_booking_queryset``)."""
    return _booking_queryset(as_lists=as_lists).filter(officers=user).order_by("slot__starts_at", "id")


def booking_detail(*, booking: Booking) -> Booking:
    """One booking with everything its page and its recommendation letter show."""
    return (
        Booking.objects.select_related("theme", "slot__region", "region", "enterprise")
        .prefetch_related(
            "departments",
            "officers",
            "slot__themes",
            "theme__items",
            Prefetch("risks", queryset=_risks()),
            "advice__item",
            Prefetch("sessions", queryset=_sessions()),
        )
        .get(pk=booking.pk)
    )


def session_list(*, booking: Booking) -> QuerySet[Session]:
    """A booking's sessions, first held first, with who came and what they gave and found."""
    return (
        Session.objects.filter(booking=booking)
        .prefetch_related("officers", "departments", "advice__item", Prefetch("risks", queryset=_risks()))
        .order_by("held_at", "id")
    )


def session_of(*, booking: Booking, session_id: int | str | None = None) -> Session | None:
    """The booking's session ``session_id`` (``None`` when it is not the booking's), by default its first."""
    sessions = session_list(booking=booking)
    if session_id in (None, ""):
        return sessions.filter(kind=Session.Kind.FIRST).first()
    if not str(session_id).isdigit():
        return None
    return sessions.filter(pk=int(session_id)).first()


def session_officer_choices(*, booking: Booking) -> QuerySet[User]:
    """The officers who may hold a session of the booking: active officers of its departments, and those
    assigned to it."""
    return (
        User.objects.filter(role=User.Role.OFFICER, is_active=True)
        .filter(Q(department__in=booking.departments.all()) | Q(pk__in=booking.officers.values("pk")))
        .select_related("department")
        .distinct()
        .order_by("department__name", "username")
    )


# The kind of the recommendation letter among the core's issued documents (programs.documents); its object is
# the session whose advice and risks it states.
LETTER_KIND = "guidance.letter"


def letter_document(
    *, booking: Booking, session: Session | None = None, version: int | None = None
) -> IssuedDocument | None:
    """The issued letter of ``session`` (by default the booking's first): the version in force, or the given
    ``version``; ``None`` when there is none."""
    session = session or session_of(booking=booking)
    if session is None:
        return None
    if version is None:
        return document_current(kind=LETTER_KIND, obj=session)
    return document_versions(kind=LETTER_KIND, obj=session).filter(version=version).first()


def letter_versions(*, booking: Booking, session: Session | None = None) -> QuerySet[IssuedDocument]:
    """Every issued version of the letter of ``session`` (by default the booking's first), the one in force
    first."""
    session = session or session_of(booking=booking)
    if session is None:
        return IssuedDocument.objects.none()
    return document_versions(kind=LETTER_KIND, obj=session)


def risk_list(*, user: User) -> QuerySet[Risk]:
    return scope(
        Risk.objects.select_related("booking", "item"),
        user,
        region="booking__region_code",
        department="booking__departments",
        enterprise="booking__enterprise_id",
    )


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in Asia/Shanghai: ``end`` is an inclusive day."""
    return (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    )


def guidance_indicators(*, user: User, region: Region | None = None, start: date, end: date) -> dict:
    """The figures the Ningbo article publishes, live, for the caller's scope (and a region inside it):
    bookings accepted (made in the period), visits held online / on site and no-shows (bookings whose visit was
    due in the period: held means completed by its first session), sessions held online / on site and the
    follow-up sessions among them (sessions held in the period, by ``held_at``: a booking may have several),
    risks found and rectified, satisfaction, each also by theme and by county."""
    since, until = _bounds(start, end)
    bookings = booking_list(user=user).order_by()
    risks = risk_list(user=user).order_by()
    if region is not None:
        bookings = bookings.filter(region__code__startswith=region.prefix)
        risks = risks.filter(booking__region__code__startswith=region.prefix)
    bookings = Booking.objects.filter(pk__in=bookings.values("pk"))  # scoped once, without M2M duplicates
    risks = Risk.objects.filter(pk__in=risks.values("pk"))
    accepted = Q(created_at__gte=since, created_at__lt=until)
    due = Q(slot__starts_at__gte=since, slot__starts_at__lt=until)
    held = due & Q(status=Booking.Status.COMPLETED)
    no_show = due & Q(status=Booking.Status.NO_SHOW)
    totals = bookings.aggregate(
        accepted=Count("pk", filter=accepted),
        cancelled=Count("pk", filter=accepted & Q(status=Booking.Status.CANCELLED)),
        held=Count("pk", filter=held),
        held_online=Count("pk", filter=held & Q(mode=Mode.ONLINE)),
        held_onsite=Count("pk", filter=held & Q(mode=Mode.ONSITE)),
        no_show=Count("pk", filter=no_show),
        rated=Count("pk", filter=Q(feedback_at__gte=since, feedback_at__lt=until)),
        satisfaction=Avg("satisfaction", filter=Q(feedback_at__gte=since, feedback_at__lt=until)),
    )
    sessions = Session.objects.filter(booking__in=bookings, held_at__gte=since, held_at__lt=until)
    session_totals = sessions.aggregate(
        held=Count("pk"),
        online=Count("pk", filter=Q(mode=Mode.ONLINE)),
        onsite=Count("pk", filter=Q(mode=Mode.ONSITE)),
        follow_up=Count("pk", filter=Q(kind=Session.Kind.FOLLOW_UP)),
    )
    risk_totals = risks.aggregate(
        found=Count("pk", filter=Q(created_at__gte=since, created_at__lt=until)),
        rectified=Count("pk", filter=Q(rectified_at__gte=since, rectified_at__lt=until)),
    )
    due_total = totals["held"] + totals["no_show"]

    def grouped(field: str) -> list[dict]:
        rows = (
            bookings.values(field)
            .annotate(
                accepted=Count("pk", filter=accepted),
                held=Count("pk", filter=held),
                no_show=Count("pk", filter=no_show),
            )
            .filter(Q(accepted__gt=0) | Q(held__gt=0) | Q(no_show__gt=0))
            .order_by(field)
        )
        held_sessions = dict(
            sessions.order_by()
            .values(f"booking__{field}")
            .annotate(n=Count("pk"))
            .values_list(f"booking__{field}", "n")
        )
        listed = [{**row, "sessions_held": held_sessions.pop(row[field], 0)} for row in rows]
        # Sessions held in the period for bookings neither made nor due in it (a follow-up months later).
        extra = [
            {field: key, "accepted": 0, "held": 0, "no_show": 0, "sessions_held": n} for key, n in held_sessions.items()
        ]
        return listed + sorted(extra, key=lambda row: row[field])

    by_theme = grouped("theme__title")
    by_county = [
        {"county_code": row["region__code"][:6], **{k: v for k, v in row.items() if k != "region__code"}}
        for row in grouped("region__code")
    ]
    merged: dict[str, dict] = {}
    for row in by_county:
        into = merged.setdefault(
            row["county_code"],
            {"county_code": row["county_code"], "accepted": 0, "held": 0, "no_show": 0, "sessions_held": 0},
        )
        for key in ("accepted", "held", "no_show", "sessions_held"):
            into[key] += row[key]
    names = dict(Region.objects.filter(code__in=[c + "000000" for c in merged]).values_list("code", "name"))
    for row in merged.values():
        row["county"] = names.get(row["county_code"] + "000000", row["county_code"])
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "region": region.code if region is not None else None,
        "bookings_accepted": totals["accepted"],
        "bookings_cancelled": totals["cancelled"],
        "visits_held": totals["held"],
        "visits_held_online": totals["held_online"],
        "visits_held_onsite": totals["held_onsite"],
        "no_shows": totals["no_show"],
        "no_show_rate": round(totals["no_show"] / due_total, 4) if due_total else None,
        "sessions_held": session_totals["held"],
        "sessions_held_online": session_totals["online"],
        "sessions_held_onsite": session_totals["onsite"],
        "follow_up_sessions": session_totals["follow_up"],
        "risks_found": risk_totals["found"],
        "risks_rectified": risk_totals["rectified"],
        "satisfaction_average": round(totals["satisfaction"], 2) if totals["satisfaction"] is not None else None,
        "satisfaction_responses": totals["rated"],
        "by_theme": [
            {
                "theme": row["theme__title"],
                "accepted": row["accepted"],
                "held": row["held"],
                "no_show": row["no_show"],
                "sessions_held": row["sessions_held"],
            }
            for row in by_theme
        ],
        "by_county": sorted(merged.values(), key=lambda r: r["county_code"]),
    }


# --- Monthly series (the dashboard's trend: one GROUP BY per series, whatever the number of months) ------------


def bookings_accepted_by_month(*, user: User, region: Region | None = None, start: date, end: date) -> dict[date, int]:
    """Bookings made in [start, end] per month of Asia/Shanghai (first day of the month → count), counted as
    ``guidance_indicators`` counts ``bookings_accepted`` for each month."""
    since, until = _bounds(start, end)
    bookings = booking_list(user=user).order_by()
    if region is not None:
        bookings = bookings.filter(region__code__startswith=region.prefix)
    rows = (
        Booking.objects.filter(pk__in=bookings.values("pk"), created_at__gte=since, created_at__lt=until)
        .annotate(first=TruncMonth("created_at", output_field=DateField()))
        .order_by()
        .values("first")
        .annotate(count=Count("pk"))
    )
    return {row["first"]: row["count"] for row in rows}
