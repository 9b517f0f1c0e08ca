"""Enterprise inspections (涉企行政检查): item catalogue, lenient lists, plans, coordination, inspections with
their codes, findings, rectification, re-inspection, observation periods, and the four-colour grade's policy
and history (the grade itself is ``programs.Enterprise.grade``)."""

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Department, Enterprise, Grade, Region

EVIDENCE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "heic", "pdf"]


class InspectionItem(models.Model):
    """An entry of the inspection item catalogue (检查事项). Guidance themes reuse these as checklist items.

    ``simple`` items (基层常见、直观可查、易于整改) may be checked by another department on the owner's behalf.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="inspection_items", verbose_name=_("owning department")
    )
    field = models.CharField(_("field"), max_length=100, help_text=_("The enforcement field (领域), e.g. fire safety."))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    simple = models.BooleanField(
        _("simple item"), default=False, help_text=_("May be checked by another department on the owner's behalf.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")

    def __str__(self):
        return f"{self.code} {self.name}"


class LenientListEntry(models.Model):
    """An item's place on a lenient list (首违不罚, 轻微免罚, 不予处罚清单)."""

    class Kind(models.TextChoices):
        FIRST_VIOLATION = "first_violation", _("First-violation exemption")
        MINOR_VIOLATION = "minor_violation", _("Minor-violation exemption")
        NO_PENALTY = "no_penalty", _("No-penalty list")

    item = models.ForeignKey(
        InspectionItem, on_delete=models.PROTECT, related_name="lenient_entries", verbose_name=_("inspection item")
    )
    kind = models.CharField(_("list"), max_length=20, choices=Kind.choices)
    lookback_days = models.PositiveIntegerField(
        _("look-back window (days)"),
        default=730,
        help_text=_("An earlier violation of the item within this window means it is not a first violation."),
    )
    conditions = models.TextField(_("conditions"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["item__code", "kind"]
        constraints = [models.UniqueConstraint(fields=["item", "kind"], name="lenient_entry_unique_item_kind")]
        verbose_name = _("lenient list entry")
        verbose_name_plural = _("lenient list entries")

    def __str__(self):
        return f"{self.item.code} · {self.get_kind_display()}"


# --- Plans and coordination ----------------------------------------------------------------------------


class PlanEntry(models.Model):
    """One department's plan to inspect one enterprise in one month (检查计划条目)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        EXECUTED = "executed", _("Executed")
        CUT = "cut", _("Cut")
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
        indexes = [models.Index(fields=["month", "status"], name="plan_entry_month_status")]
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
        FAILED = "failed", _("Failed")

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


# --- Inspections ------------------------------------------------------------------------------------


class Inspection(models.Model):
    """A visit to one enterprise: joint (综合查一次, several departments) or single, for a month and a week."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

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
    """An item checked in an inspection; a delegated check is made by another department on the owner's behalf."""

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
    compliant = models.BooleanField(_("compliant"), default=True)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="item_check_once")]
        verbose_name = _("item check")
        verbose_name_plural = _("item checks")

    def __str__(self):
        return f"{self.item.code} @ {self.inspection_id}"


class Finding(models.Model):
    """A problem found in an inspection (问题/隐患), its rectification and the penalty decision."""

    class Severity(models.TextChoices):
        MAJOR = "major", _("Major hazard")
        GENERAL = "general", _("General issue")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        EVIDENCE_SUBMITTED = "evidence_submitted", _("Rectification submitted")
        RECTIFIED = "rectified", _("Rectified")

    class Decision(models.TextChoices):
        UNDECIDED = "undecided", _("Undecided")
        NO_PENALTY = "no_penalty", _("No penalty")
        PENALTY = "penalty", _("Normal procedure (penalty)")
        OBSERVATION = "observation", _("Observation period")

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="findings", verbose_name=_("inspection")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="findings", verbose_name=_("enterprise")
    )
    item = models.ForeignKey(InspectionItem, on_delete=models.PROTECT, related_name="findings", verbose_name=_("item"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("description"))
    deadline = models.DateField(_("rectification deadline"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    lenient_proposed = models.BooleanField(_("no penalty proposed"), default=False)
    lenient_entry = models.ForeignKey(
        LenientListEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("lenient list"),
    )
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, default=Decision.UNDECIDED)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "severity"], condition=~Q(status="rectified"), name="finding_open"),
            models.Index(fields=["item", "enterprise", "recorded_at"], name="finding_item_history"),
        ]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return f"{self.get_severity_display()}: {self.item.code} @ {self.enterprise}"

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.RECTIFIED and self.deadline < timezone.localdate()


