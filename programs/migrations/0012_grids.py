"""Grids and micro-grids as entities, with the people assigned to them, and the grid manager role.

The enterprise's free-text grid and micro-grid are kept under other names (``grid_text``, ``micro_grid_text``)
until ``0013_grids_data`` has made entities of them; ``0014_grids_text_removed`` then drops them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programs", "0011_enterprise_trigram_search")]

    operations = [
        migrations.CreateModel(
            name="Grid",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "code",
                    models.CharField(
                        help_text="Unique in the community, e.g. G01.", max_length=30, verbose_name="code"
                    ),
                ),
                (
                    "community",
                    models.ForeignKey(
                        help_text="The village / community the grid belongs to.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="grids",
                        to="programs.region",
                        verbose_name="community",
                    ),
                ),
            ],
            options={
                "verbose_name": "grid",
                "verbose_name_plural": "grids",
                "ordering": ["community__code", "code"],
                "constraints": [
                    models.UniqueConstraint(fields=("community", "code"), name="grid_unique_code_in_community"),
                    models.UniqueConstraint(fields=("community", "name"), name="grid_unique_name_in_community"),
                ],
            },
        ),
        migrations.CreateModel(
            name="MicroGrid",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "code",
                    models.CharField(help_text="Unique in the grid, e.g. G01-03.", max_length=30, verbose_name="code"),
                ),
                (
                    "grid",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="micro_grids",
                        to="programs.grid",
                        verbose_name="grid",
                    ),
                ),
            ],
            options={
                "verbose_name": "micro-grid",
                "verbose_name_plural": "micro-grids",
                "ordering": ["grid__community__code", "grid__code", "code"],
                "constraints": [
                    models.UniqueConstraint(fields=("grid", "code"), name="micro_grid_unique_code_in_grid"),
                    models.UniqueConstraint(fields=("grid", "name"), name="micro_grid_unique_name_in_grid"),
                ],
            },
        ),
        migrations.CreateModel(
            name="GridAssignment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("liaison_leader", "Liaison leader"),
                            ("instructor", "Instructor"),
                            ("grid_manager", "Grid manager"),
                        ],
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="assigned at"),
                ),
                ("ended_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="ended at")),
                (
                    "grid",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="programs.grid",
                        verbose_name="grid",
                    ),
                ),
                (
                    "micro_grid",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="programs.microgrid",
                        verbose_name="micro-grid",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="grid_assignments",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "grid assignment",
                "verbose_name_plural": "grid assignments",
                "ordering": ["grid_id", "micro_grid_id", "role", "id"],
                "indexes": [models.Index(fields=["user", "role"], name="grid_assignment_user_role")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("grid__isnull", False), ("micro_grid__isnull", True))
                        | models.Q(("grid__isnull", True), ("micro_grid__isnull", False)),
                        name="grid_assignment_grid_or_micro_grid",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("ended_at__isnull", True), ("grid__isnull", False)),
                        fields=("user", "grid", "role"),
                        name="grid_assignment_unique_grid",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("ended_at__isnull", True), ("micro_grid__isnull", False)),
                        fields=("user", "micro_grid", "role"),
                        name="grid_assignment_unique_micro_grid",
                    ),
                ],
            },
        ),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("coordinator", "Coordinator"),
                    ("officer", "Department officer"),
                    ("organiser", "Workshop organiser"),
                    ("grid_worker", "Community / grid worker"),
                    ("grid_manager", "Grid manager"),
                    ("enterprise", "Enterprise user"),
                    ("resident", "Resident"),
                ],
                max_length=20,
                verbose_name="role",
            ),
        ),
        migrations.RenameField(model_name="enterprise", old_name="grid", new_name="grid_text"),
        migrations.RenameField(model_name="enterprise", old_name="micro_grid", new_name="micro_grid_text"),
        migrations.AddField(
            model_name="enterprise",
            name="micro_grid",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enterprises",
                to="programs.microgrid",
                verbose_name="micro-grid",
            ),
        ),
    ]
