"""The division codes of a registration's resident village and workshop village, stored on the registration
(issue 16): the staff's scope becomes a prefix on these columns' indexes. Existing rows are filled in one
statement per column (correlated subqueries: PostgreSQL and SQLite alike)."""

from django.db import migrations, models

FILL = """
UPDATE workshops_registration SET
    resident_region_code = (
        SELECT programs_region.code FROM workshops_resident
        JOIN programs_region ON programs_region.id = workshops_resident.village_id
        WHERE workshops_resident.id = workshops_registration.resident_id
    ),
    workshop_region_code = (
        SELECT programs_region.code FROM workshops_position
        JOIN workshops_workshop ON workshops_workshop.id = workshops_position.workshop_id
        JOIN programs_region ON programs_region.id = workshops_workshop.village_id
        WHERE workshops_position.id = workshops_registration.position_id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0009_jobs"),
        ("programs", "0016_enterprise_list_orders"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="resident_region_code",
            field=models.CharField(
                default="", editable=False, max_length=12, verbose_name="division code of the resident"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="registration",
            name="workshop_region_code",
            field=models.CharField(
                default="", editable=False, max_length=12, verbose_name="division code of the workshop"
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                fields=["resident_region_code"], opclasses=["varchar_pattern_ops"], name="reg_resident_code"
            ),
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                fields=["workshop_region_code"], opclasses=["varchar_pattern_ops"], name="reg_workshop_code"
            ),
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(fields=["-created_at", "-id"], name="registration_list_order"),
        ),
    ]
