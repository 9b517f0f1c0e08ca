"""Each pair of villages once (the lower id first), before the constraint that says so (the next migration):
a row stored the other way round is turned round; where both ways were typed, the shorter time is kept (the
circle used to read whichever came last)."""

from django.db import migrations
from django.db.models import F


def order_pairs(apps, schema_editor):
    VillageDistance = apps.get_model("workshops", "VillageDistance")
    for row in VillageDistance.objects.filter(from_village_id__gt=F("to_village_id")).order_by("pk"):
        twin = VillageDistance.objects.filter(from_village_id=row.to_village_id, to_village_id=row.from_village_id)
        kept = twin.first()
        if kept is not None:
            if row.minutes < kept.minutes:
                twin.update(minutes=row.minutes)
            row.delete()
        else:
            VillageDistance.objects.filter(pk=row.pk).update(
                from_village_id=row.to_village_id, to_village_id=row.from_village_id
            )


class Migration(migrations.Migration):
    dependencies = [("workshops", "0007_resident_registration_trigram_search")]

    operations = [migrations.RunPython(order_pairs, migrations.RunPython.noop)]
