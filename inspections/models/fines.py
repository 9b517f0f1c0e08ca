"""Fines (罚款) of penalty decisions: paid electronically, due 15 days after the decision is served, deferral or
instalments (延期 / 分期缴纳) on approval, the statutory late fee (加处罚款: 3 % of the fine a day, never more than
the fine) and the automatic-fulfilment waiver (自动履行免加罚) as a policy kept as data."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .cases import PenaltyCase

# 行政处罚法 art. 67 and 72: pay within 15 days of service; 3 % of the fine a day when late, at most the fine.
FINE_DUE_DAYS = 15
LATE_FEE_DAILY_RATE = Decimal("0.03")


class LateFeeWaiverPolicy(models.Model):
    """When the accrued late fee is waived (免加罚). The default: the enterprise pays the full fine of its own
    accord before compulsory enforcement is applied for. Edited by coordinators in the admin."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    before_enforcement = models.BooleanField(
        _("paid before enforcement is applied for"),
        default=True,
        help_text=_("The waiver applies only when compulsory enforcement has not been applied for."),
    )
    full_payment = models.BooleanField(
        _("the full fine paid"),
        default=True,
        help_text=_("The waiver applies only once the whole fine (every instalment) is paid."),
    )
    max_days_late = models.PositiveIntegerField(
        _("at most this many days late"),
        null=True,
        blank=True,
        help_text=_("Empty: however late, as long as the other conditions hold."),
    )
    max_fine = models.DecimalField(
        _("fines up to (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("Empty: any fine.")
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("late-fee waiver policy")
        verbose_name_plural = _("late-fee waiver policies")

    def __str__(self):
        return self.name


class Fine(models.Model):
    """The fine of one penalty decision. The late fee is computed from the dates (``late_fee`` as of
    ``late_fee_through``), never added to, so a sweep run twice has one effect."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", pgettext_lazy("fine", "Unpaid")
        ENFORCEMENT = "enforcement", _("Enforcement applied for")
        PAID = "paid", pgettext_lazy("fine", "Paid")

    case = models.OneToOneField(PenaltyCase, on_delete=models.PROTECT, related_name="fine", verbose_name=_("case"))
    amount = models.DecimalField(
        _("fine (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    served_on = models.DateField(_("decision served on"))
    original_due_date = models.DateField(_("originally due on"))
    due_date = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNPAID)
    principal_paid = models.DecimalField(_("fine paid (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0))
    late_fee = models.DecimalField(_("late fee accrued (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0))
    late_fee_through = models.DateField(_("late fee computed through"), null=True, blank=True)
    late_fee_paid = models.DecimalField(_("late fee paid (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0))
    late_fee_waived = models.DecimalField(
        _("late fee waived (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    waiver_policy = models.ForeignKey(
        LateFeeWaiverPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fines",
        verbose_name=_("waiver policy applied"),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    enforcement_applied_at = models.DateTimeField(_("enforcement applied for at"), null=True, blank=True)
    enforcement_applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enforcement applied for by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="fine_status_due"),
            models.Index(fields=["paid_at"], name="fine_paid_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(late_fee__lte=models.F("amount")), name="fine_late_fee_capped"),
        ]
        verbose_name = _("fine")
        verbose_name_plural = _("fines")

    def __str__(self):
        return f"{self.case.number} ¥{self.amount}"

    @property
    def principal_due(self) -> Decimal:
        return self.amount - self.principal_paid

    @property
    def late_fee_due(self) -> Decimal:
        return self.late_fee - self.late_fee_paid - self.late_fee_waived


FINE_MOVES = {
    Fine.Status.UNPAID: {Fine.Status.PAID, Fine.Status.ENFORCEMENT},
    Fine.Status.ENFORCEMENT: {Fine.Status.PAID},
}


class FineInstalment(models.Model):
    """One instalment of a fine paid in instalments (分期缴纳): its own amount and due date."""

    fine = models.ForeignKey(Fine, on_delete=models.CASCADE, related_name="instalments", verbose_name=_("fine"))
    number = models.PositiveSmallIntegerField(_("instalment"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    due_date = models.DateField(_("due on"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["fine", "number"]
        constraints = [models.UniqueConstraint(fields=["fine", "number"], name="fine_instalment_number")]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")

    def __str__(self):
        return f"{self.fine_id} #{self.number}"


class FineArrangement(models.Model):
    """A request to defer the fine (延期) or pay it in instalments (分期), decided by an officer."""

    class Kind(models.TextChoices):
        DEFERRAL = "deferral", _("Deferral")
        INSTALMENTS = "instalments", _("Instalments")

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("arrangement", "Requested")
        APPROVED = "approved", pgettext_lazy("arrangement", "Approved")
        REJECTED = "rejected", pgettext_lazy("arrangement", "Rejected")

    fine = models.ForeignKey(Fine, on_delete=models.PROTECT, related_name="arrangements", verbose_name=_("fine"))
    kind = models.CharField(pgettext_lazy("arrangement", "kind"), max_length=12, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    defer_until = models.DateField(_("deferred until"), null=True, blank=True)
    instalments = models.PositiveSmallIntegerField(_("number of instalments"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["fine"], condition=Q(status="requested"), name="fine_one_open_arrangement")
        ]
        verbose_name = _("deferral or instalment request")
        verbose_name_plural = _("deferral and instalment requests")

    def __str__(self):
        return f"{self.fine_id} {self.get_kind_display()}"


ARRANGEMENT_MOVES = {
    FineArrangement.Status.REQUESTED: {FineArrangement.Status.APPROVED, FineArrangement.Status.REJECTED},
}
