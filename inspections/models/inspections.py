"""Inspections (a visit to one enterprise) and the items checked in them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Department, Enterprise, StoresRegionCode

from .catalogue import InspectionItem
from .plans import PlanEntry


class Inspection(StoresRegionCode):
    """A visit to one enterprise: joint (综合查一次, several departments) or single, for a month and a week."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Origin(models.TextChoices):
        """Why the visit happens: the plan (coordinated plan entries) or a complaint (unplanned, counted apart)."""

        PLAN = "plan", _("Plan")
        COMPLAINT = "complaint", _("Complaint")

    class CodeNotShownReason(models.TextChoices):
        """Why a visit was carried out without showing its inspection code (亮码); ``NOT_RECORDED`` only marks the
        visits completed before the reason was asked for (an officer cannot choose it)."""

        NO_SIGNAL = "no_signal", _("No mobile signal on site: the code could not be opened")
        DEVICE = "device", _("The officer's phone or terminal was unavailable")
        NOBODY_PRESENT = "nobody_present", _("Enterprise closed or nobody present to show it to")
        OFF_SITE = "off_site", _("Off-site check (documents or remote)")
        URGENT = "urgent", _("Urgent check (complaint, accident or hazard): checked before showing")
        OMITTED = "omitted", _("Forgotten by the officer")
        OTHER = "other", pgettext_lazy("code not shown", "Other")
        NOT_RECORDED = "not_recorded", _("Not recorded (completed before the reason was asked for)")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("enterprise")
    )
    month = models.DateField(_("month"))
    week_start = models.DateField(_("week (Monday)"), null=True, blank=True)
    visit_date = models.DateField(_("visit date"), null=True, blank=True, help_text=_("A day of the week, if fixed."))
    is_joint = models.BooleanField(_("joint inspection"), default=False)
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="led_inspections", verbose_name=_("lead department")
    )
    departments = models.ManyToManyField(
        Department, related_name="inspections", verbose_name=_("participating departments")
    )
    items = models.ManyToManyField(InspectionItem, related_name="inspections", verbose_name=_("items"))
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", blank=True, verbose_name=_("officers")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=PlanEntry.Mode.choices, default=PlanEntry.Mode.ON_SITE)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.PLAN)
    code = models.CharField(_("inspection code"), max_length=40, unique=True, null=True, blank=True, editable=False)
    code_shown_at = models.DateTimeField(_("code shown at"), null=True, blank=True)
    code_shown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("code shown by"),
    )
    code_not_shown_reason = models.CharField(
        _("why the code was not shown"), max_length=16, choices=CodeNotShownReason.choices, blank=True
    )
    code_not_shown_note = models.TextField(_("code not shown: explanation"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-month", "week_start", "id"]
        indexes = [
            models.Index(fields=["enterprise", "status"], name="inspection_enterprise_status"),
            models.Index(fields=["week_start", "status"], name="inspection_week_status"),
            # The lists' order: a page walks it and stops (the scope filtered on the way), nothing sorted.
            models.Index(fields=["-month", "week_start", "id"], name="inspection_list_order"),
            # The indicators' months of a region (StoresRegionCode): the scope is a prefix of this index.
            models.Index(
                fields=["region_code", "month"], opclasses=["varchar_pattern_ops", "date_ops"], name="inspection_scope"
            ),
        ]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        return f"{self.enterprise} · {self.month:%Y-%m}"


INSPECTION_MOVES = {
    Inspection.Status.PLANNED: {Inspection.Status.SCHEDULED, Inspection.Status.CANCELLED},
    Inspection.Status.SCHEDULED: {Inspection.Status.IN_PROGRESS, Inspection.Status.CANCELLED},
    Inspection.Status.IN_PROGRESS: {Inspection.Status.COMPLETED, Inspection.Status.CANCELLED},
}


class ItemCheck(models.Model):
    """An item's answer in an inspection; a delegated check is made by another department on the owner's behalf."""

    class Result(models.TextChoices):
        COMPLIANT = "compliant", _("Compliant")
        NON_COMPLIANT = "non_compliant", _("Not compliant")
        NOT_CHECKED = "not_checked", _("Not checked / not applicable")

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="checks")
    item = models.ForeignKey(InspectionItem, on_delete=models.PROTECT, related_name="checks", verbose_name=_("item"))
    checked_by_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    on_behalf_of = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegated_checks",
        verbose_name=_("on behalf of"),
    )
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=14, choices=Result.choices, default=Result.COMPLIANT)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="item_check_once")]
        verbose_name = _("item check")
        verbose_name_plural = _("item checks")

    def __str__(self):
        return f"{self.item.code} @ {self.inspection_id}"

    @property
    def compliant(self) -> bool:
        return self.result == self.Result.COMPLIANT
