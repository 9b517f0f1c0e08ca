"""Travel times between villages, which draw a resident's 15-minute circle."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from programs.models import Region

from ..models import VillageDistance


def village_distance_set(*, from_village: Region, to_village: Region, minutes: int) -> VillageDistance:
    """One row per pair whichever way it is asked: the lower id comes first."""
    a, b = sorted([from_village, to_village], key=lambda r: r.pk)
    row = VillageDistance(from_village=a, to_village=b, minutes=minutes)
    row.full_clean(validate_unique=False, validate_constraints=False)
    if a.pk == b.pk:
        raise ValidationError({"to_village": _("Choose two different villages.")})
    row, _created = VillageDistance.objects.update_or_create(
        from_village=a, to_village=b, defaults={"minutes": minutes}
    )
    return row
