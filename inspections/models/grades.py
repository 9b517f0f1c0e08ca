"""The four-colour grade's policy and history (the grade itself is ``programs.Enterprise.grade``)."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Enterprise, Grade

from .findings import Finding
from .inspections import Inspection


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
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "-changed_at"], name="grade_change_enterprise")]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")

    def __str__(self):
        return f"{self.enterprise_id}: {self.get_old_grade_display()} → {self.get_new_grade_display()}"


class GradedEnterprise(Enterprise):
    """The enterprise as the grade admin shows it (badges, filters, history)."""

    class Meta:
        proxy = True
        verbose_name = _("graded enterprise")
        verbose_name_plural = _("enterprise grades")
