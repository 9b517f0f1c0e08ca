"""Skill courses (技能课程, 智聘): announced by organisers and community workers, residents enrol (themselves in
the app or the page, or a worker for them), places are never exceeded, attendance is recorded per person."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Notification, User
from programs.services import (
    TransitionError,
    audit_record,
    notification_schedule,
    refuse_unknown_fields,
    region_scope_check,
    transition,
)

from ..models import Category, Course, CourseEnrolment, Resident
from ..offer_models import COURSE_MOVES, ENROLMENT_MOVES

COURSE_FIELDS = (
    "title",
    "region",
    "workshop",
    "category",
    "description",
    "place",
    "starts_on",
    "ends_on",
    "schedule",
    "capacity",
)
ATTENDANCE_MOVES = {
    CourseEnrolment.Attendance.UNKNOWN: [CourseEnrolment.Attendance.ATTENDED, CourseEnrolment.Attendance.ABSENT],
    CourseEnrolment.Attendance.ATTENDED: [CourseEnrolment.Attendance.ABSENT],  # a correction
    CourseEnrolment.Attendance.ABSENT: [CourseEnrolment.Attendance.ATTENDED],
}


def course_create(*, actor: User | None, **fields) -> Course:
    """Announce a course from ``COURSE_FIELDS``, in the actor's own region; any other field is refused by name."""
    refuse_unknown_fields(fields, COURSE_FIELDS)
    region_scope_check(region=fields.get("region"), actor=actor)
    if fields.get("category") and fields["category"] not in Category.values:
        raise ValidationError({"category": ValidationError(_("Choose one of the kinds of work."), code="invalid")})
    course = Course(created_by=actor if actor is not None and actor.is_authenticated else None, **fields)
    course.full_clean()
    with transaction.atomic():
        course.save()
        audit_record(obj=course, field="created", old="", new=course.status, actor=actor, action="course.create")
    return course


def course_set_status(*, course: Course, to: str, actor: User | None, reason: str = "") -> Course:
    """Close enrolment, open it again, or cancel the course (a reason required)."""
    return transition(
        instance=course,
        to=to,
        actor=actor,
        allowed=COURSE_MOVES,
        reason=reason,
        reason_required=to == Course.Status.CANCELLED,
        action=f"course.{to}",
    )


def course_enrol(*, course: Course, resident: Resident, actor: User | None) -> tuple[CourseEnrolment, bool]:
    """Give the resident a place. Returns (enrolment, created): enrolling again (a double tap, a retried request)
    returns the place they hold. A full course refuses (``course_full``); the course's row lock makes two
    enrolments for the last place take it once."""
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        enrolment = CourseEnrolment.objects.filter(course=locked, resident=resident).first()
        if enrolment is not None and enrolment.status == CourseEnrolment.Status.ENROLLED:
            return enrolment, False
        if locked.status != Course.Status.OPEN or locked.ends_on < timezone.localdate():
            raise ValidationError(
                {"course": ValidationError(_("This course takes no enrolments."), code="course_closed")}
            )
        if not Course.objects.filter(pk=locked.pk, enrolled_count__lt=F("capacity")).update(
            enrolled_count=F("enrolled_count") + 1
        ):
            raise ValidationError({"course": ValidationError(_("This course is full."), code="course_full")})
        now = timezone.now()
        by = actor if actor is not None and actor.is_authenticated else None
        if enrolment is None:
            enrolment = CourseEnrolment.objects.create(
                course=locked, resident=resident, enrolled_by=by, enrolled_at=now
            )
            audit_record(obj=enrolment, old="", new=enrolment.status, actor=actor, action="course_enrolment.enrol")
        else:
            enrolment = transition(
                instance=enrolment,
                to=CourseEnrolment.Status.ENROLLED,
                actor=actor,
                allowed=ENROLMENT_MOVES,
                changes={"enrolled_at": now, "enrolled_by": by, "attendance": ""},
                action="course_enrolment.enrol",
            )
        _text_enrolled(enrolment, locked, resident)
    return enrolment, True


def _text_enrolled(enrolment: CourseEnrolment, course: Course, resident: Resident) -> None:
    if not resident.phone:
        return
    notification_schedule(
        dedupe_key=f"workshops:enrolment:{enrolment.pk}:{enrolment.enrolled_at:%Y%m%d%H%M%S%f}",
        channel=Notification.Channel.SMS,
        address=resident.phone,
        subject=_("Enrolled: %(course)s") % {"course": course.title},
        body=_("You have a place on “%(course)s” from %(start)s, %(schedule)s, at %(place)s.")
        % {
            "course": course.title,
            "start": course.starts_on.isoformat(),
            "schedule": course.schedule or "-",
            "place": course.place or "-",
        },
    )


def course_enrolment_cancel(*, enrolment: CourseEnrolment, actor: User | None, reason: str = "") -> CourseEnrolment:
    """The resident (or a worker for them) gives the place back; not once attendance is recorded."""
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=enrolment.course_id)
        current = CourseEnrolment.objects.get(pk=enrolment.pk)
        if current.attendance:
            raise TransitionError(_("Attendance is recorded: the enrolment stays."), code="attendance_recorded")
        cancelled = transition(
            instance=enrolment,
            to=CourseEnrolment.Status.CANCELLED,
            actor=actor,
            allowed=ENROLMENT_MOVES,
            reason=reason,
            action="course_enrolment.cancel",
        )
        Course.objects.filter(pk=enrolment.course_id, enrolled_count__gt=0).update(
            enrolled_count=F("enrolled_count") - 1
        )
    return cancelled


def course_attendance_record(*, enrolment: CourseEnrolment, attended: bool, actor: User) -> CourseEnrolment:
    """Mark an enrolled resident present or absent, from the day the course starts."""
    current = CourseEnrolment.objects.select_related("course").get(pk=enrolment.pk)
    if current.status != CourseEnrolment.Status.ENROLLED:
        raise TransitionError(_("Only an enrolled resident's attendance is recorded."), code="not_enrolled")
    if current.course.starts_on > timezone.localdate():
        raise ValidationError(
            {"attendance": ValidationError(_("The course has not started yet."), code="course_not_started")}
        )
    to = CourseEnrolment.Attendance.ATTENDED if attended else CourseEnrolment.Attendance.ABSENT
    if current.attendance == to:
        return current
    return transition(
        instance=current,
        to=to,
        actor=actor,
        allowed=ATTENDANCE_MOVES,
        field="attendance",
        changes={"attendance_recorded_at": timezone.now()},
        action="course_enrolment.attendance",
    )
