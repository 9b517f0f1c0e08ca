"""Year plans (年计划) and the plan entry's link to its year plan. Existing entries predate year plans: their
``year_plan`` stays empty (counted as entries outside a plan); nothing is invented."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0008_inspection_code_not_shown"),
        ("programs", "0010_department_head"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="YearPlan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("approved", "Approved"),
                            ("published", "Published"),
                            ("returned", "Returned"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("return_reason", models.TextField(blank=True, verbose_name="reason for return")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created at"),
                ),
                ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="submitted at")),
                ("approved_at", models.DateTimeField(blank=True, null=True, verbose_name="approved at")),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="published at")),
                (
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="year_plans",
                        to="programs.department",
                        verbose_name="department",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
            ],
            options={
                "verbose_name": "year plan",
                "verbose_name_plural": "year plans",
                "ordering": ["-year", "department_id"],
            },
        ),
        migrations.AddField(
            model_name="planentry",
            name="year_plan",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for an entry added outside a year plan.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="inspections.yearplan",
                verbose_name="year plan",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearplan",
            constraint=models.UniqueConstraint(fields=("department", "year"), name="year_plan_one_per_department"),
        ),
    ]
