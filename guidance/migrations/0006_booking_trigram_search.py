"""GIN trigram indexes (pg_trgm, PostgreSQL only) on the columns the admin searches:
a booking's reference, business name, credit code and contact.
Existing rows are indexed as the index is built; nothing else changes; on SQLite it does nothing."""

from django.db import migrations

from programs.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("guidance", "0005_sessions")]

    operations = [
        trigram_indexes("guidance_booking", ["reference", "business_name", "credit_code", "contact_name"]),
    ]
