"""GIN trigram indexes (pg_trgm, PostgreSQL only) on the columns the admin searches:
an inspection's code, an item's code and name.
Existing rows are indexed as the index is built; nothing else changes; on SQLite it does nothing."""

from django.db import migrations

from programs.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("inspections", "0009_year_plan")]

    operations = [
        trigram_indexes("inspections_inspection", ["code"]),
        trigram_indexes("inspections_inspectionitem", ["code", "name"]),
    ]
