from django.db import migrations

# red monthly, yellow quarterly, green yearly with a 20 % sample, gray first inspection within 90 days;
# an open general issue 15 days past its deadline counts as a major hazard.
DEFAULTS = [
    ("red", 30, 100, None),
    ("yellow", 90, 100, 15),
    ("green", 365, 20, None),
    ("gray", 90, 100, None),
]


def create(apps, schema_editor):
    GradePolicy = apps.get_model("inspections", "GradePolicy")
    for grade, frequency, sampling, grace in DEFAULTS:
        GradePolicy.objects.get_or_create(
            grade=grade,
            defaults={"frequency_days": frequency, "sampling_percent": sampling, "escalation_grace_days": grace},
        )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_plans_inspections_findings_grades")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
