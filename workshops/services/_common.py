"""Helpers shared by the parts of the workshops services."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from programs.models import Region


def require_village(region: Region, field: str = "village") -> None:
    if region.level != Region.Level.VILLAGE:
        raise ValidationError({field: _("Choose a village or community, not a larger region.")})
