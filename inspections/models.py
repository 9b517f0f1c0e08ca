"""Enterprise inspections (涉企行政检查)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
    field = models.CharField(_("field"), max_length=100, help_text=_("The enforcement field (领域), e.g. fire safety."))
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
