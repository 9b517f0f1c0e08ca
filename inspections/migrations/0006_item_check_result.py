"""An item's answer becomes one of three results (符合 / 不符合 / 未检查); the old boolean maps faithfully:
compliant → "compliant", not compliant → "non_compliant"."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    ItemCheck = apps.get_model("inspections", "ItemCheck")
    ItemCheck.objects.filter(compliant=True).update(result="compliant")
    ItemCheck.objects.filter(compliant=False).update(result="non_compliant")


def backwards(apps, schema_editor):
    ItemCheck = apps.get_model("inspections", "ItemCheck")
    ItemCheck.objects.update(compliant=True)
    ItemCheck.objects.filter(result="non_compliant").update(compliant=False)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0005_random_upload_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="itemcheck",
            name="result",
            field=models.CharField(
                choices=[
                    ("compliant", "Compliant"),
                    ("non_compliant", "Not compliant"),
                    ("not_checked", "Not checked / not applicable"),
                ],
                default="compliant",
                max_length=14,
                verbose_name="result",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="itemcheck", name="compliant"),
    ]
