"""Plan entries store their enterprise's division code (``PlanEntry.region_code``): the region scope becomes a
condition of the entries' own ``(month, region_code)`` index instead of a join to a million enterprises."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_region_codes(apps, schema_editor):
    PlanEntry = apps.get_model("inspections", "PlanEntry")
    Enterprise = apps.get_model("programs", "Enterprise")
    code = Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("region__code")[:1]
    PlanEntry.objects.update(region_code=Subquery(code))


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0013_fines_data"),
        ("programs", "0015_region_coordinates_payment_orders_export_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="planentry",
            name="region_code",
            field=models.CharField(default="", editable=False, max_length=12, verbose_name="division code"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_region_codes, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="planentry",
            index=models.Index(
                fields=["month", "region_code"],
                name="plan_entry_scope",
                opclasses=["date_ops", "varchar_pattern_ops"],
            ),
        ),
    ]
