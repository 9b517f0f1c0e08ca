"""The market (大市集): an event of its own, held on one day at one or more venues (the Zhoushan market on four
islands at once), with the workshops taking part from any region, each with its stalls, revenue and products,
and the supply points outside the city it opened (市外直供点). Re-exported by ``workshops.models``."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Named by label, not imported: ``workshops.models`` imports this module to re-export it.
WORKSHOP = "workshops.Workshop"


class Market(models.Model):
    """One market day. Its visitors are the market's own figure; stalls, revenue and products are per workshop
    (``MarketParticipation``), so each region counts its own workshops' and the market once."""

    title = models.CharField(pgettext_lazy("market", "title"), max_length=200)
    held_on = models.DateField(_("held on"))
    venues = models.CharField(
        _("venues"), max_length=300, blank=True, help_text=_("Where it was held, e.g. 定海、普陀、岱山、嵊泗.")
    )
    organised_by = models.CharField(
        _("organised by"), max_length=200, blank=True, help_text=_("The office that ran it, e.g. 市委组织部.")
    )
    visitors = models.PositiveIntegerField(_("visitors"), default=0)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("market")
        verbose_name_plural = _("markets")

    def __str__(self):
        return f"{self.title} ({self.held_on:%Y-%m-%d})"


class MarketParticipation(models.Model):
    """A workshop taking part in a market: its stalls, what they took, and the products it offered."""

    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, related_name="participations", verbose_name=_("market")
    )
    workshop = models.ForeignKey(
        WORKSHOP, on_delete=models.PROTECT, related_name="market_participations", verbose_name=_("workshop")
    )
    stalls = models.PositiveIntegerField(_("stalls"), default=1)
    revenue = models.DecimalField(
        _("stall revenue (yuan)"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    products_offered = models.PositiveIntegerField(
        _("products offered"), default=0, help_text=_("How many different products the workshop offered.")
    )
    products = models.TextField(_("products"), blank=True, help_text=_("Which ones, e.g. 对虾、虾皮、贻贝."))

    class Meta:
        ordering = ["market", "workshop__village__code", "workshop__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["market", "workshop"], name="market_participation_one_per_workshop")
        ]
        verbose_name = _("participating workshop")
        verbose_name_plural = _("participating workshops")

    def __str__(self):
        return f"{self.market.title} · {self.workshop.name}"


class SupplyPoint(models.Model):
    """A direct supply point outside the city (市外"共富工坊"直供点) that a market opened for a workshop taking
    part: the market reaches Hangzhou or Shanghai, a shop there sells the workshop's products."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="supply_points", verbose_name=_("market"))
    workshop = models.ForeignKey(
        WORKSHOP, on_delete=models.PROTECT, related_name="supply_points", verbose_name=_("workshop")
    )
    city = models.CharField(_("city"), max_length=100, help_text=_("A city outside the workshop's, e.g. 杭州, 上海."))
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        ordering = ["market", "city", "id"]
        verbose_name = _("supply point outside the city")
        verbose_name_plural = _("supply points outside the city")

    def __str__(self):
        return f"{self.city} · {self.workshop.name}"
