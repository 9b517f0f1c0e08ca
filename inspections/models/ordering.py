"""Service ordering (点单式服务, 企业点单、社区接单): a community publishes a catalogue of services with capacity and
dates; enterprises order places for their workers; the community accepts, delivers and closes; the enterprise
rates the service."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Enterprise, Region


class ServiceOffering(models.Model):
    """One service of a community's catalogue: what, when, for how many people (places ordered never pass it)."""

    class Kind(models.TextChoices):
        SUMMER_CLASS = "summer_class", _("Summer class for workers' children")
        MEALS = "meals", _("Meal delivery")
        LEGAL_EDUCATION = "legal_education", _("Legal education session")
        COURSE = "course", _("Skills course")
        RECRUITMENT = "recruitment", _("Recruitment event")
        OTHER = "other", _("Other service")

    community = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="service_offerings", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("service offering", "title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveIntegerField(_("capacity (people)"), validators=[MinValueValidator(1)])
    booked = models.PositiveIntegerField(_("places ordered"), default=0, editable=False)
    is_published = models.BooleanField(_("published"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="offering_within_capacity"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="offering_dates_ordered"
            ),
        ]
        verbose_name = _("service offering")
        verbose_name_plural = _("service offerings")

    def __str__(self):
        return self.title

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class ServiceOrder(models.Model):
    """An enterprise's order of places in a service for its workers."""

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("service order", "Requested")
        ACCEPTED = "accepted", pgettext_lazy("service order", "Accepted")
        DELIVERED = "delivered", pgettext_lazy("service order", "Delivered")
        CLOSED = "closed", pgettext_lazy("service order", "Closed")
        DECLINED = "declined", pgettext_lazy("service order", "Declined")
        CANCELLED = "cancelled", pgettext_lazy("service order", "Cancelled")

    offering = models.ForeignKey(
        ServiceOffering, on_delete=models.PROTECT, related_name="orders", verbose_name=_("service")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="service_orders", verbose_name=_("enterprise")
    )
    people = models.PositiveIntegerField(_("people"), validators=[MinValueValidator(1)])
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    people_served = models.PositiveIntegerField(_("people served"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback = models.TextField(_("feedback"), blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("ordered by")
    )
    created_at = models.DateTimeField(_("ordered at"), default=timezone.now, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "status"], name="service_order_enterprise")]
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")

    def __str__(self):
        return f"{self.offering} · {self.enterprise}"

    @property
    def holds_places(self) -> bool:
        return self.status in (self.Status.REQUESTED, self.Status.ACCEPTED, self.Status.DELIVERED, self.Status.CLOSED)


SERVICE_ORDER_MOVES = {
    ServiceOrder.Status.REQUESTED: {
        ServiceOrder.Status.ACCEPTED,
        ServiceOrder.Status.DECLINED,
        ServiceOrder.Status.CANCELLED,
    },
    ServiceOrder.Status.ACCEPTED: {ServiceOrder.Status.DELIVERED, ServiceOrder.Status.CANCELLED},
    ServiceOrder.Status.DELIVERED: {ServiceOrder.Status.CLOSED},
}
