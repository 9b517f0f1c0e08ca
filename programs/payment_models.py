"""Payment orders: what is paid through the payment backend (programs.payments), for whichever app owns the debt.

An order names its owner by a label (``inspections.fine``) and id; the owning app handles the paid order through
the handler its AppConfig names (``payment_handlers``), so the core imports no domain app."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_order_reference() -> str:
    return f"PO{timezone.localdate():%Y%m%d}{secrets.token_hex(6).upper()}"


class PaymentOrder(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", pgettext_lazy("payment", "Paid")
        CANCELLED = "cancelled", _("Cancelled")
        # The gateway took the money for an order no longer payable (cancelled, or expired at the end of the day it
        # was priced for): recorded, never lost; an officer refunds it or applies it to what is owed.
        UNAPPLIED = "unapplied", _("Paid, not applied: refund or apply")

    reference = models.CharField(_("order reference"), max_length=32, unique=True, default=new_order_reference)
    owner = models.CharField(_("owner"), max_length=50, help_text=_("What the order pays, e.g. inspections.fine."))
    owner_id = models.PositiveBigIntegerField(_("owner id"))
    enterprise = models.ForeignKey(
        "programs.Enterprise",
        on_delete=models.PROTECT,
        related_name="payment_orders",
        verbose_name=_("enterprise"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    # The department the money is owed to (its officers see the order), set by the owning app.
    department = models.ForeignKey(
        "programs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_orders",
        verbose_name=_("department"),
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    # How the owner splits the amount (e.g. fine and late fee), read back by its handler when the order is paid.
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Where the payer goes back to after paying: a path on this site (never another site).
    return_path = models.CharField(_("return to"), max_length=300, blank=True)
    backend = models.CharField(_("payment backend"), max_length=200)
    transaction_id = models.CharField(_("gateway transaction"), max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # After this the order can no longer be paid (the amount was priced for one day); empty: it does not expire.
    expires_at = models.DateTimeField(_("payable until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "owner_id"], name="payment_order_owner")]
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")

    def __str__(self):
        return self.reference


PAYMENT_ORDER_MOVES = {
    PaymentOrder.Status.PENDING: {PaymentOrder.Status.PAID, PaymentOrder.Status.CANCELLED},
    PaymentOrder.Status.CANCELLED: {PaymentOrder.Status.UNAPPLIED},
}
