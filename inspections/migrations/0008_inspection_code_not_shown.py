"""Why a visit was carried out without showing its code. Completed visits with no code shown were completed
before the reason was asked for: they get ``not_recorded`` (nothing invented); every other visit is left as it was."""

from django.db import migrations, models


def mark_not_recorded(apps, schema_editor):
    Inspection = apps.get_model("inspections", "Inspection")
    Inspection.objects.filter(status="completed", code_shown_at__isnull=True, code_not_shown_reason="").update(
        code_not_shown_reason="not_recorded"
    )


def unmark_not_recorded(apps, schema_editor):
    Inspection = apps.get_model("inspections", "Inspection")
    Inspection.objects.filter(code_not_shown_reason="not_recorded").update(code_not_shown_reason="")


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0007_field_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="inspection",
            name="code_not_shown_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("no_signal", "No mobile signal on site: the code could not be opened"),
                    ("device", "The officer's phone or terminal was unavailable"),
                    ("nobody_present", "Enterprise closed or nobody present to show it to"),
                    ("off_site", "Off-site check (documents or remote)"),
                    ("urgent", "Urgent check (complaint, accident or hazard): checked before showing"),
                    ("omitted", "Forgotten by the officer"),
                    ("other", "Other"),
                    ("not_recorded", "Not recorded (completed before the reason was asked for)"),
                ],
                max_length=16,
                verbose_name="why the code was not shown",
            ),
        ),
        migrations.AddField(
            model_name="inspection",
            name="code_not_shown_note",
            field=models.TextField(blank=True, verbose_name="code not shown: explanation"),
        ),
        migrations.RunPython(mark_not_recorded, unmark_not_recorded),
    ]
