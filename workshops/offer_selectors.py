"""Reads of the job offers and courses (智聘): scoped lists, and their figures for the workshop indicators."""

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from programs.models import Region, User
from programs.roles import WORKSHOP_FIELD_STAFF, WORKSHOP_STAFF
from programs.selectors import scope

from .models import Course, CourseEnrolment, JobOffer, Registration, Workshop


def _is_resident(user: User) -> bool:
    return user.is_authenticated and not user.is_superuser and user.role == User.Role.RESIDENT


def led_to_registration() -> Exists:
    """The resident registered for the offered position after the offer was made (any channel, any status)."""
    return Exists(
        Registration.objects.filter(
            resident_id=OuterRef("resident_id"),
            position_id=OuterRef("position_id"),
            created_at__gte=OuterRef("created_at"),
        )
    )


def offer_list(*, user: User) -> QuerySet[JobOffer]:
    """A resident: the offers that have reached them. Organisers and grid workers: the offers to residents of
    their region (the residents are theirs to know). Nobody else: residents' offers are personal."""
    offers = JobOffer.objects.select_related(
        "resident__village", "position__workshop__village__parent", "position__workshop__host_enterprise"
    ).annotate(registered=led_to_registration())
    if not user.is_authenticated:
        return offers.none()
    if _is_resident(user):
        return offers.filter(resident__user=user, offered_at__lte=timezone.now())
    if user.is_superuser or user.role in WORKSHOP_FIELD_STAFF:
        return scope(offers, user, region="resident__village")
    return offers.none()


def course_list(*, user: User) -> QuerySet[Course]:
    """A resident: the courses open for enrolment (and those they are enrolled on). Workshop staff: their region's;
    a host enterprise: its workshops'."""
    courses = Course.objects.select_related("region__parent", "workshop")
    if not user.is_authenticated:
        return courses.none()
    if _is_resident(user):
        mine = CourseEnrolment.objects.filter(resident__user=user, status=CourseEnrolment.Status.ENROLLED)
        open_now = Q(status=Course.Status.OPEN, ends_on__gte=timezone.localdate())
        return courses.filter(open_now | Q(pk__in=mine.values("course_id")))
    if user.is_superuser or user.role in WORKSHOP_STAFF or user.role == User.Role.ENTERPRISE:
        return scope(courses, user, region="region", enterprise="workshop__host_enterprise_id")
    return courses.none()


def enrolment_list(*, user: User) -> QuerySet[CourseEnrolment]:
    """A resident: their own. Organisers and grid workers: enrolments on their region's courses."""
    enrolments = CourseEnrolment.objects.select_related("course__region", "resident__village")
    if not user.is_authenticated:
        return enrolments.none()
    if _is_resident(user):
        return enrolments.filter(resident__user=user)
    if user.is_superuser or user.role in WORKSHOP_FIELD_STAFF:
        return scope(enrolments, user, region="course__region")
    return enrolments.none()


def offer_and_course_figures(
    *, workshops: QuerySet[Workshop], user: User, region: Region | None, start: date, end: date
) -> dict:
    """``offers``: offers made in the period for positions of ``workshops`` (``sent``), and how many of them the
    resident followed with a registration for that position (``leading_to_registration``). ``courses``: courses
    of the region running in the period (``count``), their enrolments held (``enrolments``) and those marked
    present (``attended``). Two statements."""
    offers = JobOffer.objects.filter(
        position__workshop__in=workshops.values("pk"), offered_at__date__gte=start, offered_at__date__lte=end
    ).aggregate(sent=Count("pk"), leading=Count("pk", filter=Q(led_to_registration())))
    courses = scope(Course.objects.all(), user, region="region", enterprise="workshop__host_enterprise_id").filter(
        starts_on__lte=end, ends_on__gte=start
    )
    if region is not None:
        courses = courses.filter(region__code__startswith=region.prefix)
    enrolled = Q(enrolments__status=CourseEnrolment.Status.ENROLLED)
    held = courses.exclude(status=Course.Status.CANCELLED).aggregate(
        held=Count("pk", distinct=True),
        enrolled=Count("enrolments", filter=enrolled),
        present=Count("enrolments", filter=enrolled & Q(enrolments__attendance=CourseEnrolment.Attendance.ATTENDED)),
    )
    course_figures = {"count": held["held"], "enrolments": held["enrolled"], "attended": held["present"]}
    return {
        "offers": {"sent": offers["sent"], "leading_to_registration": offers["leading"]},
        "courses": course_figures,
    }
