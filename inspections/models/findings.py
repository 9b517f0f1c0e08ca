"""Findings, their rectification and re-inspection, and observation periods (执法观察期)."""

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Enterprise, StoresRegionCode
from programs.uploads import RandomName

from .catalogue import InspectionItem, LenientListEntry
from .inspections import Inspection

EVIDENCE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "heic", "pdf"]


class Finding(StoresRegionCode):
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
    description = models.TextField(pgettext_lazy("finding", "description"))
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
            # The region's findings (StoresRegionCode): the scope is a prefix of this index.
            models.Index(fields=["region_code"], opclasses=["varchar_pattern_ops"], name="finding_scope"),
        ]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return f"{self.get_severity_display()}：{self.item.code} @ {self.enterprise}"

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
        upload_to=RandomName("inspections/findings"),
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
        upload_to=RandomName("inspections/evidence"),
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

    finding = models.OneToOneField(
        Finding, on_delete=models.PROTECT, related_name="observation_period", verbose_name=_("finding")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    days = models.PositiveSmallIntegerField(_("days"), validators=[MinValueValidator(10), MaxValueValidator(60)])
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
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
