"""Joint assistance (联合帮扶): a rectification problem that crosses departments, solved by a lead department and
participating ones, with tasks, owners and deadlines, and a resolution; opened from a finding, an observation
period or an enterprise request."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Department, Enterprise

from .findings import Finding, ObservationPeriod
from .requests import EnterpriseRequest


class AssistanceCase(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SOLVED = "solved", _("Solved")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(pgettext_lazy("assistance", "reference"), max_length=20, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="assistance_cases", verbose_name=_("enterprise")
    )
    title = models.CharField(pgettext_lazy("assistance", "problem"), max_length=120)
    problem = models.TextField(pgettext_lazy("assistance", "what has to be solved"))
    finding = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_cases",
        verbose_name=_("finding"),
    )
    observation_period = models.ForeignKey(
        ObservationPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_cases",
        verbose_name=_("observation period"),
    )
    request = models.ForeignKey(
        EnterpriseRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_cases",
        verbose_name=_("enterprise request"),
    )
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="led_assistance", verbose_name=_("lead department")
    )
    departments = models.ManyToManyField(
        Department, related_name="assistance_cases", verbose_name=_("participating departments")
    )
    target_on = models.DateField(_("to be solved by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    resolution = models.TextField(_("resolution"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "target_on"], name="assistance_status_target")]
        verbose_name = _("joint assistance case")
        verbose_name_plural = _("joint assistance cases")

    def __str__(self):
        return f"{self.reference} {self.title}"


class AssistanceTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    case = models.ForeignKey(AssistanceCase, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("case"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assistance_tasks",
        verbose_name=pgettext_lazy("request", "owner"),
    )
    title = models.CharField(pgettext_lazy("assistance task", "task"), max_length=200)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(pgettext_lazy("assistance task", "what was done"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("assistance task")
        verbose_name_plural = _("assistance tasks")

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.deadline < timezone.localdate()


ASSISTANCE_MOVES = {AssistanceCase.Status.OPEN: {AssistanceCase.Status.SOLVED, AssistanceCase.Status.CANCELLED}}
ASSISTANCE_TASK_MOVES = {AssistanceTask.Status.OPEN: {AssistanceTask.Status.DONE}}
