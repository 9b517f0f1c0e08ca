"""GIN trigram indexes (pg_trgm, PostgreSQL only) on the columns the admin searches:
the enterprise's name, credit code and address.
Existing rows are indexed as the index is built; nothing else changes; on SQLite it does nothing."""

from django.db import migrations

from programs.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("programs", "0010_department_head")]

    operations = [
        trigram_indexes("programs_enterprise", ["name", "credit_code", "address"]),
    ]
