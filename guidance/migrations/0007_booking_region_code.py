"""A booking stores its region's division code (issue 16): the staff's scope becomes a prefix on the table's own
index instead of a join to the regions. Existing rows are filled in one statement."""

from django.db import migrations, models

FILL = """
UPDATE guidance_booking SET region_code = (
    SELECT programs_region.code FROM programs_region WHERE programs_region.id = guidance_booking.region_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("guidance", "0006_booking_trigram_search"),
        ("programs", "0016_enterprise_list_orders"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="region_code",
            field=models.CharField(default="", editable=False, max_length=12, verbose_name="division code"),
            preserve_default=False,
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["region_code"], opclasses=["varchar_pattern_ops"], name="guidance_booking_scope"),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["-created_at", "-id"], name="guidance_booking_list_order"),
        ),
    ]
