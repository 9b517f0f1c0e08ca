"""GIN trigram indexes (pg_trgm, PostgreSQL only) on the columns the admin searches:
a resident's name, a registration's reference, a position's title.
Existing rows are indexed as the index is built; nothing else changes; on SQLite it does nothing."""

from django.db import migrations

from programs.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("workshops", "0006_market_events")]

    operations = [
        trigram_indexes("workshops_resident", ["name"]),
        trigram_indexes("workshops_registration", ["reference"]),
        trigram_indexes("workshops_position", ["title"]),
    ]
