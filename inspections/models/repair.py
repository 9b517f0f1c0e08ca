"""Credit repair (信用修复): once a penalty is fulfilled and its kind's minimum disclosure period (最短公示期) has
passed, the enterprise applies online with its evidence; the department reviews it by a deadline, and an approved
application marks the penalty's public record repaired."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Department, Enterprise
from programs.uploads import RandomName

from .cases import PenaltyCase
from .findings import EVIDENCE_EXTENSIONS


class RepairRule(models.Model):
    """The minimum disclosure period of a kind of penalty before its record may be repaired, and the days the
    department has to review an application. A fine takes the rule with the highest ``fine_from`` it reaches
    (e.g. a small fine from 0, a larger fine from 100,000 yuan)."""

    name = models.CharField(_("name"), max_length=100)
    penalty_kind = models.CharField(_("penalty"), max_length=8, choices=PenaltyCase.PenaltyKind.choices)
    fine_from = models.DecimalField(
        _("fines from (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For fines: the rule applies from this amount up to the next rule's."),
    )
    min_disclosure_days = models.PositiveIntegerField(
        _("minimum disclosure period (days)"), help_text=_("Counted from the day of the decision.")
    )
    review_days = models.PositiveSmallIntegerField(
        _("review deadline (days)"), default=5, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["penalty_kind", "fine_from"]
        constraints = [
            models.UniqueConstraint(fields=["penalty_kind", "fine_from"], name="repair_rule_unique_kind_amount")
        ]
        verbose_name = _("credit repair rule")
        verbose_name_plural = _("credit repair rules")

    def __str__(self):
        return self.name


class RepairApplication(models.Model):
    """An enterprise's application to repair the credit record of one penalty case."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Under review")
        APPROVED = "approved", _("Repaired")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey(
        PenaltyCase, on_delete=models.PROTECT, related_name="repair_applications", verbose_name=_("penalty case")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="repair_applications", verbose_name=_("enterprise")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="repair_applications", verbose_name=_("department")
    )
    rule = models.ForeignKey(RepairRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule"))
    eligible_on = models.DateField(_("may apply from"))
    statement = models.TextField(_("what was corrected"))
    commitment = models.BooleanField(_("credit commitment given"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    review_due = models.DateTimeField(_("review deadline"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    # The form's one-time key: a double submit finds the application the first one saved.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "review_due"], name="repair_status_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=["submitted", "approved"]), name="repair_one_live_per_case"
            ),
            models.UniqueConstraint(
                fields=["submission_key"], condition=~Q(submission_key=""), name="repair_unique_submission"
            ),
        ]
        verbose_name = _("credit repair application")
        verbose_name_plural = _("credit repair applications")

    def __str__(self):
        return f"{self.case.number} · {self.get_status_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.SUBMITTED and self.review_due < timezone.now()


REPAIR_MOVES = {
    RepairApplication.Status.SUBMITTED: {RepairApplication.Status.APPROVED, RepairApplication.Status.REFUSED},
}


class RepairEvidence(models.Model):
    """A file supporting an application: proof of rectification, of payment, or other."""

    class Kind(models.TextChoices):
        RECTIFICATION = "rectification", _("Rectification")
        PAYMENT = "payment", _("Payment")
        OTHER = "other", pgettext_lazy("evidence", "Other")

    application = models.ForeignKey(
        RepairApplication, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("application")
    )
    kind = models.CharField(pgettext_lazy("evidence", "kind"), max_length=14, choices=Kind.choices)
    file = models.FileField(
        _("file"),
        upload_to=RandomName("inspections/repair"),
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("credit repair evidence")
        verbose_name_plural = _("credit repair evidence")

    def __str__(self):
        return f"{self.application_id}: {self.get_kind_display()}"
