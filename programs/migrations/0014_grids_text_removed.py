"""The enterprise's free-text grid and micro-grid go, now that ``0013_grids_data`` has made entities of them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("programs", "0013_grids_data")]

    operations = [
        migrations.RemoveField(model_name="enterprise", name="grid_text"),
        migrations.RemoveField(model_name="enterprise", name="micro_grid_text"),
    ]
