"""Inspections and findings store their enterprise's division code too (``programs.models.StoresRegionCode``): the
dashboard's and the lists' region scope reads their own indexes instead of joining a million enterprises."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_region_codes(apps, schema_editor):
    Enterprise = apps.get_model("programs", "Enterprise")
    code = Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("region__code")[:1]
    for name in ("Inspection", "Finding"):
        apps.get_model("inspections", name).objects.update(region_code=Subquery(code))


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0014_plan_entry_region_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="region_code",
            field=models.CharField(default="", editable=False, max_length=12, verbose_name="division code"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="inspection",
            name="region_code",
            field=models.CharField(default="", editable=False, max_length=12, verbose_name="division code"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_region_codes, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["region_code"], name="finding_scope", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="inspection",
            index=models.Index(
                fields=["region_code", "month"], name="inspection_scope", opclasses=["varchar_pattern_ops", "date_ops"]
            ),
        ),
    ]
