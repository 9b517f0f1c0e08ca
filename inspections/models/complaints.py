"""Complaints (投诉举报): filed on the public form (no account) or taken by phone by staff, routed by category and
place to a department (the routes are data), acknowledged and replied to by deadlines, and possibly leading to
an unplanned, complaint-triggered inspection or to a guidance offer. The complainant's name and phone are seen
only by the handling department."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Department, Enterprise, Region


class ComplaintCategory(models.TextChoices):
    RENOVATION = "renovation", _("Illegal renovation")
    CORRIDOR = "corridor", _("Corridor clutter (stacking, wiring, ads)")
    FUMES = "fumes", _("Cooking fumes discharged directly")
    INTERNET_CAFE = "internet_cafe", _("Internet café")
    FOOD_SAFETY = "food_safety", _("Food safety")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    NOISE = "noise", _("Noise")
    OTHER = "other", pgettext_lazy("complaint category", "Other")


class ComplaintRoute(models.Model):
    """Where complaints of a category about a place go: the most specific route (longest region) wins."""

    category = models.CharField(
        pgettext_lazy("complaint", "category"), max_length=20, choices=ComplaintCategory.choices
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    acknowledge_hours = models.PositiveIntegerField(_("acknowledge within (hours)"), default=24)
    reply_days = models.PositiveIntegerField(_("reply within (days)"), default=7)

    class Meta:
        ordering = ["region__code", "category"]
        constraints = [models.UniqueConstraint(fields=["category", "region"], name="complaint_route_once")]
        verbose_name = _("complaint route")
        verbose_name_plural = _("complaint routes")

    def __str__(self):
        return f"{self.get_category_display()} · {self.region} → {self.department}"


class Complaint(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("complaint", "Received")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("complaint", "Acknowledged")
        REPLIED = "replied", pgettext_lazy("complaint", "Replied")
        CLOSED = "closed", pgettext_lazy("complaint", "Closed")

    class Channel(models.TextChoices):
        WEB = "web", _("Public form")
        PHONE = "phone", _("Phone call")

    class Outcome(models.TextChoices):
        NONE = "", _("None yet")
        INSPECTION = "inspection", _("Complaint-triggered inspection")
        GUIDANCE = "guidance", _("Guidance offered")
        NO_ACTION = "no_action", _("No action needed")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    category = models.CharField(
        pgettext_lazy("complaint", "category"), max_length=20, choices=ComplaintCategory.choices
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("enterprise complained about"),
    )
    business_name = models.CharField(_("business complained about"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300)
    description = models.TextField(_("what happened"))
    complainant_name = models.CharField(_("complainant's name"), max_length=100)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=20)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("handling department")
    )
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True, default="")
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"))
    reply_due_at = models.DateTimeField(_("reply by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    acknowledge_reminded_at = models.DateTimeField(_("acknowledgement reminder sent"), null=True, blank=True)
    reply_reminded_at = models.DateTimeField(_("reply reminder sent"), null=True, blank=True)
    inspection = models.OneToOneField(
        "inspections.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaint",
        verbose_name=_("inspection"),
    )
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "reply_due_at"], name="complaint_status_due"),
            models.Index(fields=["department", "status"], name="complaint_department"),
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.ACKNOWLEDGED)

    @property
    def replied_on_time(self) -> bool:
        return self.replied_at is not None and self.replied_at <= self.reply_due_at


COMPLAINT_MOVES = {
    Complaint.Status.RECEIVED: {Complaint.Status.ACKNOWLEDGED, Complaint.Status.REPLIED},
    Complaint.Status.ACKNOWLEDGED: {Complaint.Status.REPLIED},
    Complaint.Status.REPLIED: {Complaint.Status.CLOSED},
}
