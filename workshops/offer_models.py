"""Job offers pushed to residents (岗位推送, 用工直通车) and the skill courses they enrol in (智聘): re-exported by
``workshops.models``.

A position that opens or reopens starts an ``OfferRound`` (a job row, like an outbox row: the task that sends
the offers claims it, a sweep sends it again if its task was lost); the round makes one ``JobOffer`` per
matching resident, and the unique (position, resident) pair makes it once, however often the position is saved.

A course is a model of its own, not an ``Activity`` of kind training: a training activity records what a
workshop held (its figures: how many came), whereas a course is announced ahead, has places, and residents
enrol one by one and are marked present or absent."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Named by label, not imported: ``workshops.models`` imports this module to re-export it.
POSITION, RESIDENT, WORKSHOP = "workshops.Position", "workshops.Resident", "workshops.Workshop"


class OfferRound(models.Model):
    """A position opened (or reopened, or was changed while open): its offers are to be sent. Done once."""

    class Reason(models.TextChoices):
        OPENED = "opened", pgettext_lazy("offer round", "Position posted")
        REOPENED = "reopened", pgettext_lazy("offer round", "Position reopened")
        UPDATED = "updated", pgettext_lazy("offer round", "Position changed")

    position = models.ForeignKey(
        POSITION,
        on_delete=models.CASCADE,
        related_name="offer_rounds",
        verbose_name=pgettext_lazy("workshop position", "position"),
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    offers_made = models.PositiveIntegerField(_("offers made"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(done_at__isnull=True), name="offer_round_pending"),
        ]
        verbose_name = _("offer round")
        verbose_name_plural = _("offer rounds")

    def __str__(self):
        return f"{self.position} · {self.get_reason_display()}"


class JobOffer(models.Model):
    """One position offered to one resident (岗位推送), by SMS and in the app; once per pair, ever.

    ``priority``: the resident was offered first (a low-income household or a disabled person). It is derived
    from sensitive fields, so no list or API shows it. ``offered_at``: when the offer reaches them (the others
    wait ``WORKSHOPS_OFFER_HEAD_START_MINUTES`` behind those first)."""

    position = models.ForeignKey(
        POSITION,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=pgettext_lazy("workshop position", "position"),
    )
    resident = models.ForeignKey(RESIDENT, on_delete=models.CASCADE, related_name="offers", verbose_name=_("resident"))
    offer_round = models.ForeignKey(
        OfferRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("offer round"),
    )
    travel_minutes = models.PositiveSmallIntegerField(_("travel time (minutes)"))
    priority = models.BooleanField(_("offered first"), default=False, editable=False)
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-offered_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["position", "resident"], name="job_offer_once_per_resident")]
        indexes = [models.Index(fields=["resident", "offered_at"], name="job_offer_resident")]
        verbose_name = _("job offer")
        verbose_name_plural = _("job offers")

    def __str__(self):
        return f"{self.resident} · {self.position}"


class Course(models.Model):
    """A skill course residents enrol in (技能课程, 智聘), run by a community or a workshop."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("course status", "Open for enrolment")
        CLOSED = "closed", pgettext_lazy("course status", "Enrolment closed")
        CANCELLED = "cancelled", pgettext_lazy("course status", "Cancelled")

    title = models.CharField(pgettext_lazy("course", "title"), max_length=200)
    region = models.ForeignKey(
        "programs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("village / community")
    )
    workshop = models.ForeignKey(
        WORKSHOP, on_delete=models.PROTECT, null=True, blank=True, related_name="courses", verbose_name=_("workshop")
    )
    category = models.CharField(_("category"), max_length=20, blank=True)
    description = models.TextField(pgettext_lazy("course", "description"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    schedule = models.CharField(_("schedule"), max_length=200, blank=True, help_text=_("e.g. 每周二 19:00–21:00"))
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    enrolled_count = models.PositiveIntegerField(_("enrolled"), default=0, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_on", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolled_count__lte=F("capacity")), name="course_enrolled_within_capacity"
            ),
            models.CheckConstraint(condition=Q(starts_on__lte=F("ends_on")), name="course_dates_ordered"),
        ]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.title

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.enrolled_count, 0)


COURSE_MOVES = {
    Course.Status.OPEN: [Course.Status.CLOSED, Course.Status.CANCELLED],
    Course.Status.CLOSED: [Course.Status.OPEN, Course.Status.CANCELLED],
    Course.Status.CANCELLED: [],
}


class CourseEnrolment(models.Model):
    """A resident's place on a course, and whether they came. One row per resident and course: cancelling and
    enrolling again moves the same row."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", pgettext_lazy("enrolment status", "Enrolled")
        CANCELLED = "cancelled", pgettext_lazy("enrolment status", "Cancelled")

    class Attendance(models.TextChoices):
        UNKNOWN = "", pgettext_lazy("attendance", "Not recorded")
        ATTENDED = "attended", pgettext_lazy("attendance", "Attended")
        ABSENT = "absent", pgettext_lazy("attendance", "Absent")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("course"))
    resident = models.ForeignKey(
        RESIDENT, on_delete=models.PROTECT, related_name="course_enrolments", verbose_name=_("resident")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, blank=True, default="")
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    attendance_recorded_at = models.DateTimeField(_("attendance recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "resident"], name="course_enrolment_once_per_resident"),
        ]
        verbose_name = _("course enrolment")
        verbose_name_plural = _("course enrolments")

    def __str__(self):
        return f"{self.resident} · {self.course}"


ENROLMENT_MOVES = {
    CourseEnrolment.Status.ENROLLED: [CourseEnrolment.Status.CANCELLED],
    CourseEnrolment.Status.CANCELLED: [CourseEnrolment.Status.ENROLLED],
}

# Names of the choice sets in the OpenAPI schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
CourseStatus = Course.Status
EnrolmentStatus = CourseEnrolment.Status
Attendance = CourseEnrolment.Attendance
