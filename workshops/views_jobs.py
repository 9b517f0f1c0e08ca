"""Pages of the job and course portal (智聘) for residents: the offers that reached them (on their positions
page), an offer opened (seen, then the position's page to register), and the courses to enrol in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import offer_selectors, services
from .models import Course, CourseEnrolment, JobOffer, Resident


def offers_for(user) -> list[JobOffer]:
    """The newest offers that reached a signed-in resident, for the box on their positions page."""
    if not user.is_authenticated:
        return []
    return list(offer_selectors.offer_list(user=user).order_by("-offered_at", "-id")[:5])


def _resident_or_403(request) -> Resident:
    resident = Resident.objects.filter(user=request.user).first() if request.user.is_authenticated else None
    if resident is None:
        raise PermissionDenied(_("This page is for residents whose account is linked to their resident record."))
    return resident


@login_required
def offer_open(request, pk):
    """An offer opened from the list or the text: marked seen, then the position's page (where they register)."""
    offer = get_object_or_404(offer_selectors.offer_list(user=request.user).filter(resident__user=request.user), pk=pk)
    services.job_offer_mark_seen(offer=offer, actor=request.user)
    return redirect("workshops:position", pk=offer.position_id)


def course_list(request):
    """Courses open for enrolment (public); a signed-in resident also sees those they hold a place on, marked,
    and enrols here."""
    resident = Resident.objects.filter(user=request.user).first() if request.user.is_authenticated else None
    if resident is not None:
        courses = offer_selectors.course_list(user=request.user)
        mine = set(
            CourseEnrolment.objects.filter(resident=resident, status=CourseEnrolment.Status.ENROLLED).values_list(
                "course_id", flat=True
            )
        )
    else:
        courses = Course.objects.filter(status=Course.Status.OPEN, ends_on__gte=timezone.localdate())
        mine = set()
    rows = list(courses.select_related("region__parent").order_by("starts_on", "title", "id")[:50])
    for course in rows:
        course.enrolled = course.pk in mine
    return render(request, "workshops/courses.html", {"courses": rows, "resident": resident})


@login_required
@require_POST
def course_enrol(request, pk):
    """A resident takes a place on a course; asking twice keeps the one place."""
    resident = _resident_or_403(request)
    course = get_object_or_404(offer_selectors.course_list(user=request.user), pk=pk)
    try:
        services.course_enrol(course=course, resident=resident, actor=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(
            request, _("You have a place on “%(course)s”. We will text you the details.") % {"course": course.title}
        )
    return redirect("workshops:courses")
