"""The inspection item catalogue (检查事项) and its lenient lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Department


class InspectionItem(models.Model):
    """An entry of the inspection item catalogue (检查事项). Guidance themes reuse these as checklist items.

    ``simple`` items (基层常见、直观可查、易于整改) may be checked by another department on the owner's behalf.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="inspection_items", verbose_name=_("owning department")
    )
    field = models.CharField(
        pgettext_lazy("enforcement field", "field"),
        max_length=100,
        help_text=_("The enforcement field (领域), e.g. fire safety."),
    )
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
