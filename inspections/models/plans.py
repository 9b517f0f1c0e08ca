"""Plans (检查计划) and the coordination (统筹) of a month."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Department, Enterprise, Region, StoresRegionCode

from .catalogue import InspectionItem


class YearPlan(models.Model):
    """A department's plan for a year (年计划): its entries, month by month. The department drafts and submits
    it, the department head approves it (or returns it with a reason), and publishing it submits its entries to
    the coordination of their months (月安排)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", pgettext_lazy("year plan status", "Approved")
        PUBLISHED = "published", pgettext_lazy("year plan status", "Published")
        RETURNED = "returned", pgettext_lazy("year plan status", "Returned")

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="year_plans", verbose_name=_("department")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "department_id"]
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="year_plan_one_per_department")]
        verbose_name = _("year plan")
        verbose_name_plural = _("year plans")

    def __str__(self):
        return f"{self.department} · {self.year}"

    @property
    def editable(self) -> bool:
        """Entries are added to (or withdrawn from) a plan only while it is drafted or returned."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


YEAR_PLAN_MOVES = {
    YearPlan.Status.DRAFT: {YearPlan.Status.SUBMITTED},
    YearPlan.Status.RETURNED: {YearPlan.Status.SUBMITTED},
    YearPlan.Status.SUBMITTED: {YearPlan.Status.APPROVED, YearPlan.Status.RETURNED},
    YearPlan.Status.APPROVED: {YearPlan.Status.PUBLISHED, YearPlan.Status.RETURNED},
}


class PlanEntry(StoresRegionCode):
    """One department's plan to inspect one enterprise in one month (检查计划条目)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        EXECUTED = "executed", pgettext_lazy("plan entry status", "Executed")
        CUT = "cut", pgettext_lazy("plan entry status", "Cut")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On-site")
        OFF_SITE = "off_site", _("Off-site")

    class CutReason(models.TextChoices):
        DUPLICATE = "duplicate", _("Duplicate of another entry")
        LEAVE_ALONE = "leave_alone", _("Left alone by the grade policy")
        COORDINATOR = "coordinator", _("Cut by the coordinator")
        INSPECTION_CANCELLED = "inspection_cancelled", _("Its inspection was cancelled")

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="plan_entries", verbose_name=_("department")
    )
    year_plan = models.ForeignKey(
        YearPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("year plan"),
        help_text=_("Empty for an entry added outside a year plan."),
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="plan_entries", verbose_name=_("enterprise")
    )
    items = models.ManyToManyField(InspectionItem, related_name="plan_entries", verbose_name=_("items"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ON_SITE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("note"), blank=True)
    inspection = models.ForeignKey(
        "Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_entries",
        verbose_name=_("inspection"),
    )
    delegated = models.BooleanField(
        _("delegated"), default=False, help_text=_("Carried out by another department on this department's behalf.")
    )
    cut_reason = models.CharField(_("cut reason"), max_length=24, choices=CutReason.choices, blank=True)
    cut_note = models.TextField(_("cut note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "enterprise_id", "id"]
        indexes = [
            # The lists' order: a page walks it and stops (the scope filtered on the way), nothing sorted.
            models.Index(fields=["-month", "enterprise_id", "id"], name="plan_entry_list_order"),
            models.Index(fields=["month", "status"], name="plan_entry_month_status"),
            # A city's entries (of a month, or all of them: the admin's list) counted from the index alone
            # (StoresRegionCode); varchar_pattern_ops: a LIKE 'prefix%' uses it whatever the database's collation.
            models.Index(
                fields=["region_code", "month"], opclasses=["varchar_pattern_ops", "date_ops"], name="plan_entry_scope"
            ),
        ]
        verbose_name = _("plan entry")
        verbose_name_plural = _("plan entries")

    def __str__(self):
        return f"{self.department} · {self.enterprise} · {self.month:%Y-%m}"



PLAN_ENTRY_MOVES = {
    PlanEntry.Status.DRAFT: {PlanEntry.Status.SUBMITTED, PlanEntry.Status.WITHDRAWN},
    PlanEntry.Status.SUBMITTED: {PlanEntry.Status.EXECUTED, PlanEntry.Status.CUT},
    PlanEntry.Status.EXECUTED: {PlanEntry.Status.CUT},  # only when its inspection is cancelled
    PlanEntry.Status.CUT: {PlanEntry.Status.EXECUTED},  # the coordinator overrides a cut
}


class Coordination(models.Model):
    """One run of a month's coordination (统筹) for a region, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("enterprises to coordinate"), default=0)
    processed = models.PositiveIntegerField(_("enterprises coordinated"), default=0)
    executed = models.PositiveIntegerField(_("entries executed"), default=0)
    cut = models.PositiveIntegerField(_("entries cut"), default=0)
    inspections_created = models.PositiveIntegerField(_("inspections created"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("coordination")
        verbose_name_plural = _("coordinations")

    def __str__(self):
        return f"{self.region} {self.month:%Y-%m}"

    @property
    def progress(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.processed / self.total) if self.total else 0
