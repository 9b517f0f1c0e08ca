"""The inspection item catalogue (检查事项) and its lenient lists (首违不罚, 轻微免罚, 不予处罚, 审慎执法)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
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


class LenientList(models.Model):
    """A published lenient list (首违不罚 / 轻微免罚 / 不予处罚 / 审慎执法监管事项清单): its kind, the department that
    issued it, the document that published it and when it is in force. Its entries name the items it covers."""

    class Kind(models.TextChoices):
        FIRST_VIOLATION = "first_violation", _("First-violation exemption")
        MINOR_VIOLATION = "minor_violation", _("Minor-violation exemption")
        NO_PENALTY = "no_penalty", _("No-penalty list")
        PRUDENT = "prudent", _("Prudent-enforcement list")

    kind = models.CharField(_("list"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    issuer = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="lenient_lists", verbose_name=_("issued by")
    )
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    valid_from = models.DateField(_("in force from"))
    valid_until = models.DateField(_("in force until"), null=True, blank=True, help_text=_("Blank: until revoked."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "-valid_from", "id"]
        verbose_name = _("lenient list")
        verbose_name_plural = _("lenient lists")

    def __str__(self):
        return self.name

    def in_force(self, on: date) -> bool:
        return self.is_active and self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


class LenientListEntry(models.Model):
    """An item's place on a lenient list, with the conditions under which the list applies to a finding and the
    outcome it proposes: no penalty, or (审慎执法, for a four-new enterprise) an observation period."""

    Kind = LenientList.Kind

    class Outcome(models.TextChoices):
        # The same values as Finding.Decision: the outcome proposed is the decision it suggests.
        NO_PENALTY = "no_penalty", _("No penalty")
        OBSERVATION = "observation", _("Observation period")

    lenient_list = models.ForeignKey(
        LenientList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("lenient list"),
        help_text=_("The published list; blank for an entry recorded on the item alone."),
    )
    item = models.ForeignKey(
        InspectionItem, on_delete=models.PROTECT, related_name="lenient_entries", verbose_name=_("inspection item")
    )
    kind = models.CharField(_("list"), max_length=20, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.NO_PENALTY)
    first_violation_only = models.BooleanField(
        _("first violation only"),
        default=True,
        help_text=_("Applies only when the enterprise has no earlier violation of the item in the look-back window."),
    )
    lookback_days = models.PositiveIntegerField(
        _("look-back window (days)"),
        default=730,
        help_text=_("An earlier violation of the item within this window means it is not a first violation."),
    )
    minor_harm_only = models.BooleanField(
        _("minor harm only"), default=False, help_text=_("Applies only to a general issue, not to a major hazard.")
    )
    correction_required = models.BooleanField(
        _("corrected in time"),
        default=False,
        help_text=_("No penalty may be decided only once the finding is rectified."),
    )
    conditions = models.TextField(_("conditions"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["item__code", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind"], condition=Q(lenient_list__isnull=True), name="lenient_entry_unique_item_kind"
            ),
            models.UniqueConstraint(
                fields=["lenient_list", "item"],
                condition=Q(lenient_list__isnull=False),
                name="lenient_entry_unique_list_item",
            ),
        ]
        verbose_name = _("lenient list entry")
        verbose_name_plural = _("lenient list entries")

    def __str__(self):
        return f"{self.item.code} · {self.get_kind_display()}"

    def clean(self):
        if self.lenient_list_id and self.kind != self.lenient_list.kind:
            raise ValidationError({"kind": _("An entry has the kind of its list.")})
