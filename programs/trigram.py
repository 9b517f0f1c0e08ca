"""Trigram indexes for the admin's searches, on PostgreSQL only (SQLite, the embedded default, keeps its scans).

Django's ``icontains`` is ``UPPER(column::text) LIKE UPPER('%…%')`` on PostgreSQL, so the index is on that very
expression with ``gin_trgm_ops`` (``pg_trgm``), and the search code stays ``search_fields``. A model's ``Meta``
index cannot be limited to one database, hence these migration operations, which the model state does not see.
A pattern of fewer than three characters yields no trigram: PostgreSQL then reads the whole index, still
correct, no faster than before."""

from django.db import migrations


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"


def trigram_indexes(table: str, columns: list[str]) -> migrations.RunPython:
    """The operation that adds ``pg_trgm`` (if missing) and a GIN trigram index on ``UPPER(column::text)`` of
    each column; reversed, it drops the indexes (the extension stays: other apps' indexes may use it)."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')

    return migrations.RunPython(create, drop, elidable=False)