FINDING_MOVES = {
    Finding.Status.OPEN: {Finding.Status.EVIDENCE_SUBMITTED, Finding.Status.RECTIFIED},
    Finding.Status.EVIDENCE_SUBMITTED: {Finding.Status.RECTIFIED, Finding.Status.OPEN},
}
FINDING_DECISION_MOVES = {
    Finding.Decision.UNDECIDED: {Finding.Decision.NO_PENALTY, Finding.Decision.PENALTY, Finding.Decision.OBSERVATION},
    Finding.Decision.OBSERVATION: {Finding.Decision.NO_PENALTY, Finding.Decision.PENALTY},
}


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(
        _("photo"),
        upload_to="inspections/findings/%Y/%m/",
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")

    def __str__(self):
        return self.file.name


class RectificationEvidence(models.Model):
    """What the enterprise submits to show a finding is rectified (整改材料)."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="evidence")
    note = models.TextField(_("what was done"))
    file = models.FileField(
        _("file"),
        upload_to="inspections/evidence/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # The form's one-time key: a double submit finds the row the first one saved.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"], condition=~Q(submission_key=""), name="evidence_unique_submission"
            )
        ]
        verbose_name = _("rectification evidence")
        verbose_name_plural = _("rectification evidence")

    def __str__(self):
        return f"{self.finding_id}: {self.note[:40]}"


class Reinspection(models.Model):
    """A re-inspection (复查) of a finding: verifies the rectification or sends it back."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="reinspections")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rectified = models.BooleanField(_("rectified"))
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("re-inspection")
        verbose_name_plural = _("re-inspections")

    def __str__(self):
        return f"{self.finding_id} @ {self.at:%Y-%m-%d}"


class ObservationPeriod(models.Model):
    """An observation period (执法观察期) of 10–60 days for a four-new enterprise to rectify a finding."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED_NO_PENALTY = "closed_no_penalty", _("Closed without penalty")
        FLAGGED = "flagged", _("Not rectified: to be decided")
        DECIDED = "decided", _("Decided")

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="observation_period")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    days = models.PositiveSmallIntegerField(_("days"), validators=[MinValueValidator(10), MaxValueValidator(60)])
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["ends_on", "id"]
        indexes = [models.Index(fields=["status", "ends_on"], name="observation_status_end")]
        verbose_name = _("observation period")
        verbose_name_plural = _("observation periods")

    def __str__(self):
        return f"{self.finding} · {self.starts_on} → {self.ends_on}"


OBSERVATION_MOVES = {
    ObservationPeriod.Status.OPEN: {ObservationPeriod.Status.CLOSED_NO_PENALTY, ObservationPeriod.Status.FLAGGED},
    ObservationPeriod.Status.FLAGGED: {ObservationPeriod.Status.DECIDED},
}


# --- The four-colour grade: policy and history ---------------------------------------------------------


class GradePolicy(models.Model):
    """What a colour means for inspection: how often, which share of greens is sampled, when overdue escalates."""

    grade = models.CharField(_("grade"), max_length=6, choices=Grade.choices, unique=True)
    frequency_days = models.PositiveIntegerField(
        _("inspection every (days)"),
        help_text=_("For gray: the first inspection is due this many days after the enterprise is registered."),
    )
    sampling_percent = models.PositiveSmallIntegerField(
        _("sampled share (%)"),
        default=100,
        validators=[MaxValueValidator(100)],
        help_text=_("The share of enterprises of this colour that are inspected when due (无事不扰 for green)."),
    )
    escalation_grace_days = models.PositiveIntegerField(
        _("escalate overdue rectification after (days)"),
        null=True,
        blank=True,
        help_text=_("An open finding this many days past its deadline counts as a major hazard; empty: never."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["grade"]
        verbose_name = _("grade policy")
        verbose_name_plural = _("grade policies")

    def __str__(self):
        return str(self.get_grade_display())


class GradeChange(models.Model):
    """One change of an enterprise's grade, with its cause."""

    class Cause(models.TextChoices):
        INSPECTION = "inspection", _("Inspection completed")
        FINDING = "finding", _("Finding recorded")
        REINSPECTION = "reinspection", _("Re-inspection")
        SWEEP = "sweep", _("Policy sweep")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="grade_changes", verbose_name=_("enterprise")
    )
    old_grade = models.CharField(_("old grade"), max_length=6, choices=Grade.choices)
    new_grade = models.CharField(_("new grade"), max_length=6, choices=Grade.choices)
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("inspection")
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("finding")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "-changed_at"], name="grade_change_enterprise")]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")

    def __str__(self):
        return f"{self.enterprise_id}: {self.old_grade} → {self.new_grade}"


class GradedEnterprise(Enterprise):
    """The enterprise as the grade admin shows it (badges, filters, history)."""

    class Meta:
        proxy = True
        verbose_name = _("graded enterprise")
        verbose_name_plural = _("enterprise grades")
