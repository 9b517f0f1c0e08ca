"""Penalty cases (行政处罚案件) opened after an inspection, handled online end to end (轻案零跑): the advance
notice (告知书) and the decision (处罚决定书) served electronically, the enterprise's statement and defence
(陈述申辩), the approval of a general-procedure case, fulfilment, closing, and reconsideration or litigation
(行政复议 / 行政诉讼) recorded against the case."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Department, Enterprise

from .catalogue import InspectionItem
from .findings import Finding
from .inspections import Inspection

# A fine up to this amount (yuan) for an organisation may be decided on the spot (简易程序, 行政处罚法 art. 51).
SIMPLE_FINE_LIMIT = Decimal("3000")
# The statement and defence period after the advance notice is served (calendar days; documented).
DEFENCE_DAYS = 5


class PenaltyCase(models.Model):
    """One penalty case against an enterprise for one inspection item."""

    class Procedure(models.TextChoices):
        SIMPLE = "simple", _("Simple procedure")
        GENERAL = "general", _("General procedure")

    class PenaltyKind(models.TextChoices):
        WARNING = "warning", _("Warning")
        FINE = "fine", _("Fine")

    class Status(models.TextChoices):
        OPENED = "opened", _("Opened")
        NOTIFIED = "notified", _("Advance notice issued")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        DECIDED = "decided", _("Decision issued")
        FULFILLED = "fulfilled", _("Fulfilled")
        CLOSED = "closed", pgettext_lazy("penalty case", "Closed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("case number"), max_length=40, unique=True, editable=False)
    # The code in the documents' QR: the public verify page shows validity, department and case number only.
    verify_code = models.CharField(_("verification code"), max_length=32, unique=True, editable=False)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="penalty_cases", verbose_name=_("enterprise")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="penalty_cases", verbose_name=_("department")
    )
    item = models.ForeignKey(
        InspectionItem, on_delete=models.PROTECT, related_name="penalty_cases", verbose_name=_("item")
    )
    finding = models.OneToOneField(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="penalty_case",
        verbose_name=_("finding"),
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="penalty_cases",
        verbose_name=_("inspection"),
    )
    legal_basis = models.TextField(_("legal basis"))
    facts = models.TextField(_("facts"))
    procedure = models.CharField(_("procedure"), max_length=8, choices=Procedure.choices)
    penalty_kind = models.CharField(_("proposed penalty"), max_length=8, choices=PenaltyKind.choices)
    fine_amount = models.DecimalField(
        _("fine amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPENED)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    notice_issued_at = models.DateTimeField(_("advance notice issued at"), null=True, blank=True)
    notice_served_at = models.DateTimeField(_("advance notice received at"), null=True, blank=True)
    defence_deadline = models.DateField(_("defence period ends on"), null=True, blank=True)
    defence_waived_at = models.DateTimeField(_("defence waived at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted for approval by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_served_at = models.DateTimeField(_("decision received at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    zero_trip = models.BooleanField(
        _("zero trips"), default=True, help_text=_("Handled without the enterprise visiting the office (轻案零跑).")
    )
    office_visit_note = models.TextField(_("office visit"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "status"], name="case_enterprise_status"),
            models.Index(fields=["department", "status"], name="case_department_status"),
            models.Index(fields=["opened_at"], name="case_opened_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(penalty_kind="warning", fine_amount=0) | Q(penalty_kind="fine", fine_amount__gt=0),
                name="case_fine_amount_matches_kind",
            )
        ]
        verbose_name = _("penalty case")
        verbose_name_plural = _("penalty cases")

    def __str__(self):
        return f"{self.number} {self.enterprise}"

    @property
    def is_fine(self) -> bool:
        return self.penalty_kind == self.PenaltyKind.FINE


CASE_MOVES = {
    PenaltyCase.Status.OPENED: {
        PenaltyCase.Status.NOTIFIED,
        PenaltyCase.Status.DECIDED,  # simple procedure: decided on the spot
        PenaltyCase.Status.CANCELLED,
    },
    PenaltyCase.Status.NOTIFIED: {
        PenaltyCase.Status.AWAITING_APPROVAL,
        PenaltyCase.Status.DECIDED,  # simple procedure
        PenaltyCase.Status.CANCELLED,
    },
    PenaltyCase.Status.AWAITING_APPROVAL: {
        PenaltyCase.Status.DECIDED,
        PenaltyCase.Status.NOTIFIED,  # sent back by the approver
        PenaltyCase.Status.CANCELLED,
    },
    PenaltyCase.Status.DECIDED: {PenaltyCase.Status.FULFILLED},
    PenaltyCase.Status.FULFILLED: {PenaltyCase.Status.CLOSED},
}


class CaseDefence(models.Model):
    """The enterprise's statement and defence (陈述申辩) against the advance notice, and the officer's answer."""

    case = models.ForeignKey(PenaltyCase, on_delete=models.PROTECT, related_name="defences", verbose_name=_("case"))
    statement = models.TextField(_("statement and defence"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    accepted = models.BooleanField(_("defence accepted"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("statement and defence")
        verbose_name_plural = _("statements and defences")

    def __str__(self):
        return f"{self.case_id}: {self.statement[:40]}"


class CaseReview(models.Model):
    """A reconsideration (行政复议) or litigation (行政诉讼) against a case, and its outcome."""

    class Kind(models.TextChoices):
        RECONSIDERATION = "reconsideration", _("Administrative reconsideration")
        LITIGATION = "litigation", _("Administrative litigation")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld")
        ALTERED = "altered", _("Altered")
        REVOKED = "revoked", _("Revoked")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(PenaltyCase, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("case"))
    kind = models.CharField(pgettext_lazy("review", "kind"), max_length=16, choices=Kind.choices)
    filed_on = models.DateField(_("filed on"))
    body = models.CharField(_("reviewing body"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("reconsideration or litigation")
        verbose_name_plural = _("reconsiderations and litigations")

    def __str__(self):
        return f"{self.case.number} · {self.get_kind_display()}"


REVIEW_MOVES = {
    CaseReview.Outcome.PENDING: {
        CaseReview.Outcome.UPHELD,
        CaseReview.Outcome.ALTERED,
        CaseReview.Outcome.REVOKED,
        CaseReview.Outcome.WITHDRAWN,
    },
}
